"""The realm the cases run against, set up through the admin API as an operator would.

Realm ``bench``: a confidential client ``bench-rs256`` (HTTP Basic; client_credentials,
password grant and the code flow) and ``bench-es256`` whose access tokens are ES256 (client
attribute ``access.token.signed.response.alg``, with an ``ecdsa-generated`` key component so no
request pays for making a fallback key), a user with a password, and a token of each kind the
cases replay. Token lifespans are raised in ``bench`` and ``master`` so the replayed access
tokens (userinfo, introspection, the admin's) stay valid for the whole run; refresh tokens are
replayed too, which Keycloak's default ``revokeRefreshToken=false`` allows.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import httpx
from tests.e2e.broker.seed import Admin
from tests.e2e.harness import ServerProcess, admin_token

REALM = "bench"
RS256_CLIENT = "bench-rs256"
ES256_CLIENT = "bench-es256"
USERNAME = "bench-user"
PASSWORD = "bench-password"
REDIRECT_URI = "http://127.0.0.1:9/bench/callback"
LIFESPAN_SECONDS = 4 * 3600  # longer than any run


def basic(client_id: str, secret: str) -> str:
    """An ``Authorization`` header value for HTTP Basic client authentication."""
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode("ascii")


@dataclass(frozen=True)
class Seeded:
    """What the cases need to know about the seeded realm."""

    rs256_secret: str
    es256_secret: str
    access_token: str
    refresh_token: str
    user_id: str
    admin_token: str

    @property
    def rs256_basic(self) -> str:
        return basic(RS256_CLIENT, self.rs256_secret)

    @property
    def es256_basic(self) -> str:
        return basic(ES256_CLIENT, self.es256_secret)


def _long_lifespans(admin: Admin, realm: str) -> None:
    settings = {"accessTokenLifespan": LIFESPAN_SECONDS, "ssoSessionIdleTimeout": LIFESPAN_SECONDS}
    settings["ssoSessionMaxLifespan"] = LIFESPAN_SECONDS
    admin.call("PUT", f"/{realm}", 204, json=settings)


def _confidential(admin: Admin, client_id: str, **attributes: str) -> str:
    """A confidential client for every grant the cases use; returns its secret."""
    flows: dict[str, Any] = {
        "serviceAccountsEnabled": True,
        "directAccessGrantsEnabled": True,
        "standardFlowEnabled": True,
        "clientAuthenticatorType": "client-secret",
    }
    if attributes:
        flows["attributes"] = attributes
    return admin.client(REALM, client_id, [REDIRECT_URI], **flows)


def _user_tokens(server: ServerProcess, client_basic: str) -> dict[str, Any]:
    response = httpx.post(
        server.url(f"/realms/{REALM}/protocol/openid-connect/token"),
        data={"grant_type": "password", "username": USERNAME, "password": PASSWORD, "scope": "openid"},
        headers={"Authorization": client_basic},
        timeout=15.0,
    )
    response.raise_for_status()
    tokens: dict[str, Any] = response.json()
    # A replayed token that expired mid-run would still be introspected with a 200 (active:
    # false), measuring another path: make sure the raised lifespans took.
    lifespans = tokens["expires_in"], tokens["refresh_expires_in"]
    if min(lifespans) < LIFESPAN_SECONDS - 60:
        raise RuntimeError(f"tokens live {lifespans} s, not the {LIFESPAN_SECONDS} s the bench set")
    return tokens


def seed(server: ServerProcess) -> Seeded:
    """Create the bench realm on a fresh server and return its secrets and replayable tokens."""
    admin = Admin(server)
    _long_lifespans(admin, "master")
    admin.realm(REALM)
    _long_lifespans(admin, REALM)
    realm_id = admin.call("GET", f"/{REALM}", 200).json()["id"]
    ec_key = {
        "name": "ecdsa-generated",
        "providerId": "ecdsa-generated",
        "providerType": "org.keycloak.keys.KeyProvider",
        "parentId": realm_id,
        "config": {"priority": ["100"], "ecdsaEllipticCurveKey": ["P-256"]},
    }
    admin.call("POST", f"/{REALM}/components", 201, json=ec_key)
    rs256_secret = _confidential(admin, RS256_CLIENT)
    es256_secret = _confidential(admin, ES256_CLIENT, **{"access.token.signed.response.alg": "ES256"})
    profile = {"email": f"{USERNAME}@bench.test", "emailVerified": True, "firstName": "Bench", "lastName": "User"}
    user_id = admin.user(REALM, USERNAME, PASSWORD, **profile)
    tokens = _user_tokens(server, basic(RS256_CLIENT, rs256_secret))
    return Seeded(
        rs256_secret=rs256_secret,
        es256_secret=es256_secret,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        user_id=user_id,
        admin_token=admin_token(server),
    )
