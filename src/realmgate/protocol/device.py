"""The OAuth 2.0 Device Authorization Grant (RFC 8628) without HTTP.

A device asks for a ``device_code`` and a short ``user_code``; the user types the user code on
the realm's verification page, signs in there through the ordinary browser login (SSO,
brokering and required actions included), confirms, and the device's polling then gets tokens
for that session. Both codes live in ``tx.single_use`` (any instance may serve any step): the
device record under the hash of the device code, and a pointer to it under the user code. The
record outlives ``expires_in`` by a margin so a late poll learns ``expired_token`` rather than
``invalid_grant``. Only clients with the attribute ``oauth2.device.authorization.grant.enabled``
may start the flow, as in Keycloak.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, replace

from realmgate.crypto.secrets import Randomness
from realmgate.model.client import Client
from realmgate.protocol.client_auth import authenticate_client
from realmgate.protocol.errors import (
    AccessDenied,
    AuthorizationPending,
    ExpiredToken,
    InvalidGrant,
    SlowDown,
    UnauthorizedClient,
)
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.requests import DEVICE_CODE, DeviceAuthorizationRequest, EndpointCall
from realmgate.protocol.scopes import decide_scopes
from realmgate.store.interface import Tx

GRANT_TYPE = DEVICE_CODE
ENABLED_ATTRIBUTE = "oauth2.device.authorization.grant.enabled"
LIFESPAN_SETTING = "oauth2DeviceCodeLifespan"  # realm settings, Keycloak's names and defaults
INTERVAL_SETTING = "oauth2DevicePollingInterval"
DEFAULT_LIFESPAN = 600
DEFAULT_INTERVAL = 5
SLOW_DOWN_STEP = 5  # RFC 8628 §3.5: each slow_down adds 5 seconds to the interval
EXPIRED_MARGIN = 600
# Easy to read and type: no vowels (no words), no look-alike digits.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8

PENDING, APPROVED, DENIED = "pending", "approved", "denied"


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    client_id: str  # public client id
    scope: str
    user_code: str
    expires: int
    interval: int
    status: str = PENDING
    last_poll: int = 0
    session_id: str | None = None
    user_id: str | None = None
    confirm_token: str | None = None  # CSRF token of the confirmation form, once signed in


def _setting(config: RealmConfig, name: str, default: int) -> int:
    value = config.realm.extra_settings.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def enabled_for(client: Client) -> bool:
    return client.attributes.get(ENABLED_ATTRIBUTE, "false").lower() == "true"


def _device_key(device_code: str) -> str:
    return "device:" + hashlib.sha256(device_code.encode("utf-8")).hexdigest()


def _user_key(user_code: str) -> str:
    return "device-user:" + normalize_user_code(user_code)


def normalize_user_code(user_code: str) -> str:
    """What the user typed, as stored: case and separators do not matter."""
    return "".join(c for c in user_code.upper() if c.isalnum())


def _new_user_code() -> str:
    """Eight letters of ``USER_CODE_ALPHABET`` from the OS: no ``Randomness`` method draws from an
    alphabet of its own, and a user code is only a pointer to the injected device code."""
    code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))
    return f"{code[:4]}-{code[4:]}"


async def _save(tx: Tx, key: str, record: DeviceRecord) -> None:
    await tx.single_use.put(key, json.dumps(asdict(record)), record.expires + EXPIRED_MARGIN)


async def _load(tx: Tx, key: str, now: int) -> DeviceRecord | None:
    raw = await tx.single_use.get(key, now)
    return DeviceRecord(**json.loads(raw)) if raw is not None else None


@dataclass(frozen=True, slots=True)
class DeviceAuthorization:
    device_code: str
    user_code: str
    expires_in: int
    interval: int


async def start(
    tx: Tx, config: RealmConfig, request: DeviceAuthorizationRequest, call: EndpointCall
) -> DeviceAuthorization:
    """RFC 8628 §3.1-3.2: the device authorization request of an authenticated client."""
    client = authenticate_client(config, request.credentials, call.authorization)
    now, scope = call.now, request.scope
    if not enabled_for(client):
        raise UnauthorizedClient(
            "Client is not allowed to initiate OAuth 2.0 Device Authorization Grant. "
            "The flow is disabled for the client."
        )
    decide_scopes(config, client, scope)  # invalid_scope now rather than after the user's login
    lifespan = _setting(config, LIFESPAN_SETTING, DEFAULT_LIFESPAN)
    interval = _setting(config, INTERVAL_SETTING, DEFAULT_INTERVAL)
    device_code, user_code = call.ids.new_secret(32), _new_user_code()
    record = DeviceRecord(client.client_id, scope, user_code, now + lifespan, interval)
    await _save(tx, _device_key(device_code), record)
    await tx.single_use.put(_user_key(user_code), _device_key(device_code), now + lifespan)
    return DeviceAuthorization(device_code, user_code, lifespan, interval)


@dataclass(frozen=True, slots=True)
class PendingDevice:
    """A pending request found by its user code; ``handle`` names it in the login's state."""

    handle: str
    record: DeviceRecord


async def find_pending(tx: Tx, user_code: str, *, now: int) -> PendingDevice | None:
    """The pending, unexpired request the user code names, or None."""
    key = await tx.single_use.get(_user_key(user_code), now) if normalize_user_code(user_code) else None
    record = await _load(tx, key, now) if key is not None else None
    if key is None or record is None or record.status != PENDING or now >= record.expires:
        return None
    return PendingDevice(key.removeprefix("device:"), record)


async def signed_in(
    tx: Tx, handle: str, *, client_id: str, session_id: str, user_id: str, now: int, ids: Randomness
) -> PendingDevice | None:
    """The user has signed in for the request ``handle``: remember who, and hand out the token
    of the confirmation form. None when the request is gone, decided or another client's."""
    key = "device:" + handle
    record = await _load(tx, key, now)
    if record is None or record.status != PENDING or now >= record.expires or record.client_id != client_id:
        return None
    record = replace(record, session_id=session_id, user_id=user_id, confirm_token=ids.new_secret(24))
    await _save(tx, key, record)
    return PendingDevice(handle, record)


async def decide(
    tx: Tx, handle: str, *, token: str, session_id: str | None, approve: bool, now: int
) -> DeviceRecord | None:
    """The signed-in user's answer: only with the form's token, from the session that signed in.
    The user code is spent either way. None when nothing matched."""
    key = "device:" + handle
    record = await _load(tx, key, now)
    if (
        record is None
        or record.status != PENDING
        or now >= record.expires
        or record.confirm_token is None
        or not hmac.compare_digest(token.encode(), record.confirm_token.encode())
        or session_id is None
        or session_id != record.session_id
    ):
        return None
    record = replace(record, status=APPROVED if approve else DENIED, confirm_token=None)
    await _save(tx, key, record)
    await tx.single_use.delete(_user_key(record.user_code))
    return record


async def poll(tx: Tx, client: Client, device_code: str, *, now: int) -> DeviceRecord:
    """RFC 8628 §3.4-3.5: the approved record (consumed), or the polling error that applies."""
    key = _device_key(device_code)
    record = await _load(tx, key, now)
    if record is None or record.client_id != client.client_id:
        raise InvalidGrant("Device code not valid", detail="unknown device code or another client's")
    if now >= record.expires:
        await tx.single_use.delete(key)
        raise ExpiredToken("Device code is expired")
    if record.status == DENIED:
        await tx.single_use.delete(key)
        raise AccessDenied("The end user denied the authorization request")
    if record.status == APPROVED:
        if await tx.single_use.consume(key, now) is None:  # another poll got it first
            raise InvalidGrant("Device code not valid", detail="device code already redeemed")
        return record
    too_soon = record.last_poll and now - record.last_poll < record.interval
    interval = record.interval + SLOW_DOWN_STEP if too_soon else record.interval
    await _save(tx, key, replace(record, last_poll=now, interval=interval))
    if too_soon:
        raise SlowDown("Slow down")
    raise AuthorizationPending("The authorization request is still pending")
