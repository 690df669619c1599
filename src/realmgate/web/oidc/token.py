"""Back-channel endpoints: token, userinfo, introspection, revocation."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from realmgate.protocol import introspection, requests, revocation
from realmgate.protocol.token_endpoint import token_request
from realmgate.protocol.userinfo import userinfo as userinfo_claims
from realmgate.web.app_context import get_ctx
from realmgate.web.errors import ErrorAnswer, answer_errors
from realmgate.web.oidc.plumbing import (
    NO_STORE,
    bearer_token,
    cors_headers,
    endpoint_call,
    form_params,
    json_response,
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
    async with transaction(request) as (tx, config):  # an error commits too: a replayed code has revoked its tokens
        cors = cors_headers(request, config, params.get("client_id"))
        failed_login = (lambda: metrics.login(False)) if params.get("grant_type") == requests.PASSWORD else None
        answer_errors(request, ErrorAnswer(headers=cors, failed=failed_login))
        grant_type, issued = await token_request(
            tx, config, requests.parse_token_request(params), endpoint_call(request)
        )
    if issued.key_created:
        realm_cache(request).forget(config.realm.id)
    if grant_type == requests.PASSWORD:
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
        info = await userinfo_claims(tx, config, bearer_token(request, form), endpoint_call(request))
        cors = cors_headers(request, config, info.client_id)
    if info.key_created:
        realm_cache(request).forget(config.realm.id)
    if info.signed is not None:
        return Response(info.signed, media_type="application/jwt", headers={**NO_STORE, **cors})
    return json_response(info.claims, headers=cors)


async def introspect(request: Request) -> Response:
    params = await form_params(request)
    async with transaction(request) as (tx, config):
        body = await introspection.introspect(tx, config, requests.parse_token_query(params), endpoint_call(request))
    return json_response(body)


async def revoke(request: Request) -> Response:
    if request.method == "OPTIONS":
        return preflight(request)
    params = await form_params(request)
    async with transaction(request) as (tx, config):
        cors = cors_headers(request, config, params.get("client_id"))
        items = await revocation.revoke(tx, config, requests.parse_token_query(params), endpoint_call(request))
    return send_after(request, Response(status_code=200, headers=cors), items)
