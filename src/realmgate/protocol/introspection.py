"""Token introspection (RFC 7662): ``active:false`` for anything not currently valid.

The caller must be an authenticated client. Access tokens are answered with the claims the
introspection mappers produce plus the token's own registered claims; refresh tokens with their
claims when their session is still active.
"""

from __future__ import annotations

from realmgate.protocol.bearer import validate_access_token
from realmgate.protocol.claims import mapped_claims, mapping_context
from realmgate.protocol.client_auth import authenticate_client
from realmgate.protocol.errors import InvalidClient
from realmgate.protocol.mappers import Claims, TokenKind
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.requests import EndpointCall, TokenQuery
from realmgate.protocol.scopes import decide_scopes
from realmgate.protocol.sessions import active_session
from realmgate.protocol.tokens import read_refresh_token
from realmgate.store.interface import Tx

INACTIVE: Claims = {"active": False}


async def _refresh_claims(tx: Tx, config: RealmConfig, token: str, *, issuer: str, now: int) -> Claims:
    claims = read_refresh_token(config, token, issuer=issuer, now=now)
    if claims is None:
        return INACTIVE
    sid = claims.get("sid")
    if not isinstance(sid, str) or await active_session(tx, config.realm, sid, now) is None:
        return INACTIVE
    return {**claims, "client_id": claims.get("azp"), "active": True}


async def introspect(tx: Tx, config: RealmConfig, request: TokenQuery, call: EndpointCall) -> Claims:
    caller = authenticate_client(config, request.credentials, call.authorization)
    if caller.public_client:
        raise InvalidClient("Public client is not permitted to invoke introspection endpoint")
    token, issuer, now = request.token, call.issuer, call.now
    if token is None:
        return INACTIVE
    if request.token_type_hint == "refresh_token":
        return await _refresh_claims(tx, config, token, issuer=issuer, now=now)
    valid = await validate_access_token(tx, config, token, issuer=issuer, now=now)
    if valid is None:
        return await _refresh_claims(tx, config, token, issuer=issuer, now=now)
    result: Claims = dict(valid.claims)
    if valid.client is not None:
        scope = valid.claims.get("scope")
        decision = decide_scopes(config, valid.client, scope if isinstance(scope, str) else "")
        notes = valid.session.notes if valid.session is not None else {}
        ctx = await mapping_context(tx, config, valid.client, valid.user, decision, session_notes=notes)
        result.update(mapped_claims(ctx, decision, TokenKind.INTROSPECTION))
        result.setdefault("username", valid.user.username)
    result.update({"client_id": valid.claims.get("azp"), "token_type": "Bearer", "active": True})
    return result
