"""The cases: what each one asks of which server.

Most cases are one request repeated by wrk (``HTTP_CASES``); the requests are built here from
the seeded realm, and, for the cases the peer can answer the same way, from the peer. Logins are
several requests with cookies and a form, driven from Python (``bench.logins``); start-up and
the argon2id baseline are measured apart (``bench.startup``, ``bench.argon2_rate``).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from bench import peer
from bench.seed import PASSWORD, REALM, USERNAME, Seeded, basic
from bench.wrk import Request

HTTP_CASES = {
    "discovery": "GET discovery document",
    "certs": "GET certs (JWKS)",
    "cc_rs256": "client_credentials, RS256",
    "cc_es256": "client_credentials, ES256",
    "password": "password grant (argon2id check)",
    "refresh": "refresh_token grant",
    "introspect": "introspection of an access token",
    "userinfo": "GET userinfo (Bearer)",
    "admin_get_user": "admin GET /users/{id}",
    "admin_create_user": "admin POST /users",
}
LOGIN_CASES = {
    "code_login": "code-flow login: auth, form, code exchange (Python driver)",
    "broker_login": "brokered login across two instances (Python driver)",
}
APART_CASES = {
    "argon2": "argon2id hash, argon2-cffi alone (hashes/s)",
    "startup": "start-up to first discovery 200, idle RSS",
}
CASES = {**HTTP_CASES, **LOGIN_CASES, **APART_CASES}
PEER_CASES = ("discovery", "certs", "cc_rs256", "cc_es256")  # the keys of peer_requests()

_FORM = "Content-Type: application/x-www-form-urlencoded"
_JSON = "Content-Type: application/json"


def _post_form(path: str, authorization: str, **fields: str) -> Request:
    return Request("POST", path, urlencode(fields), (_FORM, f"Authorization: {authorization}"))


def realmgate_requests(seeded: Seeded) -> dict[str, Request]:
    """Every HTTP case against the seeded ``bench`` realm. ``{run}`` in a body is replaced per run
    and ``{n}`` per request (``bench.wrk``), so every created user has a new name."""
    oidc = f"/realms/{REALM}/protocol/openid-connect"
    token = f"{oidc}/token"
    client = seeded.rs256_basic
    admin = f"Authorization: Bearer {seeded.admin_token}"
    users = f"/admin/realms/{REALM}/users"
    return {
        "discovery": Request("GET", f"/realms/{REALM}/.well-known/openid-configuration"),
        "certs": Request("GET", f"{oidc}/certs"),
        "cc_rs256": _post_form(token, client, grant_type="client_credentials"),
        "cc_es256": _post_form(token, seeded.es256_basic, grant_type="client_credentials"),
        "password": _post_form(
            token, client, grant_type="password", username=USERNAME, password=PASSWORD, scope="openid"
        ),
        "refresh": _post_form(token, client, grant_type="refresh_token", refresh_token=seeded.refresh_token),
        "introspect": _post_form(f"{token}/introspect", client, token=seeded.access_token),
        "userinfo": Request("GET", f"{oidc}/userinfo", headers=(f"Authorization: Bearer {seeded.access_token}",)),
        "admin_get_user": Request("GET", f"{users}/{seeded.user_id}", headers=(admin,)),
        "admin_create_user": Request(
            "POST", users, json.dumps({"username": "load-{run}-{n}", "enabled": True}), (_JSON, admin)
        ),
    }


def peer_requests(running: peer.PeerProcess) -> dict[str, Request]:
    """The cases oidc-provider answers as realmgate does: same grant, same client authentication."""
    token = "/token"
    return {
        "discovery": Request("GET", peer.DISCOVERY),
        "certs": Request("GET", "/jwks"),
        "cc_rs256": _post_form(token, basic(peer.RS256_CLIENT, running.secret), grant_type="client_credentials"),
        "cc_es256": _post_form(token, basic(peer.ES256_CLIENT, running.secret), grant_type="client_credentials"),
    }
