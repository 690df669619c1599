"""``GET /realms/{realm}/broker/{alias}/token``: the stored upstream token response, for a
caller whose access token carries the client role ``broker``/``read-token`` (Keycloak's
"Stored tokens readable"). Refreshed first when it expires within ``minValidityToken``; the
upstream call happens between transactions (``login_store.stored_token``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from realmgate.broker import login_store
from realmgate.broker.errors import BrokerError
from realmgate.protocol.bearer import validate_access_token
from realmgate.web.app_context import get_ctx
from realmgate.web.broker.provider_access import alias, connector, log
from realmgate.web.errors import ErrorAnswer, answering
from realmgate.web.oidc.plumbing import bearer_token, issuer, json_response, now, transaction

NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}


def _error(message: str, status: int) -> Response:
    return json_response({"errorMessage": message}, status=status)


# Keycloak's REST shape for this endpoint's OAuth errors too (e.g. an unknown realm).
REST_ANSWER = ErrorAnswer(render=lambda _, error: _error(error.description, error.status))


def _may_read(claims: dict[str, object]) -> bool:
    access = claims.get("resource_access")
    broker = access.get(login_store.BROKER_CLIENT) if isinstance(access, dict) else None
    roles = broker.get("roles") if isinstance(broker, dict) else None
    return isinstance(roles, list) and login_store.READ_TOKEN_ROLE in roles


@answering(REST_ANSWER)
async def stored_token(request: Request) -> Response:
    token = bearer_token(request)
    if token is None:
        return _error("Invalid token", 401)
    async with transaction(request) as (tx, config):
        valid = await validate_access_token(tx, config, token, issuer=issuer(request), now=now(request))
        idp = config.identity_providers.get(alias(request))
    if valid is None:
        return _error("Invalid token", 401)
    if not _may_read(dict(valid.claims)):
        return _error(
            "Client [{}] not authorized to retrieve tokens from identity provider [{}].".format(
                valid.client.client_id if valid.client else "", alias(request)
            ),
            403,
        )
    if idp is None or not idp.enabled:
        return _error("Identity Provider not found", 404)
    if not idp.store_token:
        return _error(f"Identity Provider [{idp.alias}] does not support this operation.", 400)
    try:
        stored = await login_store.stored_token(
            get_ctx(request).store,
            realm_id=config.realm.id,
            alias=idp.alias,
            user_id=valid.user.id,
            connector=connector(request, config, idp),
            now=now(request),
        )
    except BrokerError as exc:
        log.warning("broker %s: stored token refresh failed: %s", idp.alias, exc.detail or exc.message)
        return _error("Could not refresh the token at the identity provider", 502)
    if stored is None:
        return _error(f"User [{valid.user.id}] is not linked with identity provider [{idp.alias}].", 400)
    return Response(stored, media_type="application/json", headers=NO_STORE)
