"""The authorization endpoint and the login form that may interrupt it.

``GET|POST .../auth`` validates the request; with a usable SSO session it answers at once,
otherwise it stores a login step and shows the form. The form posts to
``/realms/{realm}/login-actions/authenticate?session_code=...&tab_id=...`` (Keycloak's path),
which checks the step, its CSRF token (the form's hidden field, or ``session_code``: the same
value) and auth-session cookie, then the password.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realmgate.broker import buttons
from realmgate.model.identity_provider import IdentityProvider
from realmgate.protocol import login_flow, registration, required_actions
from realmgate.protocol.authorize import (
    AuthorizationRequest,
    RedirectableError,
    error_params,
    parse_authorization_request,
)
from realmgate.protocol.login import LoginFailure, authenticate
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.web.app_context import get_ctx
from realmgate.web.errors import page_endpoint
from realmgate.web.oidc.login_end import continue_login
from realmgate.web.oidc.plumbing import (
    client_ip,
    display_name,
    form_not_verified_page,
    form_params,
    issuer,
    login_expired_page,
    now,
    page_params,
    randomness,
    record_step_event,
    sso_session,
    transaction,
)
from realmgate.web.oidc.registration import registration_page, registration_url
from realmgate.web.oidc.responses import realm_cookie_path, send_response
from realmgate.web.pages import error_page, render_page
from realmgate.web.security import set_cookie


def broker_login_url(request: Request, step: login_flow.LoginStep, alias: str) -> str:
    """Where a provider button (or ``kc_idp_hint``) sends the browser: the broker's start
    endpoint, which finds the pending step by ``tab_id`` and checks ``session_code`` with
    ``step.csrf_ok(auth-session cookie, session_code)``."""
    query = urlencode({"client_id": step.request.client_id, "tab_id": step.tab_id, "session_code": step.csrf})
    return f"{issuer(request)}/broker/{quote(alias, safe='')}/login?{query}"


def _usable(idp: IdentityProvider) -> bool:
    return idp.enabled and not idp.link_only


def login_providers(request: Request, config: RealmConfig, step: login_flow.LoginStep) -> list[dict[str, str]]:
    """Buttons for "Or sign in with": ``{alias, display_name, login_url}``, in GUI order."""
    shown = [i for i in config.identity_providers.values() if _usable(i) and not i.hide_on_login]

    def order(idp: IdentityProvider) -> tuple[int, str]:
        gui = idp.config.get("guiOrder", "")
        return (int(gui) if gui.isdigit() else 10_000, idp.alias)

    return [
        {
            "alias": i.alias,
            "display_name": i.display_name or i.alias,
            "login_url": broker_login_url(request, step, i.alias),
        }
        for i in sorted(shown, key=order)
    ]


def hinted_provider(config: RealmConfig, request: AuthorizationRequest) -> str | None:
    """``kc_idp_hint`` naming a usable provider skips our form (Keycloak's redirector); with
    ``prompt=none`` only a provider with ``acceptsPromptNoneForwardFromClient``."""
    idp = buttons.hinted_provider(config.identity_providers.values(), request.idp_hint, prompt=request.prompt)
    return idp.alias if idp is not None else None


@page_endpoint
async def authorization(request: Request) -> Response:
    """``GET|POST .../protocol/openid-connect/auth``."""
    return await _authorize(request, register=False)


@page_endpoint
async def registrations(request: Request) -> Response:
    """``GET .../protocol/openid-connect/registrations`` (keycloak-js's ``createRegisterUrl()``):
    the authorization endpoint, showing the registration form where it would show the login
    form; Keycloak's "Registration not allowed." page when the realm does not allow it."""
    return await _authorize(request, register=True)


async def _authorize(request: Request, *, register: bool) -> Response:
    """An error before the redirect URI is proven is the error page (``page_endpoint``); after,
    it goes back to the client (``RedirectableError``)."""
    params = await page_params(request)
    async with transaction(request) as (tx, config):
        if register and not config.realm.registration_allowed:
            return error_page(request, registration.NOT_ALLOWED, status=400)
        try:
            auth = parse_authorization_request(config, params, issuer=issuer(request))
            current = await sso_session(request, tx, config)
            session = current[0] if current else None
            pending = current is not None and required_actions.next_action(current[1]) is not None
            show_form = login_flow.needs_login(auth, session, now=now(request), pending_action=pending)
            if isinstance(show_form, login_flow.PromptNoneRefused):
                if hinted_provider(config, auth) is None:
                    raise RedirectableError(show_form.error, auth.target(issuer(request)))
                show_form = True  # the hinted provider gets the prompt=none login
            if not show_form and session is not None:
                result = await login_flow.complete(
                    tx, config, auth, session, issuer=issuer(request), now=now(request), ids=randomness(request)
                )
                return send_response(request, auth.target(issuer(request)), result)
        except RedirectableError as redirect:
            return send_response(request, redirect.target, error_params(redirect.error, redirect.target))
        auth_session_id = request.cookies.get(login_flow.AUTH_SESSION_COOKIE) or randomness(request).new_secret(24)
        step = await login_flow.start_login(
            tx, config, auth, auth_session_id=auth_session_id, now=now(request), ids=randomness(request)
        )
    hinted = hinted_provider(config, auth)
    response: Response
    if hinted is not None:
        response = RedirectResponse(broker_login_url(request, step, hinted), status_code=302)
    elif register:
        response = registration_page(request, config, step)
    else:
        response = login_page(request, config, step, username=auth.login_hint or "")
    path = realm_cookie_path(config.realm.name)
    set_cookie(response, login_flow.AUTH_SESSION_COOKIE, auth_session_id, path=path, max_age=None)
    restart = base64.urlsafe_b64encode(urlencode(params).encode()).decode()
    set_cookie(response, login_flow.RESTART_COOKIE, restart, path=path, max_age=None)
    return response


def login_page(
    request: Request,
    config: RealmConfig,
    step: login_flow.LoginStep,
    *,
    username: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    # Keycloak's order: the step's token first (see ``login_flow.tab_of``).
    action = f"{issuer(request)}/login-actions/authenticate?" + urlencode(
        {"session_code": step.csrf, "tab_id": step.tab_id, "client_id": step.request.client_id}
    )
    context = {
        "realm_display_name": display_name(config),
        "action_url": action,
        "username": username,
        "error": error,
        "csrf_token": step.csrf,
        "providers": login_providers(request, config, step),
        "registration_url": registration_url(request, step) if config.realm.registration_allowed else None,
    }
    return render_page(request, "login.html", context, status=status)


@page_endpoint
async def authenticate_form(request: Request) -> Response:
    """``POST /realms/{realm}/login-actions/authenticate``: the login form's submission."""
    ctx = get_ctx(request)
    form = await form_params(request)
    session_code = request.query_params.get("session_code", "")
    async with transaction(request) as (tx, config):
        tab_id = request.query_params.get("tab_id") or await login_flow.tab_of(tx, session_code, now=now(request))
        step = await login_flow.load_step(tx, tab_id or "", now=now(request))
        if step is not None and request.method != "POST":  # a reload of the form's URL
            return login_page(request, config, step, username=step.request.login_hint or "")
        if step is None:
            return login_expired_page(request, config)
        csrf = form.get("csrf_token") or session_code  # the form's field, or the token in its action URL
        if not step.csrf_ok(request.cookies.get(login_flow.AUTH_SESSION_COOKIE), csrf):
            return form_not_verified_page(request, "the login form")
        username = form.get("username", "")
        try:
            user = await authenticate(
                tx,
                config,
                username,
                form.get("password", ""),
                now=now(request),
                ids=randomness(request),
                ip_address=client_ip(request),
            )
        except LoginFailure as failure:
            ctx.metrics.login(False)
            await record_step_event(
                request,
                tx,
                config,
                step,
                "LOGIN_ERROR",
                user_id=failure.user_id,
                error=failure.error,
                details={"username": username, "redirect_uri": step.request.redirect_uri},
            )
            return login_page(request, config, step, username=username, error=failure.message)
        response = await continue_login(request, tx, config, step, user)
    ctx.metrics.login(True)
    return response
