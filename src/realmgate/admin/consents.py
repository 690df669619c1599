"""``/users/{id}/consents``: what the user has granted to clients, and revoking it.

realmgate stores no consent screens' answers, so a user's consents are the clients holding one
of the user's offline sessions: each is listed as Keycloak lists a client with an offline token
and no stored consent (no granted scopes, an ``Offline Token`` additional grant). Revoking ends
those offline sessions, so their refresh tokens stop working.
"""

from __future__ import annotations

from typing import Any

from realmgate.admin import lookup
from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError
from realmgate.model.session import UserSession


async def _offline_sessions(call: AdminCall, user_id: str) -> list[UserSession]:
    return [s for s in await call.tx.sessions.list_for_user(call.realm.id, user_id) if s.offline]


async def list_consents(call: AdminCall) -> object:
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    internal_ids = dict.fromkeys(i for s in await _offline_sessions(call, user.id) for i in s.client_sessions)
    out: list[dict[str, Any]] = []
    for internal_id in internal_ids:
        client = await call.tx.clients.get(call.realm.id, internal_id)
        if client is None:
            continue
        out.append(
            {
                "clientId": client.client_id,
                "grantedClientScopes": [],
                "createdDate": None,
                "lastUpdatedDate": None,
                "additionalGrants": [{"client": client.id, "key": "Offline Token"}],
            }
        )
    return out


async def revoke_consent(call: AdminCall) -> None:
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    client = await call.tx.clients.get_by_client_id(call.realm.id, call.path["client"])
    if client is None:
        raise AdminError.not_found("Client not found")
    held = [s for s in await _offline_sessions(call, user.id) if client.id in s.client_sessions]
    if not held:
        raise AdminError.not_found("Consent nor offline token not found")
    for session in held:
        await call.tx.sessions.delete(call.realm.id, session.id)
