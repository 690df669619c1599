"""Issuing access, ID and refresh tokens, and reading them back.

Access tokens carry Keycloak's claims (``exp iat auth_time jti iss aud sub typ azp sid acr
allowed-origins realm_access resource_access scope`` and the profile claims), produced by the
protocol mappers. ID tokens are for the client itself (``aud`` = client id) with ``nonce`` and
``at_hash``. Refresh tokens are HS512 JWTs of ``typ`` ``Refresh`` (``Offline`` for offline
access) that only this server reads.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass

from realmgate.crypto import jws
from realmgate.crypto.algorithms import token_hash_name
from realmgate.crypto.secrets import Randomness
from realmgate.model.client import Client
from realmgate.model.session import UserSession
from realmgate.model.user import User
from realmgate.protocol import keys
from realmgate.protocol.claims import mapped_claims, mapping_context
from realmgate.protocol.errors import InvalidScope
from realmgate.protocol.mappers import Claims, TokenKind
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.scopes import ScopeDecision
from realmgate.protocol.sessions import auth_time, session_expires_at
from realmgate.store.interface import Tx

log = logging.getLogger("realmgate.oidc")

BEARER = "Bearer"
REFRESH = "Refresh"
OFFLINE = "Offline"
ID = "ID"
OFFLINE_ROLE = "offline_access"


@dataclass(frozen=True, slots=True)
class Grant:
    """What a grant decided: tokens for ``user`` at ``client`` with these scopes."""

    client: Client
    user: User
    decision: ScopeDecision
    session: UserSession | None  # None for client_credentials (no session is written)
    nonce: str | None = None
    fresh_login: bool = True
    refresh: bool = True  # issue a refresh token
    extra_notes: tuple[tuple[str, str], ...] = ()
    implicit: bool = False  # front-channel tokens: the realm's implicit-flow access lifespan
    code: str | None = None  # the code issued alongside (hybrid flow): the ID token gets c_hash
    at_hash: bool = True  # False when the access token is not handed out with the ID token


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    response: dict[str, object]
    access_claims: Claims
    token_ids: list[tuple[str, int]]  # (jti, exp) of the access and refresh tokens
    key_created: bool  # a signing key was created (or found uncached): the realm cache must be refreshed


def access_lifespan(config: RealmConfig, client: Client, *, implicit: bool = False) -> int:
    if implicit:
        return config.realm.access_token_lifespan_for_implicit_flow
    override = client.attributes.get("access.token.lifespan", "")
    return int(override) if override.isdigit() and int(override) > 0 else config.realm.access_token_lifespan


def at_hash(access_token: str, algorithm: str) -> str:
    """OIDC Core §3.1.3.6: left half of the token's hash with the hash of the ID token's
    ``algorithm`` (SHA-256 for RS256, SHA-384 for PS384, SHA-512 for EdDSA...)."""
    digest = hashlib.new(token_hash_name(algorithm), access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def _session_notes(grant: Grant) -> dict[str, str]:
    notes = dict(grant.session.notes) if grant.session is not None else {}
    notes.update(grant.extra_notes)
    return notes


async def ensure_offline_allowed(tx: Tx, config: RealmConfig, grant: Grant) -> None:
    """Offline tokens need the ``offline_access`` role among the token's (scoped) roles."""
    ctx = await mapping_context(tx, config, grant.client, grant.user, grant.decision, session_notes={})
    if not any(config.roles[r].name == OFFLINE_ROLE and config.roles[r].client_id is None for r in ctx.role_ids):
        raise InvalidScope("Offline tokens not allowed for the user or client")


async def issue_tokens(
    tx: Tx, config: RealmConfig, grant: Grant, *, issuer: str, now: int, ids: Randomness
) -> IssuedTokens:
    """The response of a token request for ``grant``; each token's ``jti`` comes from ``ids``."""
    client, session = grant.client, grant.session
    ctx = await mapping_context(
        tx,
        config,
        client,
        grant.user,
        grant.decision,
        session_notes=_session_notes(grant),
        fresh_login=grant.fresh_login,
    )
    expires = now + access_lifespan(config, client, implicit=grant.implicit)
    if session is not None and not session.offline:
        expires = min(expires, session.started + config.realm.sso_session_max_lifespan)
    base: Claims = {"exp": expires, "iat": now}
    if session is not None:
        base["auth_time"] = auth_time(session)
    base.update({"jti": ids.new_id(), "iss": issuer})

    access: Claims = {**base, "sub": grant.user.id, "typ": BEARER, "azp": client.client_id}
    if session is not None:
        access["sid"] = session.id
    access.update(mapped_claims(ctx, grant.decision, TokenKind.ACCESS))
    access["scope"] = grant.decision.scope_string
    access_key, created = await keys.signing_key(
        tx, config, keys.wanted_algorithm(config, client, keys.ACCESS_ALG_ATTRIBUTE), now=now
    )
    access_token = jws.sign(access, access_key, typ="JWT")

    response: dict[str, object] = {
        "access_token": access_token,
        "expires_in": expires - now,
        "refresh_expires_in": 0,
    }
    token_ids: list[tuple[str, int]] = [(str(access["jti"]), expires)]
    if grant.refresh and session is not None:
        refresh_jti = ids.new_id()
        refresh_exp = session_expires_at(config.realm, session)
        token_ids.append((refresh_jti, refresh_exp))
        refresh: Claims = {
            "exp": refresh_exp,
            "iat": now,
            "jti": refresh_jti,
            "iss": issuer,
            "aud": issuer,
            "sub": grant.user.id,
            "typ": OFFLINE if session.offline else REFRESH,
            "azp": client.client_id,
            "sid": session.id,
            "scope": grant.decision.scope_string,
        }
        if grant.nonce is not None:
            refresh["nonce"] = grant.nonce
        response["refresh_expires_in"] = 0 if session.offline else refresh_exp - now
        response["refresh_token"] = jws.sign(refresh, keys.hmac_key(config), typ="JWT")
    response["token_type"] = BEARER
    if grant.decision.openid:
        id_claims: Claims = {
            **base,
            "aud": client.client_id,
            "sub": grant.user.id,
            "typ": ID,
            "azp": client.client_id,
        }
        if grant.nonce is not None:
            id_claims["nonce"] = grant.nonce
        if session is not None:
            id_claims["sid"] = session.id
        id_key, id_created = await keys.signing_key(
            tx, config, keys.wanted_algorithm(config, client, keys.ID_ALG_ATTRIBUTE), now=now
        )
        if grant.at_hash:
            id_claims["at_hash"] = at_hash(access_token, id_key.algorithm)
        if grant.code is not None:
            id_claims["c_hash"] = at_hash(grant.code, id_key.algorithm)  # same construction
        id_claims.update(mapped_claims(ctx, grant.decision, TokenKind.ID))
        id_claims["aud"] = client.client_id
        created = created or id_created
        response["id_token"] = jws.sign(id_claims, id_key, typ="JWT")
    response["not-before-policy"] = max(config.realm.not_before, client.not_before)
    if session is not None:
        response["session_state"] = session.id
    response["scope"] = grant.decision.scope_string
    return IssuedTokens(response, access, token_ids, created)


def read_token(config: RealmConfig, token: str, *, symmetric: bool, issuer: str, now: int) -> Claims | None:
    """Claims of one of our tokens if its signature, issuer and expiry hold; else None."""
    claims = keys.verify_own(config, token, symmetric=symmetric)
    if claims is None:
        return None
    if claims.get("iss") != issuer:
        # Signed by this realm, issued through another URL: instances behind different URLs.
        log.warning(
            "token of realm %s issued through %s refused at %s: instances serving together need one "
            "public URL (the same --hostname, or a proxy forwarding the same Host)",
            config.realm.name,
            str(claims.get("iss"))[:200],
            issuer,
        )
        return None
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now:
        return None
    return claims


def read_refresh_token(config: RealmConfig, token: str, *, issuer: str, now: int) -> Claims | None:
    """Claims of one of our refresh or offline tokens (HMAC-signed) that still holds; else None.
    The refresh grant, the adapters' logout and introspection all accept exactly these."""
    claims = read_token(config, token, symmetric=True, issuer=issuer, now=now)
    if claims is None or claims.get("typ") not in (REFRESH, OFFLINE):
        return None
    return claims


def not_before_ok(config: RealmConfig, client: Client | None, user: User, claims: Claims) -> bool:
    """Tokens issued before a realm/client/user "not before" push are no longer valid."""
    iat = claims.get("iat")
    if not isinstance(iat, int):
        return False
    limit = max(config.realm.not_before, user.not_before, client.not_before if client else 0)
    return iat >= limit
