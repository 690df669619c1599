"""The token endpoint: authenticate the client, then run the requested grant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from realmgate.protocol import device, events
from realmgate.protocol.client_auth import authenticate_client
from realmgate.protocol.errors import InvalidRequest, OAuthError, UnsupportedGrantType
from realmgate.protocol.grants import (
    GrantRequest,
    authorization_code,
    client_credentials,
    device_code,
    password,
    refresh_token,
)
from realmgate.protocol.params import optional
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.tokens import IssuedTokens
from realmgate.store.interface import Tx

GRANTS: Mapping[str, Callable[[GrantRequest], Awaitable[IssuedTokens]]] = {
    "authorization_code": authorization_code.grant,
    "refresh_token": refresh_token.grant,
    "password": password.grant,
    "client_credentials": client_credentials.grant,
    device.GRANT_TYPE: device_code.grant,
}


async def token_request(
    tx: Tx,
    config: RealmConfig,
    params: Mapping[str, str],
    *,
    authorization: str | None,
    issuer: str,
    now: int,
    ip_address: str | None,
) -> tuple[str, IssuedTokens]:
    """``(grant_type, tokens)``; every failure is an ``OAuthError``."""
    grant_type = optional(params, "grant_type")
    if grant_type is None:
        raise InvalidRequest("Missing form parameter: grant_type")
    handler = GRANTS.get(grant_type)
    client = authenticate_client(config, params, authorization)
    if handler is None:
        raise UnsupportedGrantType("Unsupported grant_type")
    request = GrantRequest(tx, config, client, params, issuer, now, ip_address)
    event_type = events.GRANT_EVENT[grant_type]
    try:
        issued = await handler(request)
    except OAuthError as error:
        await events.record(
            tx,
            config,
            f"{event_type}_ERROR",
            now=now,
            client_id=client.client_id,
            user_id=error.event_user_id,
            ip_address=ip_address,
            error=error.event_error or error.error,
            details={"grant_type": grant_type, "reason": error.description},
        )
        raise
    sid, sub = issued.access_claims.get("sid"), issued.access_claims.get("sub")
    await events.record(
        tx,
        config,
        event_type,
        now=now,
        client_id=client.client_id,
        user_id=sub if isinstance(sub, str) else None,
        session_id=sid if isinstance(sid, str) else None,
        ip_address=ip_address,
        details={"grant_type": grant_type, "scope": str(issued.response.get("scope", ""))},
    )
    return grant_type, issued
