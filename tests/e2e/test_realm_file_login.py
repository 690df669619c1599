"""A Keycloak realm file's user logs in on a real server and is rehashed to argon2id.

The file holds ``alice`` with a ``pbkdf2-sha256`` credential exactly as Keycloak writes it. After
``--import-realm``, a password grant must verify that hash, and the stored credential must then
be argon2id (the realm's default policy); exporting and importing the result into an empty
database gives the same document.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from tests.e2e.harness import ROOT, run_cli, start_server

REALM_FILE = ROOT / "tests" / "data" / "realms" / "acme-realm.json"


def _password_grant(base_url: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}/realms/acme/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "webapp",
            "client_secret": "webapp-secret-0123456789abcdefghij",
            "username": "alice",
            "password": "alice-password",
        },
        timeout=10.0,
    )


def _alice_credential(document: dict[str, object]) -> dict[str, object]:
    users = document["users"]
    assert isinstance(users, list)
    (alice,) = [u for u in users if u["username"] == "alice"]
    (credential,) = alice["credentials"]
    assert isinstance(credential, dict)
    return credential


def _export(db_url: str, target: Path) -> dict[str, object]:
    result = run_cli(["export", "--realm", "acme", "--file", str(target), "--db-url", db_url])
    assert result.returncode == 0, result.stderr
    document: dict[str, object] = json.loads(target.read_text())
    return document


def test_pbkdf2_user_logs_in_is_rehashed_and_the_realm_round_trips(tmp_path: Path) -> None:
    before = _alice_credential(json.loads(REALM_FILE.read_text()))
    assert json.loads(str(before["credentialData"]))["algorithm"] == "pbkdf2-sha256"

    server = start_server(import_realm=REALM_FILE)
    try:
        assert _password_grant(server.base_url).status_code == 200
        assert _password_grant(server.base_url).status_code == 200  # the new hash verifies too
        wrong = httpx.post(
            server.url("/realms/acme/protocol/openid-connect/token"),
            data={
                "grant_type": "password",
                "client_id": "webapp",
                "client_secret": "webapp-secret-0123456789abcdefghij",
                "username": "alice",
                "password": "not-her-password",
            },
            timeout=10.0,
        )
        assert wrong.json()["error"] == "invalid_grant"
    finally:
        server.stop(drop_database=False)

    first = _export(server.db_url, tmp_path / "first.json")
    after = _alice_credential(first)
    data = json.loads(str(after["credentialData"]))
    assert data["algorithm"] == "argon2"
    assert data["additionalParameters"]["type"] == ["id"]
    assert after["id"] == before["id"]  # the same credential, rehashed in place

    empty_db = f"sqlite+aiosqlite:///{tmp_path / 'second.db'}"
    imported = run_cli(["import", "--file", str(tmp_path / "first.json"), "--db-url", empty_db])
    assert imported.returncode == 0, imported.stderr
    assert _export(empty_db, tmp_path / "second.json") == first
