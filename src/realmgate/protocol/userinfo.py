"""The UserInfo endpoint (OIDC Core §5.3): claims about the token's user, by userinfo mappers."""

from __future__ import annotations

from dataclasses import dataclass

from realmgate.protocol.bearer import validate_access_token
from realmgate.protocol.claims import mapped_claims, mapping_context
from realmgate.protocol.errors import InvalidToken
from realmgate.protocol.mappers import Claims, TokenKind
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.scopes import decide_scopes
from realmgate.store.interface import Tx


@dataclass(frozen=True, slots=True)
class UserInfo:
    claims: Claims
    client_id: str  # the token's client, whose web origins govern CORS


async def userinfo(tx: Tx, config: RealmConfig, token: str | None, *, issuer: str, now: int) -> UserInfo:
    if not token:
        raise InvalidToken("Token not provided")
    valid = await validate_access_token(tx, config, token, issuer=issuer, now=now)
    if valid is None or valid.client is None:
        raise InvalidToken("Token verification failed")
    scope = valid.claims.get("scope")
    decision = decide_scopes(config, valid.client, scope if isinstance(scope, str) else "")
    notes = valid.session.notes if valid.session is not None else {}
    ctx = await mapping_context(tx, config, valid.client, valid.user, decision, session_notes=notes)
    claims: Claims = {"sub": valid.user.id}
    claims.update(mapped_claims(ctx, decision, TokenKind.USERINFO))
    claims["sub"] = valid.user.id
    return UserInfo(claims, valid.client.client_id)
