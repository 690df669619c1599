"""User sessions as the admin API shows them, and ending them.

UserSessionRepresentation: ``id``, ``username``, ``userId``, ``ipAddress``, ``start`` and
``lastAccess`` in milliseconds, ``rememberMe``, ``clients`` (internal id -> clientId),
``transientUser``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from realmgate.admin import lookup
from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError
from realmgate.model.session import UserSession
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


async def logout_user(call: AdminCall) -> None:
    """End every session of the user and refuse its older tokens (``notBefore`` = now)."""
    tx, realm = call.tx, call.realm
    user = await lookup.user(tx, realm, call.path["id"], for_update=True)
    for session in await tx.sessions.list_for_user(realm.id, user.id):
        await tx.sessions.delete(realm.id, session.id)
    await tx.users.update(replace(user, not_before=call.now))


async def delete_session(call: AdminCall) -> None:
    session = await call.tx.sessions.get(call.realm.id, call.path["session"])
    if session is None:
        raise AdminError.not_found("Sesssion not found")
    await call.tx.sessions.delete(call.realm.id, session.id)


async def logout_all(call: AdminCall) -> object:
    """End all sessions of the realm and refuse tokens issued before now."""
    tx = call.tx
    realm = await tx.realms.get(call.realm.id, for_update=True)
    if realm is None:
        raise AdminError.not_found("Realm not found.")
    await tx.sessions.delete_for_realm(realm.id)
    await tx.realms.update(replace(realm, not_before=call.now))
    return {"type": "GlobalRequestResult", "successRequests": [], "failedRequests": []}


async def client_session_stats(call: AdminCall) -> object:
    counts = await call.tx.sessions.count_by_client(call.realm.id)
    out = []
    for internal_id, active in sorted(counts.items()):
        client = await call.tx.clients.get(call.realm.id, internal_id)
        if client is not None and active:
            out.append({"id": client.id, "clientId": client.client_id, "active": str(active), "offline": "0"})
    return out
