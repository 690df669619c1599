"""Shared plumbing of the broker's web handlers: the key cache, connectors, the
provider a path names, and the pages a failed brokered login shows.

Every failure page says what the user can do (start again, try again) and nothing about the
upstream's answer; the log line names the provider and the check that failed, never a token.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from realmgate.broker.connector import IdentityConnector
from realmgate.broker.errors import BrokerError
from realmgate.broker.oidc.keys import UpstreamKeyCache
from realmgate.broker.oidc.oauth2 import ConnectorDeps
from realmgate.broker.registry import create_connector
from realmgate.model.identity_provider import IdentityProvider
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.web.app_context import get_ctx
from realmgate.web.oidc.plumbing import issuer
from realmgate.web.pages import error_page

log = logging.getLogger("realmgate.broker")


def key_cache(request: Request, config: RealmConfig) -> UpstreamKeyCache:
    """The process's upstream key cache (``AppContext.upstream_keys``), brought up to
    ``config``'s version first: an edit of a provider, ``clear-keys-cache`` or ``reload-keys``
    on any instance moves that version, so every instance forgets those keys on its next use."""
    keys = get_ctx(request).upstream_keys
    keys.follow(config.realm.id, config.version, (idp.internal_id for idp in config.identity_providers.values()))
    return keys


def connector(request: Request, config: RealmConfig, idp: IdentityProvider) -> IdentityConnector:
    """A connector for ``idp``; cheap to build (config parsing only), so built per request:
    an edit of the provider on any instance is seen at once."""
    ctx = get_ctx(request)
    deps = ConnectorDeps(
        http=ctx.http,
        keys=key_cache(request, config),
        clock=ctx.clock,
        ids=ctx.ids,
        realm_keys=config.keys,
        assertion_lifespan=config.realm.access_code_lifespan,
    )
    return create_connector(idp, deps)


def alias(request: Request) -> str:
    value: str = request.path_params["alias"]
    return value


def endpoint_url(request: Request, provider_alias: str) -> str:
    """The redirect URI registered at the upstream: ``/realms/{r}/broker/{alias}/endpoint``."""
    return f"{issuer(request)}/broker/{quote(provider_alias, safe='')}/endpoint"


def provider_name(idp: IdentityProvider) -> str:
    return idp.display_name or idp.alias


def unusable_provider(request: Request, provider_alias: str) -> Response:
    """Unknown, disabled or link-only provider: Keycloak's 400 page."""
    log.info("broker %s: login refused (unknown, disabled or link-only provider)", provider_alias)
    return error_page(request, "Could not find an identity provider to log in with.", status=400)


def broker_failure(
    request: Request, idp: IdentityProvider, error: BrokerError, *, retry_url: str | None, status: int = 502
) -> Response:
    """An upstream that failed or a token that did not verify: the page names the provider and
    offers to try again; the log line says which call or check failed."""
    log.warning("broker %s: login failed: %s", idp.alias, error.detail or error.message)
    message = f"Unexpected error when authenticating with identity provider {provider_name(idp)}: {error.message}."
    return error_page(request, message, status=status, retry_url=retry_url)
