"""Building request bodies and URLs the way kcadm does.

``-s key=value`` sets ``key`` in the JSON body; ``key.sub=value`` sets nested objects (and
``config."external.role"=x`` a key with a dot in its name); a value
that parses as JSON (``true``, ``3``, ``["*"]``, ``{...}``) is used as JSON, anything else as a
string. ``-f file.json`` (``-`` for stdin) gives the starting body. A PATH is relative to the
realm (``users``, ``clients/ID/client-secret``), except ``realms...`` and ``serverinfo``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from realmgate.admin_cli.session import CliFailure


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _key_path(key: str) -> list[str]:
    """``a.b`` is two levels; ``config."external.role"`` keeps a dotted name whole (as kcadm)."""
    parts: list[str] = []
    current, quoted = "", False
    for ch in key:
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    if quoted or "" in (*parts, current):
        raise CliFailure(f"Invalid -s key {key!r}")
    return [*parts, current]


def apply_sets(body: Any, sets: Sequence[str]) -> Any:
    if sets and not isinstance(body, dict):
        raise CliFailure("-s needs a JSON object body")
    for item in sets:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise CliFailure(f"Invalid -s {item!r}: expected key=value")
        target = body
        *parents, last = _key_path(key)
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise CliFailure(f"Invalid -s {item!r}: {part} is not an object")
        target[last] = _value(raw)
    return body


def read_file(name: str | None) -> Any:
    if name is None:
        return {}
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        raise CliFailure(f"Cannot read {name}: {exc.strerror}") from None
    except ValueError as exc:
        raise CliFailure(f"{name} is not valid JSON: {exc}") from None


def admin_url(server: str, path: str, realm: str) -> str:
    clean = path.strip("/")
    if not clean:
        raise CliFailure("PATH is required, e.g. 'users' or 'realms'")
    segments = "/".join(quote(part, safe="") for part in clean.split("/"))
    if clean == "serverinfo" or clean.split("/")[0] == "realms":
        return f"{server}/admin/{segments}"
    return f"{server}/admin/realms/{quote(realm, safe='')}/{segments}"
