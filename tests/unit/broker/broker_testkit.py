"""A real, tiny upstream OpenID provider for the broker's unit tests.

It is an ``http.server`` on a loopback port in a thread: the broker's httpx calls go over real
sockets, and each test scripts what the upstream answers (JWKS, token, userinfo, logout) and
reads what the broker sent. Tokens are signed with keys made by ``realmgate.crypto``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from realmgate.crypto import jws
from realmgate.crypto.realm_keys import generate_default_keys, generate_ec_key, public_jwk
from realmgate.crypto.secrets import SYSTEM
from realmgate.model.keys import RealmKey


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | Mapping[str, Any] = b"{}"
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class Script:
    """What the upstream answers, by path; reset for every test."""

    replies: dict[str, Reply] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hits(self, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == path]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        form = {k: v[0] for k, v in parse_qs(raw).items()}
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        script = self.server.script
        with script.lock:
            script.requests.append(
                Recorded(self.command, parts.path, query, form, {k.lower(): v for k, v in self.headers.items()})
            )
            reply = script.replies.get(parts.path, Reply(404, {"error": "not_found"}))
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.body
        data = (
            body if isinstance(body, bytes) else body.encode() if isinstance(body, str) else json.dumps(body).encode()
        )
        try:
            self.send_response(reply.status)
            self.send_header("content-type", reply.content_type)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = _handle
    do_POST = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    script: Script


class Upstream:
    """The running server; ``url(path)`` gives an absolute URL on it."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.script = Script()
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def script(self) -> Script:
        return self._server.script

    def reset(self) -> Script:
        self._server.script = Script()
        return self._server.script

    def url(self, path: str) -> str:
        return self.base + path

    def reply(self, path: str, body: bytes | str | Mapping[str, Any], **kw: Any) -> None:
        self.script.replies[path] = Reply(body=body, **kw)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Keys:
    """Upstream signing keys made with realmgate.crypto (RSA ``a``/``b``, EC ``ec``)."""

    def __init__(self) -> None:
        self.a = self._rsa()
        self.b = self._rsa()
        self.ec = generate_ec_key("upstream", now=0)
        self.rogue = self._rsa()

    @staticmethod
    def _rsa() -> RealmKey:
        return next(k for k in generate_default_keys("upstream", now=0, ids=SYSTEM) if k.algorithm == "RS256")

    @staticmethod
    def jwks(*keys: RealmKey) -> dict[str, object]:
        return {"keys": [public_jwk(k) for k in keys]}


def sign(claims: Mapping[str, object], key: RealmKey, **kw: Any) -> str:
    return jws.sign(claims, key, **kw)


class Clock:
    """A settable clock (epoch seconds)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
