"""``grant_type=authorization_code``: redeem a code for tokens (RFC 6749 §4.1.3, RFC 7636)."""

from __future__ import annotations

from dataclasses import replace

from realmgate.protocol import pkce
from realmgate.protocol.codes import record_issued, redeem_code
from realmgate.protocol.errors import InvalidGrant
from realmgate.protocol.grants import GrantRequest
from realmgate.protocol.requests import CodeGrant
from realmgate.protocol.scopes import decide_scopes
from realmgate.protocol.sessions import active_session, offline_copy
from realmgate.protocol.tokens import Grant, IssuedTokens, ensure_offline_allowed, issue_tokens


async def grant(req: GrantRequest) -> IssuedTokens:
    fields = req.request.grant(CodeGrant)
    data = await redeem_code(req.tx, req.config, fields.code, now=req.call.now)
    if data.client_id != req.client.client_id:
        raise InvalidGrant("Auth error", detail="code issued to another client")
    if fields.redirect_uri != data.redirect_uri:
        raise InvalidGrant("Incorrect redirect_uri")
    pkce.check_verifier(data.code_challenge, data.code_challenge_method, fields.code_verifier)
    issued = await session_tokens(
        req, data.session_id, data.user_id, data.scope, nonce=data.nonce, fresh_login=data.fresh_login
    )
    await record_issued(req.tx, fields.code, issued.token_ids, now=req.call.now)
    return issued


async def session_tokens(
    req: GrantRequest, session_id: str, user_id: str, scope: str, *, nonce: str | None, fresh_login: bool
) -> IssuedTokens:
    """Tokens for a browser login's session the client is attached to (the code grant's, and
    the device grant's once the user approved): an offline session when ``offline_access``."""
    realm = req.config.realm
    session = await active_session(req.tx, realm, session_id, req.call.now)
    if session is None or req.client.id not in session.client_sessions:
        raise InvalidGrant("Session not active")
    user = await req.tx.users.get(realm.id, user_id)
    if user is None or not user.enabled:
        raise InvalidGrant("User disabled or not found")
    decision = decide_scopes(req.config, req.client, scope)
    grant = Grant(req.client, user, decision, session, nonce=nonce, fresh_login=fresh_login)
    if decision.offline:
        await ensure_offline_allowed(req.tx, req.config, grant)
        offline = offline_copy(session, req.client, issuer=req.call.issuer, now=req.call.now, ids=req.call.ids)
        await req.tx.sessions.add(offline)
        grant = replace(grant, session=offline)
    return await issue_tokens(req.tx, req.config, grant, issuer=req.call.issuer, now=req.call.now, ids=req.call.ids)
