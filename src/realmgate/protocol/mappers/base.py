"""What a mapper sees, and the claim-writing rules every mapper shares.

Claim names are paths: ``realm_access.roles`` writes ``{"realm_access": {"roles": ...}}``;
``\\.`` escapes a literal dot. Values are converted by ``jsonType.label`` (String, long, int,
boolean, JSON). Lists written twice to the same claim are merged, so two role mappers combine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from realmgate.model.client import Client, ProtocolMapper
from realmgate.model.user import User
from realmgate.protocol.realm_cache import RealmConfig

Claims = dict[str, object]


class TokenKind(Enum):
    ACCESS = "access.token.claim"
    ID = "id.token.claim"
    USERINFO = "userinfo.token.claim"
    INTROSPECTION = "introspection.token.claim"


@dataclass(frozen=True, slots=True)
class MappingContext:
    """Inputs of a token: who, for which client, with which (already scoped) roles."""

    config: RealmConfig
    client: Client
    user: User
    role_ids: frozenset[str]  # effective roles, composites expanded, limited to the client's scope
    group_ids: tuple[str, ...]
    session_notes: Mapping[str, str]
    fresh_login: bool = True  # false when the SSO cookie was reused (acr "0")


MapperFn = Callable[[Mapping[str, str], MappingContext, Claims], None]


def enabled_for(mapper: ProtocolMapper, kind: TokenKind) -> bool:
    """Keycloak's switches; introspection follows the access-token switch when unset."""
    value = mapper.config.get(kind.value)
    if value is None and kind is TokenKind.INTROSPECTION:
        value = mapper.config.get(TokenKind.ACCESS.value)
    return value == "true"


_SPLIT = re.compile(r"(?<!\\)\.")


def claim_path(name: str) -> list[str]:
    return [part.replace("\\.", ".") for part in _SPLIT.split(name) if part]


def convert(value: object, json_type: str | None) -> object:
    """Convert a value (or each item of a list) to the mapper's JSON type; None if impossible."""
    if isinstance(value, list):
        converted = [convert(v, json_type) for v in value]
        return [v for v in converted if v is not None]
    if json_type in (None, "", "String"):
        return value if isinstance(value, str) else _stringify(value)
    text = value if isinstance(value, str) else _stringify(value)
    try:
        if json_type in ("long", "int"):
            return int(text)
        if json_type == "boolean":
            return text.strip().lower() == "true"
        if json_type == "JSON":
            return json.loads(text)
    except ValueError:
        return None
    return value


def _stringify(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def set_claim(claims: Claims, name: str, value: object) -> None:
    if value is None or name == "":
        return
    path = claim_path(name)
    if not path:
        return
    node: dict[str, object] = claims
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    last = path[-1]
    existing = node.get(last)
    if isinstance(existing, list) and isinstance(value, list):
        node[last] = existing + [v for v in value if v not in existing]
    else:
        node[last] = value


def map_value(config: Mapping[str, str], claims: Claims, value: object) -> None:
    """The common tail of a mapper: honour ``multivalued`` and ``jsonType.label``, then write."""
    if value is None:
        return
    if isinstance(value, list):
        if not value:
            return
        if config.get("multivalued") != "true":
            value = value[0]
    set_claim(claims, config.get("claim.name", ""), convert(value, config.get("jsonType.label")))
