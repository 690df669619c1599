"""``/realms/{realm}/broker/{alias}/login`` and ``.../endpoint``: a brokered login's two legs.

The start endpoint continues a pending login step (the login page's button or ``kc_idp_hint``
sent the browser here with ``tab_id`` and ``session_code``): it checks the step against the
auth-session cookie, keeps the upstream secrets under a fresh ``state`` and redirects upstream.
The callback consumes that state (single use, same browser), lets the connector exchange the
code and check every token outside any transaction, then hands the identity to the first-login
steps (``web.broker.first_login``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realmgate.broker import login_store
from realmgate.broker.connector import CallbackOutcome, classify_callback_error
from realmgate.broker.errors import BrokerError, StateInvalid, TokenInvalid
from realmgate.model.identity_provider import IdentityProvider
from realmgate.protocol import login_flow
from realmgate.protocol.authorize import error_params
from realmgate.protocol.errors import LoginRequired
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx
from realmgate.web.broker import first_login, link
from realmgate.web.broker.provider_access import (
    alias,
    broker_failure,
    connector,
    endpoint_url,
    log,
    provider_name,
    unusable_provider,
)
from realmgate.web.errors import page_endpoint
from realmgate.web.oidc.authorize import broker_login_url, login_page
from realmgate.web.oidc.plumbing import issuer, login_expired_page, now, query_params, restart_url, transaction
from realmgate.web.oidc.responses import send_response
from realmgate.web.pages import error_page

CANCELLED = "Login cancelled: you did not sign in with {provider}."


def usable(config: RealmConfig, provider_alias: str) -> IdentityProvider | None:
    """The provider a login may start with: it exists, is enabled and is not link-only."""
    idp = config.identity_providers.get(provider_alias)
    return idp if idp is not None and idp.enabled and not idp.link_only else None


@page_endpoint
async def start(request: Request) -> Response:
    """``GET|POST /broker/{alias}/login?client_id&tab_id&session_code``."""
    try:
        params = query_params(request)
        async with transaction(request) as (tx, config):
            idp = usable(config, alias(request))
            if idp is None:
                return unusable_provider(request, alias(request))
            step = await login_flow.load_step(tx, params.get("tab_id", ""), now=now(request))
            if step is None:
                return login_expired_page(request, config)
            cookie = request.cookies.get(login_flow.AUTH_SESSION_COOKIE)
            if not step.csrf_ok(cookie, params.get("session_code")):
                return error_page(
                    request, "Invalid request: please start the login again.", retry_url=restart_url(request)
                )
            auth = step.request
            client = login_store.client_request(
                login_hint=auth.login_hint,
                max_age=auth.max_age,
                prompt=auth.prompt,
                locale=(auth.ui_locales or "").split(" ")[0] or None,
                acr_values=auth.acr_values,
            )
            upstream = await login_store.begin_login(
                tx,
                realm=config.realm,
                idp=idp,
                connector=connector(request, config, idp),
                client=client,
                redirect_uri=endpoint_url(request, idp.alias),
                auth_session_id=step.auth_session_id,
                now=now(request),
                tab_id=step.tab_id,
            )
    except BrokerError as exc:  # a config the connector cannot use
        log.warning("broker %s: cannot start login: %s", alias(request), exc.detail or exc.message)
        return error_page(request, f"Could not start the login with {alias(request)}.", status=500)
    return RedirectResponse(upstream.url, status_code=302)


@page_endpoint
async def callback(request: Request) -> Response:
    """``GET /broker/{alias}/endpoint?state&code`` (or ``error``). A state started by
    ``/broker/{alias}/link`` ends in ``link.finish``; any other continues a login step."""
    params = query_params(request)
    async with transaction(request) as (tx, config):
        idp = config.identity_providers.get(alias(request))
        if idp is None or not idp.enabled:
            return unusable_provider(request, alias(request))
        try:
            pending = await login_store.take_pending(
                tx,
                params.get("state"),
                realm_id=config.realm.id,
                alias=idp.alias,
                auth_session_id=request.cookies.get(login_flow.AUTH_SESSION_COOKIE),
                now=now(request),
            )
        except StateInvalid as exc:
            log.info("broker %s: callback refused: %s", idp.alias, exc.detail)
            return error_page(request, exc.message, retry_url=restart_url(request))
        step = None
        if pending.link_session_id is None:
            if idp.link_only:
                return unusable_provider(request, idp.alias)
            step = await login_flow.load_step(tx, pending.tab_id or "", now=now(request))
            if step is None:
                return login_expired_page(request, config)
            if "error" in params:
                return await _upstream_error(request, tx, config, idp, step, params)
    if step is None:  # account linking
        return await _link_callback(request, config, idp, pending, params)
    retry = broker_login_url(request, step, idp.alias)
    code = params.get("code")
    if not code:
        log.warning("broker %s: callback without code", idp.alias)
        return error_page(request, f"{provider_name(idp)} did not complete the login.", retry_url=retry)
    try:
        identity = await connector(request, config, idp).handle_callback(code, pending.login)
    except TokenInvalid as exc:
        return broker_failure(request, idp, exc, retry_url=retry, status=400)
    except BrokerError as exc:
        return broker_failure(request, idp, exc, retry_url=retry)
    return await first_login.proceed(request, idp.alias, identity, pending)


async def _link_callback(
    request: Request,
    config: RealmConfig,
    idp: IdentityProvider,
    pending: login_store.PendingLogin,
    params: dict[str, str],
) -> Response:
    code = params.get("code")
    identity = None
    if code and "error" not in params:
        try:
            identity = await connector(request, config, idp).handle_callback(code, pending.login)
        except BrokerError as exc:
            log.warning("broker %s: account linking failed: %s", idp.alias, exc.detail or exc.message)
    return await link.finish(request, identity, pending)


async def _upstream_error(
    request: Request,
    tx: Tx,
    config: RealmConfig,
    idp: IdentityProvider,
    step: login_flow.LoginStep,
    params: dict[str, str],
) -> Response:
    """The upstream answered ``error=...`` instead of a code (Keycloak's ``Endpoint``)."""
    error = params.get("error", "")
    outcome = classify_callback_error(error, params.get("error_description"))
    log.info("broker %s: upstream returned error=%s (%s)", idp.alias, error[:64], outcome.value)
    if outcome is CallbackOutcome.CANCELLED:
        message = CANCELLED.format(provider=provider_name(idp))
        return login_page(request, config, step, username=step.request.login_hint or "", error=message)
    if outcome is CallbackOutcome.TO_CLIENT:  # the client's authorization request ends here
        await login_flow.finish_step(tx, step)
        target = step.request.target(issuer(request))
        return send_response(request, target, error_params(LoginRequired("Login required"), target))
    if outcome is CallbackOutcome.RETRY:
        return RedirectResponse(broker_login_url(request, step, idp.alias), status_code=302)
    return error_page(
        request,
        f"Unexpected error when authenticating with identity provider {provider_name(idp)}.",
        retry_url=broker_login_url(request, step, idp.alias),
    )
