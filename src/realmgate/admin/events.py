"""Login events and admin events: listing, clearing, the ``events/config`` switch, and the
recording of admin events after each successful write (when the realm turned them on).

Keycloak's JSON: an event has ``time`` (ms), ``type``, ``realmId``, ``clientId``, ``userId``,
``sessionId``, ``ipAddress``, ``error``, ``details``; an admin event has ``time``, ``realmId``,
``authDetails`` {realmId, clientId, userId, ipAddress}, ``operationType``, ``resourceType``,
``resourcePath``, ``representation`` (only with details enabled), ``error``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from realmgate.admin.call import AdminCall, Created, Operation
from realmgate.admin.errors import AdminError, realm_not_found
from realmgate.admin.schema import ANY_OBJECT, BOOL, INT, STR, Schema, arr, as_object, obj, validate
from realmgate.model.events import AdminEvent, Event
from realmgate.store.interface import EventQuery

EVENT_TYPES: tuple[str, ...] = (
    "LOGIN",
    "LOGIN_ERROR",
    "LOGOUT",
    "LOGOUT_ERROR",
    "CODE_TO_TOKEN",
    "CODE_TO_TOKEN_ERROR",
    "REFRESH_TOKEN",
    "REFRESH_TOKEN_ERROR",
    "CLIENT_LOGIN",
    "CLIENT_LOGIN_ERROR",
    "INTROSPECT_TOKEN",
    "INTROSPECT_TOKEN_ERROR",
    "REVOKE_GRANT",
    "USER_INFO_REQUEST",
    "USER_INFO_REQUEST_ERROR",
    "TOKEN_EXCHANGE",
    "IDENTITY_PROVIDER_LOGIN",
    "IDENTITY_PROVIDER_LOGIN_ERROR",
    "IDENTITY_PROVIDER_FIRST_LOGIN",
    "IDENTITY_PROVIDER_LINK_ACCOUNT",
    "FEDERATED_IDENTITY_LINK",
    "REGISTER",
    "UPDATE_PASSWORD",
    "UPDATE_CREDENTIAL",
    "OAUTH2_DEVICE_CODE_TO_TOKEN",
    "OAUTH2_DEVICE_CODE_TO_TOKEN_ERROR",
)

EVENTS_CONFIG: Schema = obj(
    "RealmEventsConfigRepresentation",
    {
        "eventsEnabled": BOOL,
        "eventsExpiration": INT,
        "eventsListeners": arr(STR),
        "enabledEventTypes": arr(STR),
        "adminEventsEnabled": BOOL,
        "adminEventsDetailsEnabled": BOOL,
    },
)
EVENT: Schema = obj(
    "EventRepresentation",
    {
        "id": STR,
        "time": INT,
        "type": STR,
        "realmId": STR,
        "clientId": STR,
        "userId": STR,
        "sessionId": STR,
        "ipAddress": STR,
        "error": STR,
        "details": ANY_OBJECT,
    },
    closed=False,
)
ADMIN_EVENT: Schema = obj(
    "AdminEventRepresentation",
    {
        "id": STR,
        "time": INT,
        "realmId": STR,
        "authDetails": ANY_OBJECT,
        "operationType": STR,
        "resourceType": STR,
        "resourcePath": STR,
        "representation": STR,
        "error": STR,
    },
    closed=False,
)


def _drop_none(rep: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rep.items() if v is not None}


def event_to_rep(event: Event) -> dict[str, Any]:
    return _drop_none(
        {
            "id": event.id,
            "time": event.time,
            "type": event.type,
            "realmId": event.realm_id,
            "clientId": event.client_id,
            "userId": event.user_id,
            "sessionId": event.session_id,
            "ipAddress": event.ip_address,
            "error": event.error,
            "details": dict(event.details) or None,
        }
    )


def admin_event_to_rep(event: AdminEvent) -> dict[str, Any]:
    return _drop_none(
        {
            "id": event.id,
            "time": event.time,
            "realmId": event.realm_id,
            "authDetails": _drop_none(
                {
                    "realmId": event.auth_realm_id,
                    "clientId": event.auth_client_id,
                    "userId": event.auth_user_id,
                    "ipAddress": event.ip_address,
                }
            ),
            "operationType": event.operation_type,
            "resourceType": event.resource_type,
            "resourcePath": event.resource_path,
            "representation": event.representation,
            "error": event.error,
        }
    )


async def record_admin_event(call: AdminCall, op: Operation, result: object, url_path: str) -> None:
    """Record the write ``op`` just made, if the realm records admin events."""
    realm = call.realm
    if not realm.admin_events_enabled or op.resource_type is None:
        return
    prefix = f"/admin/realms/{realm.name}"
    resource_path = url_path[len(prefix) :].strip("/") if url_path.startswith(prefix) else ""
    operation = {"PUT": "UPDATE", "DELETE": "DELETE"}.get(op.method, "ACTION")
    if isinstance(result, Created):
        operation = "CREATE"
        resource_path = f"{resource_path}/{result.id}".strip("/")
    representation = None
    if realm.admin_events_details_enabled and call.body is not None:
        representation = json.dumps(_without_secrets(call.body), separators=(",", ":"))
    await call.tx.events.add_admin(
        AdminEvent(
            id=call.ids.new_id(),
            realm_id=realm.id,
            time=call.now * 1000,
            operation_type=operation,
            resource_type=op.resource_type,
            resource_path=resource_path or realm.name,
            auth_realm_id=call.who.realm.id,
            auth_client_id=call.who.client_id,
            auth_user_id=call.who.user.id,
            ip_address=call.ip_address,
            representation=representation,
        )
    )


def _without_secrets(body: object) -> object:
    """Passwords and secrets never reach the event log."""
    if isinstance(body, dict):
        return {
            k: ("**********" if k in ("value", "secret", "password", "clientSecret") else _without_secrets(v))
            for k, v in body.items()
        }
    if isinstance(body, list):
        return [_without_secrets(v) for v in body]
    return body


async def list_events(call: AdminCall) -> object:
    first, maximum = call.page()
    types = tuple(t for t in (call.str_arg("type") or "").split(",") if t)
    query = EventQuery(
        types=types,
        client_id=call.str_arg("client"),
        user_id=call.str_arg("user"),
        date_from=_date_ms(call.str_arg("dateFrom"), end=False),
        date_to=_date_ms(call.str_arg("dateTo"), end=True),
        first=first,
        max=maximum,
    )
    return [event_to_rep(e) for e in await call.tx.events.list(call.realm.id, query)]


def _date_ms(value: str | None, *, end: bool) -> int | None:
    """Keycloak takes ``yyyy-MM-dd`` (whole days) or epoch milliseconds."""
    if value is None:
        return None
    if value.isdigit() and len(value) <= 15:  # epoch milliseconds, up to year 33658
        return int(value)
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise AdminError.bad_request("Invalid value for 'Date(From|To)', expected format is yyyy-MM-dd") from None
    if end:
        day += timedelta(days=1)
        return int(day.timestamp() * 1000) - 1
    return int(day.timestamp() * 1000)


async def list_admin_events(call: AdminCall) -> object:
    first, maximum = call.page()
    events = await call.tx.events.list_admin(call.realm.id, first, maximum)
    return [admin_event_to_rep(e) for e in events]


async def clear_events(call: AdminCall) -> None:
    await call.tx.events.clear(call.realm.id)


async def clear_admin_events(call: AdminCall) -> None:
    await call.tx.events.clear_admin(call.realm.id)


async def get_events_config(call: AdminCall) -> object:
    realm = call.realm
    return _drop_none(
        {
            "eventsEnabled": realm.events_enabled,
            "eventsExpiration": realm.events_expiration,
            "eventsListeners": ["jboss-logging"],
            "enabledEventTypes": list(realm.enabled_event_types or EVENT_TYPES),
            "adminEventsEnabled": realm.admin_events_enabled,
            "adminEventsDetailsEnabled": realm.admin_events_details_enabled,
        }
    )


async def put_events_config(call: AdminCall) -> None:
    validate(call.body, EVENTS_CONFIG)
    body = as_object(call.body)
    realm = await call.tx.realms.get(call.realm.id, for_update=True)
    if realm is None:
        raise realm_not_found()
    changes: dict[str, Any] = {}
    for field_name, key in (
        ("events_enabled", "eventsEnabled"),
        ("admin_events_enabled", "adminEventsEnabled"),
        ("admin_events_details_enabled", "adminEventsDetailsEnabled"),
        ("events_expiration", "eventsExpiration"),
    ):
        if body.get(key) is not None:
            changes[field_name] = body[key]
    if body.get("enabledEventTypes") is not None:
        changes["enabled_event_types"] = tuple(body["enabledEventTypes"])
    updated = replace(realm, **changes)
    await call.tx.realms.update(updated)
    call.target = updated
