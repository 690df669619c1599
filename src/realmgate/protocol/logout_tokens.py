"""Back-channel logout to our own clients (OIDC Back-Channel Logout 1.0, as Keycloak sends it).

When a session ends (``protocol.sessions.end_sessions``), every client of that session whose
``backchannel.logout.url`` attribute is set receives a ``logout_token`` (signed with the realm's
RS256 key, header ``typ: logout+jwt``) naming the user (``sub``) and, unless
``backchannel.logout.session.required`` is ``"false"``, the session (``sid``); with
``backchannel.logout.revoke.offline.tokens`` = ``"true"`` its ``events`` also hold
``revoke_offline_access: true`` (Keycloak only tells the client; it revokes nothing more itself).

Unlike Keycloak's browser logout, a client with ``frontchannelLogout`` on is told too: realmgate
has no front-channel logout, so skipping it would leave that client uninformed.

``deliveries`` builds the tokens inside the transaction that ends the sessions; ``deliver``
posts them after it has committed (a web response's background task), so no HTTP call is made
while a transaction is open. Failures are logged with the client id, never with the token, and
never raised: the logout has already happened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from realmgate.crypto import jws, realm_keys
from realmgate.crypto.secrets import Randomness
from realmgate.model.client import Client
from realmgate.model.keys import RealmKey
from realmgate.model.realm import Realm
from realmgate.model.session import UserSession
from realmgate.store.interface import Tx

if TYPE_CHECKING:  # httpx costs ~0.1 s to import; a server start that sends no logout skips it
    import httpx

log = logging.getLogger("realmgate.oidc")

URL_ATTRIBUTE = "backchannel.logout.url"
ISSUER_NOTE = "iss"  # client session note: the issuer the client's tokens name (as Keycloak's)
SESSION_REQUIRED_ATTRIBUTE = "backchannel.logout.session.required"
REVOKE_OFFLINE_ATTRIBUTE = "backchannel.logout.revoke.offline.tokens"
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
REVOKE_OFFLINE_EVENT = "revoke_offline_access"
TOKEN_LIFESPAN = 120  # seconds, as Keycloak
PARALLEL_POSTS = 8  # one slow receiver must not hold up every other client's logout


@dataclass(frozen=True, slots=True)
class Delivery:
    client_id: str
    url: str
    token: str


def logout_token(client: Client, session: UserSession, key: RealmKey, *, issuer: str, now: int, ids: Randomness) -> str:
    """The signed ``logout_token`` telling ``client`` that ``session`` is over."""
    events: dict[str, object] = {LOGOUT_EVENT: {}}
    if client.attributes.get(REVOKE_OFFLINE_ATTRIBUTE, "").lower() == "true":
        events[REVOKE_OFFLINE_EVENT] = True
    claims: dict[str, object] = {
        "iss": issuer,
        "aud": client.client_id,
        "iat": now,
        "exp": now + TOKEN_LIFESPAN,
        "jti": ids.new_id(),
        "sub": session.user_id,
        "typ": "Logout",
        "events": events,
    }
    if client.attributes.get(SESSION_REQUIRED_ATTRIBUTE, "true").lower() != "false":
        claims["sid"] = session.id
    return jws.sign(claims, key, typ="logout+jwt")


async def deliveries(
    tx: Tx, realm: Realm, sessions: Sequence[UserSession], *, issuer: str | None, now: int, ids: Randomness
) -> list[Delivery]:
    """The logout tokens for the clients of ``sessions`` that asked for back-channel logout.

    A token names the issuer recorded on its client session (the one the client's ID token
    names), else ``issuer``; with neither, that client cannot be told and the log says so.
    Reads the clients and the signing key from ``tx``, so any caller (OIDC endpoint, admin API,
    broker, expiry sweep) can build them without a realm snapshot."""
    receivers: dict[str, Client] = {}
    for internal_id in sorted({c for s in sessions for c in s.client_sessions}):
        client = await tx.clients.get(realm.id, internal_id)
        if client is not None and client.attributes.get(URL_ATTRIBUTE):
            receivers[internal_id] = client
    if not receivers:
        return []
    key = realm_keys.active_key(await tx.keys.list(realm.id), "RS256")
    if key is None:
        log.warning("back-channel logout not sent: realm %s has no active RS256 key", realm.name)
        return []
    found: list[Delivery] = []
    for session in sessions:
        for internal_id, client_session in session.client_sessions.items():
            client = receivers.get(internal_id)
            if client is None:
                continue
            named = client_session.notes.get(ISSUER_NOTE) or issuer
            if named is None:
                log.warning("back-channel logout not sent to client %s: its session has no issuer", client.client_id)
                continue
            token = logout_token(client, session, key, issuer=named, now=now, ids=ids)
            found.append(Delivery(client.client_id, client.attributes[URL_ATTRIBUTE], token))
    return found


async def _post(http: httpx.AsyncClient, item: Delivery, slots: asyncio.Semaphore) -> None:
    import httpx

    async with slots:
        try:
            response = await http.post(item.url, data={"logout_token": item.token})
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            log.warning("back-channel logout to client %s failed: %s", item.client_id, type(exc).__name__)
            return
    if response.status_code not in (200, 204):
        log.warning("back-channel logout to client %s: status %d", item.client_id, response.status_code)


async def deliver(http: httpx.AsyncClient, items: Sequence[Delivery]) -> None:
    """POST each logout token, a few at a time; each failure is logged."""
    slots = asyncio.Semaphore(PARALLEL_POSTS)
    await asyncio.gather(*(_post(http, item, slots) for item in items))
