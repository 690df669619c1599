"""``grant_type=refresh_token``: new tokens from a refresh token (RFC 6749 §6).

The refresh token must be ours (HS512), unexpired, issued to this client, and its session still
active with this client in it. With the realm's ``revokeRefreshToken`` switched on, each refresh
token may be used ``refreshTokenMaxReuse`` + 1 times, and a token older than the last refresh is
"stale" — Keycloak's rotation rules, kept in the client session's notes.
"""

from __future__ import annotations

from dataclasses import replace

from realmgate.model.session import ClientSession, UserSession
from realmgate.protocol.bearer import is_revoked
from realmgate.protocol.errors import InvalidGrant
from realmgate.protocol.grants import GrantRequest
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.requests import RefreshGrant
from realmgate.protocol.scopes import narrow_scopes
from realmgate.protocol.sessions import active_session
from realmgate.protocol.tokens import (
    Grant,
    IssuedTokens,
    issue_tokens,
    not_before_ok,
    read_refresh_token,
)

INVALID = "Invalid refresh token"
CURRENT_NOTE = "refresh_token_current"
USES_NOTE = "refresh_token_uses"
LAST_REFRESH_NOTE = "refresh_token_last"


def check_reuse(config: RealmConfig, client_session: ClientSession, jti: str, iat: int, now: int) -> ClientSession:
    """Apply the rotation rules; the client session with updated counters, or ``invalid_grant``."""
    if not config.realm.revoke_refresh_token:
        return client_session
    notes = dict(client_session.notes)
    current = notes.get(CURRENT_NOTE)
    last = int(notes.get(LAST_REFRESH_NOTE, "0"))
    if current is not None and current != jti and iat < last:
        raise InvalidGrant("Stale token")
    if current != jti:
        notes[CURRENT_NOTE] = jti
        notes[USES_NOTE] = "0"
    uses = int(notes.get(USES_NOTE, "0"))
    if uses > config.realm.refresh_token_max_reuse:
        raise InvalidGrant("Maximum allowed refresh token reuse exceeded")
    notes[USES_NOTE] = str(uses + 1)
    notes[LAST_REFRESH_NOTE] = str(now)
    return replace(client_session, notes=notes)


async def _session(req: GrantRequest, claims: dict[str, object]) -> tuple[UserSession, ClientSession]:
    sid = claims.get("sid")
    session = await active_session(req.tx, req.config.realm, sid, req.call.now) if isinstance(sid, str) else None
    if session is None:
        raise InvalidGrant("Session not active")
    client_session = session.client_sessions.get(req.client.id)
    if client_session is None:
        raise InvalidGrant("Session doesn't have required client")
    return session, client_session


async def grant(req: GrantRequest) -> IssuedTokens:
    fields = req.request.grant(RefreshGrant)
    claims = read_refresh_token(req.config, fields.refresh_token, issuer=req.call.issuer, now=req.call.now)
    if claims is None:
        raise InvalidGrant(INVALID)
    if claims.get("azp") != req.client.client_id:
        raise InvalidGrant(INVALID, detail="refresh token of another client")
    session, client_session = await _session(req, claims)
    user = await req.tx.users.get(req.config.realm.id, session.user_id)
    if user is None or not user.enabled or user.id != claims.get("sub"):
        raise InvalidGrant(INVALID, detail="user gone or disabled")
    jti, iat = claims.get("jti"), claims.get("iat")
    if not not_before_ok(req.config, req.client, user, claims):
        raise InvalidGrant("Stale token")
    if not isinstance(jti, str) or await is_revoked(req.tx, jti, now=req.call.now):
        raise InvalidGrant(INVALID, detail="revoked refresh token")
    client_session = check_reuse(
        req.config,
        client_session,
        jti if isinstance(jti, str) else "",
        iat if isinstance(iat, int) else 0,
        req.call.now,
    )
    granted = claims.get("scope")
    decision = narrow_scopes(req.config, req.client, granted if isinstance(granted, str) else "", fields.scope)
    session = replace(
        session,
        last_refresh=req.call.now,
        client_sessions={**session.client_sessions, req.client.id: client_session},
    )
    await req.tx.sessions.update(session)
    nonce = claims.get("nonce")
    return await issue_tokens(
        req.tx,
        req.config,
        Grant(
            req.client,
            user,
            decision,
            session,
            nonce=nonce if isinstance(nonce, str) else None,
            fresh_login=False,
        ),
        issuer=req.call.issuer,
        now=req.call.now,
        ids=req.call.ids,
    )
