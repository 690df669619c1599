"""The token endpoint: authenticate the client, then run the requested grant (its request
parsed by ``requests.parse_token_request``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from realmgate.protocol import events, requests
from realmgate.protocol.client_auth import authenticate_client
from realmgate.protocol.errors import OAuthError, UnsupportedGrantType
from realmgate.protocol.grants import (
    GrantRequest,
    authorization_code,
    client_credentials,
    device_code,
    password,
    refresh_token,
)
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.requests import EndpointCall, TokenRequest
from realmgate.protocol.tokens import IssuedTokens
from realmgate.store.interface import Tx

GRANTS: Mapping[str, Callable[[GrantRequest], Awaitable[IssuedTokens]]] = {
    requests.AUTHORIZATION_CODE: authorization_code.grant,
    requests.REFRESH_TOKEN: refresh_token.grant,
    requests.PASSWORD: password.grant,
    requests.CLIENT_CREDENTIALS: client_credentials.grant,
    requests.DEVICE_CODE: device_code.grant,
}


async def token_request(
    tx: Tx,
    config: RealmConfig,
    request: TokenRequest,
    call: EndpointCall,
) -> tuple[str, IssuedTokens]:
    """``(grant_type, tokens)``; every failure is an ``OAuthError``."""
    grant_type, now, ids, ip_address = request.grant_type, call.now, call.ids, call.ip_address
    handler = GRANTS.get(grant_type)
    client = authenticate_client(config, request.credentials, call.authorization)
    if handler is None:
        raise UnsupportedGrantType("Unsupported grant_type")
    event_type = events.GRANT_EVENT[grant_type]
    try:
        issued = await handler(GrantRequest(tx, config, client, request, call))
    except OAuthError as error:
        await events.record(
            tx,
            config,
            f"{event_type}_ERROR",
            now=now,
            ids=ids,
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
        ids=ids,
        client_id=client.client_id,
        user_id=sub if isinstance(sub, str) else None,
        session_id=sid if isinstance(sid, str) else None,
        ip_address=ip_address,
        details={"grant_type": grant_type, "scope": str(issued.response.get("scope", ""))},
    )
    return grant_type, issued
