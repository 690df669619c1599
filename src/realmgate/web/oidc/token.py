"""Back-channel endpoints: token, userinfo, introspection, revocation."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from realmgate.protocol import introspection, revocation
from realmgate.protocol.errors import OAuthError
from realmgate.protocol.token_endpoint import token_request
from realmgate.protocol.userinfo import userinfo as userinfo_claims
from realmgate.web.context import get_ctx
from realmgate.web.errors import oauth_json
from realmgate.web.oidc.support import (
    NO_STORE,
    bearer_token,
    call_client_endpoint,
    client_ip,
    cors_headers,
    form_params,
    issuer,
    json_response,
    now,
    preflight,
    query_params,
    realm_cache,
    send_after,
    transaction,
)


async def token(request: Request) -> Response:
    if request.method == "OPTIONS":
        return preflight(request)
    params = await form_params(request)
    metrics = get_ctx(request).metrics
    failure: OAuthError | None = None
    async with transaction(request) as (tx, config):
        cors = cors_headers(request, config, params.get("client_id"))
        try:
            grant_type, issued = await token_request(
                tx,
                config,
                params,
                authorization=request.headers.get("authorization"),
                issuer=issuer(request),
                now=now(request),
                ip_address=client_ip(request),
            )
        except OAuthError as error:
            failure = error  # committed anyway: a replayed code has just revoked its tokens
    if failure is not None:
        if params.get("grant_type") == "password":
            metrics.login(False)
        return oauth_json(request, failure, headers=cors)
    if issued.key_created:
        realm_cache(request).forget(config.realm.id)
    if grant_type == "password":
        metrics.login(True)
    metrics.token_issued(grant_type)
    azp = issued.access_claims.get("azp")
    return json_response(issued.response, headers=cors_headers(request, config, azp if isinstance(azp, str) else None))


async def userinfo(request: Request) -> Response:
    """Bad or expired tokens and ended sessions raise ``InvalidToken``: 401 with its
    ``WWW-Authenticate: Bearer`` challenge from the error translator (``web.errors.challenge``)."""
    if request.method == "OPTIONS":
        return preflight(request)
    form = await form_params(request) if request.method == "POST" else query_params(request)
    async with transaction(request) as (tx, config):
        info = await userinfo_claims(tx, config, bearer_token(request, form), issuer=issuer(request), now=now(request))
        cors = cors_headers(request, config, info.client_id)
    if info.key_created:
        realm_cache(request).forget(config.realm.id)
    if info.signed is not None:
        return Response(info.signed, media_type="application/jwt", headers={**NO_STORE, **cors})
    return json_response(info.claims, headers=cors)


async def introspect(request: Request) -> Response:
    params = await form_params(request)
    async with transaction(request) as (tx, config):
        body = await call_client_endpoint(request, tx, config, params, introspection.introspect)
    return json_response(body)


async def revoke(request: Request) -> Response:
    if request.method == "OPTIONS":
        return preflight(request)
    params = await form_params(request)
    async with transaction(request) as (tx, config):
        cors = cors_headers(request, config, params.get("client_id"))
        items = await call_client_endpoint(request, tx, config, params, revocation.revoke)
    return send_after(request, Response(status_code=200, headers=cors), items)
