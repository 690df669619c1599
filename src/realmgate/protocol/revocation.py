"""Token revocation (RFC 7009).

A refresh token ends its client's session, and the user session with it when no other client
is left in it (as Keycloak); an offline token ends its whole offline session; an access token
is remembered as revoked by ``jti`` until it expires. A session that ends this way is ended like
any other: its clients (the revoking one included) are owed back-channel logout tokens, which
the caller posts after the commit. Unknown or invalid tokens are answered with success, as the
RFC requires; a token of another client is refused.
"""

from __future__ import annotations

from realmgate.crypto.secrets import Randomness
from realmgate.model.client import Client
from realmgate.protocol.bearer import revoke_access_token
from realmgate.protocol.client_auth import authenticate_client
from realmgate.protocol.errors import InvalidRequest, UnauthorizedClient
from realmgate.protocol.keys import verify_own
from realmgate.protocol.logout_tokens import Delivery
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.requests import EndpointCall, TokenQuery
from realmgate.protocol.sessions import detach_client, end_sessions
from realmgate.protocol.tokens import BEARER, OFFLINE, REFRESH, read_token
from realmgate.store.interface import Tx


async def revoke(tx: Tx, config: RealmConfig, request: TokenQuery, call: EndpointCall) -> list[Delivery]:
    client = authenticate_client(config, request.credentials, call.authorization)
    token, issuer, now = request.token, call.issuer, call.now
    if token is None:
        raise InvalidRequest("Token not provided")
    symmetric = verify_own(config, token, symmetric=True) is not None
    claims = read_token(config, token, symmetric=symmetric, issuer=issuer, now=now)
    if claims is None:
        return []
    if claims.get("azp") != client.client_id:
        raise UnauthorizedClient("Unmatching clients", detail="token issued to another client")
    typ, sid = claims.get("typ"), claims.get("sid")
    if typ == BEARER:
        await revoke_access_token(tx, claims, now=now)
    elif typ == OFFLINE and isinstance(sid, str):
        return await end_sessions(tx, config.realm, [sid], issuer=issuer, now=now, ids=call.ids)
    elif typ == REFRESH and isinstance(sid, str):
        return await _revoke_refresh(tx, config, client, sid, issuer=issuer, now=now, ids=call.ids)
    return []


async def _revoke_refresh(
    tx: Tx, config: RealmConfig, client: Client, sid: str, *, issuer: str, now: int, ids: Randomness
) -> list[Delivery]:
    """Detach the client from the session; a session it was the last client of ends."""
    session = await tx.sessions.get(config.realm.id, sid, for_update=True)
    if session is None or client.id not in session.client_sessions:
        return []
    if set(session.client_sessions) == {client.id}:
        return await end_sessions(tx, config.realm, [sid], issuer=issuer, now=now, ids=ids)
    await detach_client(tx, config.realm, sid, client.id)
    return []
