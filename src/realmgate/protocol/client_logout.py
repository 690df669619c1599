"""Back-channel logout to our own clients (OIDC Back-Channel Logout 1.0, as Keycloak sends it).

When a user session ends, every client of that session whose ``backchannel.logout.url``
attribute is set receives a ``logout_token`` (signed with the realm's RS256 key, header
``typ: logout+jwt``) naming the user (``sub``) and, unless ``backchannel.logout.session.required``
is ``"false"``, the session (``sid``). ``deliveries`` builds them inside the transaction that ends
the session; ``deliver`` posts them afterwards (a web response's background task), so no HTTP
call is made while a transaction is open. Failures are logged, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from realmgate.crypto import jws, realm_keys
from realmgate.crypto.secrets import new_id
from realmgate.model.session import UserSession
from realmgate.protocol.realm_cache import RealmConfig

log = logging.getLogger("realmgate.oidc")

URL_ATTRIBUTE = "backchannel.logout.url"
SESSION_REQUIRED_ATTRIBUTE = "backchannel.logout.session.required"
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
TOKEN_LIFESPAN = 120


@dataclass(frozen=True, slots=True)
class Delivery:
    client_id: str
    url: str
    token: str


def deliveries(config: RealmConfig, session: UserSession, *, issuer: str, now: int) -> list[Delivery]:
    """The logout tokens for the clients of ``session`` that asked for back-channel logout."""
    key = realm_keys.active_key(config.keys, "RS256")
    if key is None:
        return []
    found: list[Delivery] = []
    for internal_id in session.client_sessions:
        client = config.client_by_internal_id(internal_id)
        url = client.attributes.get(URL_ATTRIBUTE) if client is not None else None
        if client is None or not url:
            continue
        claims: dict[str, object] = {
            "iss": issuer,
            "aud": client.client_id,
            "iat": now,
            "exp": now + TOKEN_LIFESPAN,
            "jti": new_id(),
            "sub": session.user_id,
            "typ": "Logout",
            "events": {LOGOUT_EVENT: {}},
        }
        if client.attributes.get(SESSION_REQUIRED_ATTRIBUTE, "true").lower() != "false":
            claims["sid"] = session.id
        found.append(Delivery(client.client_id, url, jws.sign(claims, key, typ="logout+jwt")))
    return found


async def deliver(http: httpx.AsyncClient, items: Sequence[Delivery]) -> int:
    """POST each logout token; returns how many failed (each logged with the client id)."""
    failed = 0
    for item in items:
        try:
            response = await http.post(item.url, data={"logout_token": item.token})
            ok = response.status_code in (200, 204)
        except httpx.HTTPError as exc:
            ok = False
            log.warning("back-channel logout to client %s failed: %s", item.client_id, type(exc).__name__)
        else:
            if not ok:
                log.warning("back-channel logout to client %s: status %d", item.client_id, response.status_code)
        failed += 0 if ok else 1
    return failed
