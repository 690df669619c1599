"""Login events (Keycloak's "user events"), recorded only when the realm switches them on.

Types follow Keycloak: LOGIN, LOGIN_ERROR, CODE_TO_TOKEN(_ERROR), REFRESH_TOKEN(_ERROR),
CLIENT_LOGIN(_ERROR), LOGOUT, REVOKE_GRANT, INTROSPECT_TOKEN. A realm with events off costs
nothing here (no write on the hot path); an empty ``enabledEventTypes`` means all types.
"""

from __future__ import annotations

from collections.abc import Mapping

from realmgate.crypto.secrets import Randomness
from realmgate.model.events import Event
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx

GRANT_EVENT = {
    "password": "LOGIN",
    "authorization_code": "CODE_TO_TOKEN",
    "refresh_token": "REFRESH_TOKEN",
    "client_credentials": "CLIENT_LOGIN",
    "urn:ietf:params:oauth:grant-type:device_code": "OAUTH2_DEVICE_CODE_TO_TOKEN",
}


def wanted(config: RealmConfig, event_type: str) -> bool:
    realm = config.realm
    return realm.events_enabled and (not realm.enabled_event_types or event_type in realm.enabled_event_types)


async def record(
    tx: Tx,
    config: RealmConfig,
    event_type: str,
    *,
    now: int,
    ids: Randomness,
    client_id: str | None = None,
    user_id: str | None = None,
    session_id: str | None = None,
    ip_address: str | None = None,
    error: str | None = None,
    details: Mapping[str, str] | None = None,
) -> None:
    if not wanted(config, event_type):
        return
    await tx.events.add(
        Event(
            id=ids.new_id(),
            realm_id=config.realm.id,
            time=now * 1000,
            type=event_type,
            client_id=client_id,
            user_id=user_id,
            session_id=session_id,
            ip_address=ip_address,
            error=error,
            details=dict(details or {}),
        )
    )
