"""Tokens sent in the authorization response itself: the implicit flow (``id_token token``,
``id_token``, ``token``) and the hybrid flow (``code id_token``, ``code token``, ``code id_token
token``), OIDC Core §3.2 and §3.3.

Keycloak's shape: ``access_token``, ``token_type`` and ``expires_in`` when ``token`` is asked
for, ``id_token`` when ``id_token`` is (with ``at_hash`` beside the access token and ``c_hash``
beside a code). The access token lives ``accessTokenLifespanForImplicitFlow``; no refresh token
ever travels in the front channel (a hybrid client gets one by redeeming its code).
"""

from __future__ import annotations

from realmgate.crypto.secrets import Randomness
from realmgate.model.session import UserSession
from realmgate.protocol.authorize import AuthorizationRequest
from realmgate.protocol.errors import LoginRequired
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.scopes import decide_scopes
from realmgate.protocol.tokens import Grant, issue_tokens
from realmgate.store.interface import Tx


async def front_channel_tokens(
    tx: Tx,
    config: RealmConfig,
    request: AuthorizationRequest,
    session: UserSession,
    *,
    code: str | None,
    fresh_login: bool,
    issuer: str,
    now: int,
    ids: Randomness,
) -> dict[str, str]:
    """The token parameters of the authorization response for ``request``'s response types."""
    client = config.clients[request.client_id]
    user = await tx.users.get(config.realm.id, session.user_id)
    if user is None or not user.enabled:
        raise LoginRequired("User disabled or not found")
    grant = Grant(
        client,
        user,
        decide_scopes(config, client, request.scope),
        session,
        nonce=request.nonce,
        fresh_login=fresh_login,
        refresh=False,
        implicit=True,
        code=code,
        at_hash="token" in request.response_types,
    )
    issued = (await issue_tokens(tx, config, grant, issuer=issuer, now=now, ids=ids)).response
    values: dict[str, str] = {}
    types = request.response_types
    if "token" in types:
        values.update(
            access_token=str(issued["access_token"]),
            token_type=str(issued["token_type"]),
            expires_in=str(issued["expires_in"]),
        )
    if "id_token" in types and "id_token" in issued:
        values["id_token"] = str(issued["id_token"])
    return values
