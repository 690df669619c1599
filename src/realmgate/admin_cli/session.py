"""The logged-in admin session of the CLI: a small JSON file (like kcadm's ``kcadm.config``)
holding the server URL, the login realm and the tokens, readable only by its owner.

Tokens are refreshed with the refresh token when the access token is about to expire; when the
refresh fails too, the user is asked to log in again. Passwords are never stored.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

DEFAULT_CONFIG = Path.home() / ".realmgate" / "admin.json"
CLIENT_ID = "admin-cli"
EARLY_REFRESH = 10  # seconds before expiry


class CliFailure(Exception):
    """Ends the command with this message on stderr and a non-zero exit code."""


@dataclass
class Session:
    server: str
    realm: str
    access_token: str
    refresh_token: str
    expires_at: float

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(asdict(self), out)

    @classmethod
    def load(cls, path: Path) -> Session:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError:
            raise CliFailure("Not logged in: run 'realmgate admin config credentials' first") from None
        except (ValueError, TypeError):
            raise CliFailure(f"Unreadable CLI configuration {path}: log in again") from None


def _token_request(http: httpx.Client, server: str, realm: str, form: dict[str, str]) -> dict[str, object]:
    url = f"{server.rstrip('/')}/realms/{realm}/protocol/openid-connect/token"
    try:
        response = http.post(url, data={**form, "client_id": CLIENT_ID})
    except httpx.HTTPError as exc:
        raise CliFailure(f"Cannot reach {server}: {exc}") from None
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.status_code != 200:
        reason = body.get("error_description") or body.get("error") or response.reason_phrase
        raise CliFailure(f"Login failed: {reason}")
    return dict(body)


def _from_tokens(server: str, realm: str, tokens: dict[str, object]) -> Session:
    expires_in = tokens.get("expires_in")
    return Session(
        server=server.rstrip("/"),
        realm=realm,
        access_token=str(tokens["access_token"]),
        refresh_token=str(tokens.get("refresh_token", "")),
        expires_at=time.time() + (expires_in if isinstance(expires_in, int) else 60),
    )


def login(http: httpx.Client, server: str, realm: str, username: str, password: str) -> Session:
    tokens = _token_request(http, server, realm, {"grant_type": "password", "username": username, "password": password})
    return _from_tokens(server, realm, tokens)


def fresh(http: httpx.Client, session: Session, path: Path) -> Session:
    """``session`` with an access token valid for a while longer (refreshed and saved if needed)."""
    if time.time() < session.expires_at - EARLY_REFRESH:
        return session
    if not session.refresh_token:
        raise CliFailure("Session expired: run 'realmgate admin config credentials' again")
    try:
        tokens = _token_request(
            http, session.server, session.realm, {"grant_type": "refresh_token", "refresh_token": session.refresh_token}
        )
    except CliFailure:
        raise CliFailure("Session expired: run 'realmgate admin config credentials' again") from None
    renewed = _from_tokens(session.server, session.realm, tokens)
    renewed.save(path)
    return renewed
