"""User sessions (the SSO session) and client sessions: creation, expiry, ending.

Sessions live in the database so any instance can refresh, check or end them. A session is
over when its idle time (since the last refresh) or its maximum lifespan has passed; offline
sessions only know the offline idle timeout.

Every way a session ends goes through ``end_sessions``: browser and RP-initiated logout, the
adapters' ``POST logout``, revocation, the admin API (user logout, session delete, logout-all),
an upstream's back-channel logout, a login replacing another user's session, and expiry
(``end_expired_sessions``, run by every instance's housekeeping sweep).

Each client session remembers the issuer its client was given tokens under (Keycloak's client
session note ``iss``), so a logout token can name it even when no request is there to say it:
a sweep, or a login on another host name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from realmgate.crypto.secrets import Randomness
from realmgate.model.client import Client
from realmgate.model.realm import Realm
from realmgate.model.session import ClientSession, UserSession
from realmgate.model.user import User
from realmgate.protocol.logout_tokens import ISSUER_NOTE, Delivery, deliveries
from realmgate.store.interface import Tx

AUTH_TIME_NOTE = "AUTH_TIME"
IDP_NOTE = "identity_provider"
EXPIRED_BATCH = 500  # sessions ended per transaction by one sweep step


def session_expires_at(realm: Realm, session: UserSession) -> int:
    """When the session ends if nothing refreshes it (epoch seconds)."""
    if session.offline:
        return session.last_refresh + realm.offline_session_idle_timeout
    return min(
        session.last_refresh + realm.sso_session_idle_timeout,
        session.started + realm.sso_session_max_lifespan,
    )


def is_active(realm: Realm, session: UserSession, now: int) -> bool:
    return session.state == "ACTIVE" and now < session_expires_at(realm, session)


def auth_time(session: UserSession) -> int:
    note = session.notes.get(AUTH_TIME_NOTE)
    return int(note) if note and note.isdigit() else session.started


def new_session(
    realm: Realm, user: User, *, now: int, ids: Randomness, ip_address: str | None, offline: bool = False
) -> UserSession:
    return UserSession(
        id=ids.new_id(),
        realm_id=realm.id,
        user_id=user.id,
        login_username=user.username,
        started=now,
        last_refresh=now,
        ip_address=ip_address,
        offline=offline,
        notes={AUTH_TIME_NOTE: str(now)},
    )


def with_client(
    session: UserSession, client: Client, *, issuer: str, now: int, redirect_uri: str | None
) -> UserSession:
    """The session with a (new) client session for ``client``, which gets tokens from ``issuer``."""
    client_session = ClientSession(
        client_id=client.id, started=now, redirect_uri=redirect_uri, notes={ISSUER_NOTE: issuer}
    )
    return replace(session, client_sessions={**session.client_sessions, client.id: client_session})


async def active_session(tx: Tx, realm: Realm, session_id: str, now: int) -> UserSession | None:
    """The session if it exists and is still active. An expired one is left for the sweep
    (``end_expired_sessions``) to end, which tells its clients: a token request has no way to."""
    session = await tx.sessions.get(realm.id, session_id)
    if session is None or not is_active(realm, session, now):
        return None
    return session


async def end_sessions(
    tx: Tx, realm: Realm, session_ids: Iterable[str], *, issuer: str | None, now: int, ids: Randomness
) -> list[Delivery]:
    """End these sessions for every instance (missing ones are skipped) and return the
    back-channel logout tokens owed to their clients, to be posted once ``tx`` has committed.

    Each token names the issuer its client session recorded; ``issuer`` (the realm's URL as the
    ending request sees it) stands in for a client session older than that note."""
    ended = await tx.sessions.take(realm.id, list(dict.fromkeys(session_ids)))
    return await deliveries(tx, realm, ended, issuer=issuer, now=now, ids=ids)


async def end_expired_sessions(tx: Tx, now: int, ids: Randomness) -> tuple[int, list[Delivery]]:
    """End up to ``EXPIRED_BATCH`` expired sessions of any realm; return how many, and the
    logout tokens owed to their clients. Unlike Keycloak, whose expiry task drops sessions
    silently, the clients are told: a back-channel logout URL asks to hear of every end."""
    ended = await tx.sessions.take_expired(now, limit=EXPIRED_BATCH)
    by_realm: dict[str, list[UserSession]] = {}
    for session in ended:
        by_realm.setdefault(session.realm_id, []).append(session)
    found: list[Delivery] = []
    for realm_id, sessions in by_realm.items():
        realm = await tx.realms.get(realm_id)
        if realm is not None:
            found.extend(await deliveries(tx, realm, sessions, issuer=None, now=now, ids=ids))
    return len(ended), found


async def detach_client(tx: Tx, realm: Realm, session_id: str, client_internal_id: str) -> None:
    """Remove one client's session from a user session (its tokens stop working)."""
    session = await tx.sessions.get(realm.id, session_id, for_update=True)
    if session is None or client_internal_id not in session.client_sessions:
        return
    remaining = {k: v for k, v in session.client_sessions.items() if k != client_internal_id}
    await tx.sessions.update(replace(session, client_sessions=remaining))


def offline_copy(session: UserSession, client: Client, *, issuer: str, now: int, ids: Randomness) -> UserSession:
    """An offline session for ``client`` born from an online login (its own id: it outlives the
    SSO session and is only ended by revocation or the offline idle timeout)."""
    offline = replace(session, id=ids.new_id(), offline=True, started=now, last_refresh=now, client_sessions={})
    return with_client(offline, client, issuer=issuer, now=now, redirect_uri=None)
