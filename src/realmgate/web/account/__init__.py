"""The account service's paths: the REST profile keycloak-js reads with a bearer token, and a
page for a browser sent to the account console (which realmgate does not have).

``GET /realms/{realm}/account`` answers JSON when the request carries a bearer token or asks
for JSON (keycloak-js's ``loadUserProfile()``); a browser following ``createAccountUrl()`` gets
an error page saying the console is not available. CORS follows the token client's web origins.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from realmgate.protocol.account import account_token, profile
from realmgate.web.oidc.plumbing import bearer_token, cors_headers, issuer, json_response, now, preflight, transaction
from realmgate.web.pages import error_page

CONSOLE_UNAVAILABLE = "The account console is not available on this server."


async def account(request: Request) -> Response:
    if request.method == "OPTIONS":
        return preflight(request)
    token = bearer_token(request)
    async with transaction(request) as (tx, config):  # an unknown realm is Keycloak's 404 first
        if token is None and "application/json" not in request.headers.get("accept", ""):
            return error_page(request, CONSOLE_UNAVAILABLE, status=404)
        valid = await account_token(tx, config, token, issuer=issuer(request), now=now(request))
        cors = cors_headers(request, config, valid.client.client_id if valid.client else None)
    return json_response(profile(valid.user), headers=cors)


def routes() -> list[BaseRoute]:
    return [Route("/realms/{realm}/account", account, methods=["GET", "OPTIONS"])]
