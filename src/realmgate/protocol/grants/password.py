"""``grant_type=password`` (Keycloak's "direct access grants"): log in without a browser."""

from __future__ import annotations

from realmgate.protocol.errors import InvalidGrant, UnauthorizedClient
from realmgate.protocol.grants import GrantRequest
from realmgate.protocol.login import LoginFailure, authenticate
from realmgate.protocol.requests import PasswordGrant
from realmgate.protocol.scopes import decide_scopes
from realmgate.protocol.sessions import new_session, with_client
from realmgate.protocol.tokens import Grant, IssuedTokens, ensure_offline_allowed, issue_tokens


async def grant(req: GrantRequest) -> IssuedTokens:
    if not req.client.direct_access_grants_enabled:
        raise UnauthorizedClient("Client not allowed for direct access grants")
    fields = req.request.grant(PasswordGrant)
    decision = decide_scopes(req.config, req.client, fields.scope)
    try:
        user = await authenticate(
            req.tx,
            req.config,
            fields.username,
            fields.password,
            now=req.call.now,
            ids=req.call.ids,
            ip_address=req.call.ip_address,
        )
    except LoginFailure as failure:
        error, user_id = failure.error, failure.user_id
        if failure.disabled:
            raise InvalidGrant("Account disabled", event_error=error, event_user_id=user_id) from None
        # A user locked out by brute-force detection gets the answer of a wrong password.
        raise InvalidGrant("Invalid user credentials", status=401, event_error=error, event_user_id=user_id) from None
    if user.required_actions:
        raise InvalidGrant("Account is not fully set up")
    realm = req.config.realm
    session = new_session(
        realm, user, now=req.call.now, ids=req.call.ids, ip_address=req.call.ip_address, offline=decision.offline
    )
    session = with_client(session, req.client, issuer=req.call.issuer, now=req.call.now, redirect_uri=None)
    grant = Grant(req.client, user, decision, session)
    if decision.offline:
        await ensure_offline_allowed(req.tx, req.config, grant)
    await req.tx.sessions.add(session)
    return await issue_tokens(req.tx, req.config, grant, issuer=req.call.issuer, now=req.call.now, ids=req.call.ids)
