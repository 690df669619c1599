"""``grant_type=client_credentials``: tokens for the client's service-account user.

A hot path for machine clients: nothing is written to the database (no session, no refresh
token, as Keycloak 24+ does by default).
"""

from __future__ import annotations

from realmgate.protocol.errors import UnauthorizedClient
from realmgate.protocol.grants import GrantRequest
from realmgate.protocol.requests import ClientCredentialsGrant
from realmgate.protocol.scopes import decide_scopes
from realmgate.protocol.tokens import Grant, IssuedTokens, issue_tokens


async def grant(req: GrantRequest) -> IssuedTokens:
    client = req.client
    if client.public_client:
        raise UnauthorizedClient("Public client not allowed to retrieve service account")
    if not client.service_accounts_enabled:
        raise UnauthorizedClient("Client not enabled to retrieve service account")
    user = await req.tx.users.get_service_account(req.config.realm.id, client.id)
    if user is None or not user.enabled:
        raise UnauthorizedClient("Client not enabled to retrieve service account", detail="no SA user")
    decision = decide_scopes(req.config, client, req.request.grant(ClientCredentialsGrant).scope)
    notes = (
        ("clientId", client.client_id),
        ("clientHost", req.call.ip_address or ""),
        ("clientAddress", req.call.ip_address or ""),
    )
    return await issue_tokens(
        req.tx,
        req.config,
        Grant(client, user, decision, None, refresh=False, extra_notes=notes),
        issuer=req.call.issuer,
        now=req.call.now,
        ids=req.call.ids,
    )
