"""User sessions as the admin API shows them, and ending them.

UserSessionRepresentation: ``id``, ``username``, ``userId``, ``ipAddress``, ``start`` and
``lastAccess`` in milliseconds, ``rememberMe``, ``clients`` (internal id -> clientId),
``transientUser``.

Ending sessions goes through ``protocol.sessions.end_sessions``, so the clients that registered
a ``backchannel.logout.url`` are told, after the commit (``call.after_commit``). Unlike Keycloak,
whose logout-all only pushes a logout to clients' admin URLs, logout-all here sends every
session's clients their logout tokens.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from realmgate.admin import lookup
from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError
from realmgate.model.realm import Realm
from realmgate.model.session import UserSession
from realmgate.protocol.discovery import realm_url
from realmgate.protocol.sessions import end_sessions
from realmgate.store.interface import Tx


async def session_reps(tx: Tx, realm_id: str, sessions: Iterable[UserSession]) -> list[dict[str, Any]]:
    names: dict[str, str] = {}
    out = []
    for session in sessions:
        clients: dict[str, str] = {}
        for internal_id in session.client_sessions:
            if internal_id not in names:
                client = await tx.clients.get(realm_id, internal_id)
                names[internal_id] = client.client_id if client else internal_id
            clients[internal_id] = names[internal_id]
        out.append(
            {
                "id": session.id,
                "username": session.login_username,
                "userId": session.user_id,
                "ipAddress": session.ip_address or "",
                "start": session.started * 1000,
                "lastAccess": session.last_refresh * 1000,
                "rememberMe": session.remember_me,
                "clients": clients,
                "transientUser": False,
            }
        )
    return out


async def user_sessions(call: AdminCall) -> object:
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    sessions = [s for s in await call.tx.sessions.list_for_user(call.realm.id, user.id) if not s.offline]
    return await session_reps(call.tx, call.realm.id, sessions)


async def client_user_sessions(call: AdminCall) -> object:
    client = await lookup.client(call.tx, call.realm, call.path["id"])
    first, maximum = call.page()
    sessions = await call.tx.sessions.list_for_client(call.realm.id, client.id, first=first, max=maximum)
    return await session_reps(call.tx, call.realm.id, [s for s in sessions if not s.offline])


async def _client_sessions(call: AdminCall, *, offline: bool) -> list[UserSession]:
    client = await lookup.client(call.tx, call.realm, call.path["id"])
    sessions = await call.tx.sessions.list_for_client(call.realm.id, client.id, max=None)
    return [s for s in sessions if s.offline == offline]


async def client_offline_sessions(call: AdminCall) -> object:
    """``/clients/{id}/offline-sessions``: the sessions holding this client's offline tokens."""
    first, maximum = call.page()
    sessions = await _client_sessions(call, offline=True)
    return await session_reps(call.tx, call.realm.id, sessions[first : None if maximum is None else first + maximum])


async def client_session_count(call: AdminCall) -> object:
    return {"count": len(await _client_sessions(call, offline=False))}


async def client_offline_session_count(call: AdminCall) -> object:
    return {"count": len(await _client_sessions(call, offline=True))}


async def user_offline_sessions(call: AdminCall) -> object:
    """``/users/{id}/offline-sessions/{client}``: the user's offline sessions with that client
    (internal id; an unknown one is Keycloak's 404 ``Client not found``)."""
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    client = await call.tx.clients.get(call.realm.id, call.path["client"])
    if client is None:
        raise AdminError.not_found("Client not found")
    sessions = await call.tx.sessions.list_for_user(call.realm.id, user.id)
    offline = [s for s in sessions if s.offline and client.id in s.client_sessions]
    return await session_reps(call.tx, call.realm.id, offline)


LOGOUT_ALL_PAGE = 200


async def _end(call: AdminCall, realm: Realm, session_ids: Sequence[str]) -> None:
    issuer = realm_url(call.frontend_base, realm.name)
    call.after_commit.extend(await end_sessions(call.tx, realm, session_ids, issuer=issuer, now=call.now, ids=call.ids))


async def logout_user(call: AdminCall) -> None:
    """End every session of the user and refuse its older tokens (``notBefore`` = now)."""
    tx, realm = call.tx, call.realm
    user = await lookup.user(tx, realm, call.path["id"], for_update=True)
    await _end(call, realm, [s.id for s in await tx.sessions.list_for_user(realm.id, user.id)])
    await tx.users.update(replace(user, not_before=call.now))


async def delete_session(call: AdminCall) -> None:
    session = await call.tx.sessions.get(call.realm.id, call.path["session"])
    if session is None:
        raise AdminError.not_found("Sesssion not found")
    await _end(call, call.realm, [session.id])


async def logout_all(call: AdminCall) -> object:
    """End all sessions of the realm and refuse tokens issued before now.

    Sessions are ended a page at a time within the call's transaction; the logout tokens
    (about a kilobyte per client session with a back-channel URL) are held until the commit."""
    tx = call.tx
    realm = await tx.realms.get(call.realm.id, for_update=True)
    if realm is None:
        raise AdminError.not_found("Realm not found.")
    after = ""
    while page := await tx.sessions.list_for_realm(realm.id, after=after, limit=LOGOUT_ALL_PAGE):
        await _end(call, realm, [s.id for s in page])
        after = page[-1].id
    await tx.realms.update(replace(realm, not_before=call.now))
    return {"type": "GlobalRequestResult", "successRequests": [], "failedRequests": []}


async def push_revocation(call: AdminCall) -> object:
    """Keycloak pushes the realm's not-before to each client's admin URL and answers which pushes
    failed. realmgate has no adapter push, so every client with an admin URL is a failed request
    (and with none, as in Keycloak, there is nothing to push)."""
    urls = [c.admin_url for c in await call.tx.clients.list(call.realm.id) if c.admin_url]
    return {"type": "GlobalRequestResult", "successRequests": [], "failedRequests": urls}


async def client_session_stats(call: AdminCall) -> object:
    counts = await call.tx.sessions.count_by_client(call.realm.id)
    out = []
    for internal_id, active in sorted(counts.items()):
        client = await call.tx.clients.get(call.realm.id, internal_id)
        if client is not None and active:
            out.append({"id": client.id, "clientId": client.client_id, "active": str(active), "offline": "0"})
    return out
