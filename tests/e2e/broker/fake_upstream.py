"""A small OpenID provider on a loopback port that misbehaves on purpose, one way per path
prefix (``/{mode}/...``), to show every check of the broker's callback failing for real.

It signs real RS256 tokens (joserfc) with the key its JWKS publishes, except where the mode is
the forgery: ``forged`` signs with a key nobody publishes, ``badsig`` signs with an unpublished
key under the published ``kid``. ``/auth`` answers at once with a code (no login page); the
nonce it received travels in the code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

KEY = RSAKey.generate_key(2048, parameters={"kid": "published", "use": "sig", "alg": "RS256"})
OTHER = RSAKey.generate_key(2048, parameters={"kid": "published"})
FORGED = RSAKey.generate_key(2048, parameters={"kid": "forged"})
CLIENT_ID = "realmgate"
SLOW_SECONDS = 7.0


class FakeUpstream:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.port = server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def issuer(self, mode: str) -> str:
        return f"{self.base}/{mode}"

    def config(self, mode: str, **extra: str) -> dict[str, str]:
        """An identity provider config for ``mode`` (signature checked with the JWKS URL)."""
        base = self.issuer(mode)
        return {
            "authorizationUrl": f"{base}/auth",
            "tokenUrl": f"{base}/token",
            "userInfoUrl": f"{base}/userinfo",
            "jwksUrl": f"{base}/jwks",
            "useJwksUrl": "true",
            "validateSignature": "true",
            "issuer": base,
            "clientId": CLIENT_ID,
            "clientSecret": "fake-secret",
            "syncMode": "FORCE",
            **extra,
        }


def _claims(mode: str, issuer: str, nonce: str | None) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": f"{mode}-sub",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "sid": f"{mode}-session",
        "preferred_username": f"{mode}-user",
        "email": f"{mode}@fake.example",
        "email_verified": True,
        "given_name": mode.capitalize(),
        "family_name": "Fake",
    }
    if mode.startswith("partial"):
        del claims["family_name"]  # the review page asks for it
    if mode == "issuer":
        claims["iss"] = "http://127.0.0.1:1/someone-else"
    elif mode == "audience":
        claims["aud"] = "another-client"
    elif mode == "nonce":
        claims["nonce"] = "not-the-nonce-we-were-sent"
    elif mode == "expired":
        claims.update(iat=now - 600, exp=now - 300)
    elif mode == "azp":
        claims.update(aud=[CLIENT_ID, "another-client"], azp="another-client")
    elif mode == "notyet":
        claims["nbf"] = now + 300
    elif mode == "maxage":
        claims["auth_time"] = now - 3600  # an old login, though max_age asked for a fresh one
    elif mode == "filter":
        claims["groups"] = ["users"]
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _id_token(mode: str, claims: dict[str, Any]) -> str:
    payload = _b64(json.dumps(claims).encode())
    if mode == "algnone":  # unsigned
        return f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{payload}."
    if mode == "hs256":  # the classic confusion: HMAC keyed with the published public key
        header = _b64(json.dumps({"alg": "HS256", "kid": "published", "typ": "JWT"}).encode())
        secret = KEY.as_pem(private=False)
        signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"
    key = {"forged": FORGED, "badsig": OTHER}.get(mode, KEY)
    return jwt.encode({"alg": "RS256", "kid": key.kid or "published", "typ": "JWT"}, claims, key)


def _base(server: object) -> str:
    assert isinstance(server, ThreadingHTTPServer)
    return f"http://127.0.0.1:{server.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server_version = "fake-upstream"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the broker gave up waiting ("slow")
            return

    def _mode_and_endpoint(self) -> tuple[str, str, dict[str, str]]:
        url = urlsplit(self.path)
        _, mode, endpoint = url.path.split("/", 2)
        return mode, endpoint, {k: v[0] for k, v in parse_qs(url.query).items()}

    def do_GET(self) -> None:
        mode, endpoint, params = self._mode_and_endpoint()
        issuer = f"{_base(self.server)}/{mode}"
        if endpoint == "auth":
            back = {"state": params.get("state", "")}
            if mode == "denied":
                back["error"] = "access_denied"
            elif params.get("prompt") == "none":
                back["error"] = "login_required"
            else:
                back["code"] = json.dumps({"nonce": params.get("nonce")})
            self.send_response(302)
            self.send_header("location", params["redirect_uri"] + "?" + urlencode(back))
            self.end_headers()
        elif endpoint == "jwks":
            self._send(200, {"keys": [KEY.as_dict(private=False)]})
        elif endpoint == "userinfo":
            sub = "somebody-else" if mode == "userinfo" else f"{mode}-sub"
            profile = {k: v for k, v in _claims(mode, issuer, None).items() if k not in ("iss", "aud", "sid")}
            self._send(200, {**profile, "sub": sub})
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self) -> None:
        mode, endpoint, _ = self._mode_and_endpoint()
        length = int(self.headers.get("content-length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        issuer = f"{_base(self.server)}/{mode}"
        if endpoint != "token":
            self._send(404, {"error": "not_found"})
            return
        if mode == "slow":
            time.sleep(SLOW_SECONDS)
        if form.get("client_secret") != "fake-secret":
            self._send(401, {"error": "invalid_client"})
            return
        nonce = json.loads(form.get("code", "{}")).get("nonce")  # none on a refresh: the ID token has none
        kind = "refreshed" if form.get("grant_type") == "refresh_token" else "access"
        self._send(
            200,
            {
                "access_token": f"opaque-{kind}-{mode}",
                "token_type": "Bearer",
                "expires_in": 300,
                "refresh_token": f"opaque-refresh-{mode}",
                "id_token": _id_token(mode, _claims(mode, issuer, nonce)),
            },
        )


@contextmanager
def fake_upstream() -> Iterator[FakeUpstream]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FakeUpstream(server)
    finally:
        server.shutdown()
        server.server_close()
