"""Token revocation (RFC 7009).

A refresh token ends its client's session (an offline token its whole offline session); an
access token is remembered as revoked by ``jti`` until it expires. Unknown or invalid tokens
are answered with success, as the RFC requires; a token of another client is refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from realmgate.protocol.bearer import revoke_access_token
from realmgate.protocol.client_auth import authenticate_client
from realmgate.protocol.errors import InvalidRequest, UnauthorizedClient
from realmgate.protocol.keys import verify_own
from realmgate.protocol.params import optional
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.sessions import detach_client, end_session
from realmgate.protocol.tokens import BEARER, OFFLINE, REFRESH, read_token
from realmgate.store.interface import Tx


async def revoke(
    tx: Tx,
    config: RealmConfig,
    params: Mapping[str, str],
    *,
    authorization: str | None,
    issuer: str,
    now: int,
) -> None:
    client = authenticate_client(config, params, authorization)
    token = optional(params, "token")
    if token is None:
        raise InvalidRequest("Token not provided")
    symmetric = verify_own(config, token, symmetric=True) is not None
    claims = read_token(config, token, symmetric=symmetric, issuer=issuer, now=now)
    if claims is None:
        return
    if claims.get("azp") != client.client_id:
        raise UnauthorizedClient("Unmatching clients", detail="token issued to another client")
    typ, sid = claims.get("typ"), claims.get("sid")
    if typ == BEARER:
        await revoke_access_token(tx, claims, now=now)
    elif typ == OFFLINE and isinstance(sid, str):
        await end_session(tx, config.realm, sid)
    elif typ == REFRESH and isinstance(sid, str):
        await detach_client(tx, config.realm, sid, client.id)
