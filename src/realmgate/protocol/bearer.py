"""Checking an access token presented back to us (userinfo, introspection, revocation).

A token is good when its signature, issuer and expiry hold, it was not revoked (by ``jti``),
no "not before" push came after it, its user still exists and is enabled, and — when it has a
``sid`` — its user session is active and still holds the client's session (so logout, session
expiry and code replay all end it).
"""

from __future__ import annotations

from dataclasses import dataclass

from realmgate.model.client import Client
from realmgate.model.session import UserSession
from realmgate.model.user import User
from realmgate.protocol.mappers import Claims
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.sessions import active_session
from realmgate.protocol.tokens import BEARER, not_before_ok, read_token
from realmgate.store.interface import Tx


@dataclass(frozen=True, slots=True)
class ValidToken:
    claims: Claims
    user: User
    client: Client | None
    session: UserSession | None


def _revoked_key(jti: str) -> str:
    return f"revoked-token:{jti}"


async def revoke_access_token(tx: Tx, claims: Claims, *, now: int) -> None:
    """Remember a revoked access token until it would have expired anyway."""
    jti, exp = claims.get("jti"), claims.get("exp")
    if isinstance(jti, str) and isinstance(exp, int):
        await revoke_jti(tx, jti, exp, now=now)


async def revoke_jti(tx: Tx, jti: str, exp: int, *, now: int) -> None:
    if exp > now:
        await tx.single_use.put(_revoked_key(jti), "1", exp)


async def is_revoked(tx: Tx, jti: str, *, now: int) -> bool:
    return await tx.single_use.get(_revoked_key(jti), now) is not None


async def validate_access_token(tx: Tx, config: RealmConfig, token: str, *, issuer: str, now: int) -> ValidToken | None:
    claims = read_token(config, token, symmetric=False, issuer=issuer, now=now)
    if claims is None or claims.get("typ") != BEARER:
        return None
    jti, sub, sid, azp = claims.get("jti"), claims.get("sub"), claims.get("sid"), claims.get("azp")
    if not isinstance(jti, str) or not isinstance(sub, str):
        return None
    if await is_revoked(tx, jti, now=now):
        return None
    user = await tx.users.get(config.realm.id, sub)
    client = config.clients.get(azp) if isinstance(azp, str) else None
    if user is None or not user.enabled or (client is not None and not client.enabled):
        return None
    if not not_before_ok(config, client, user, claims):
        return None
    session = None
    if isinstance(sid, str):
        session = await active_session(tx, config.realm, sid, now)
        if session is None or client is None or client.id not in session.client_sessions:
            return None
    return ValidToken(claims, user, client, session)
