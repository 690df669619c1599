"""The registration form of a login (``registrationAllowed``), on Keycloak's paths.

The login form links to ``/realms/{realm}/login-actions/registration?client_id&tab_id&session_code``
("New user? Register"), and keycloak-js's ``createRegisterUrl()`` opens
``.../protocol/openid-connect/registrations``, which starts a login and shows this form at once.
The form posts back to the same URL; like the login form it is checked against its login step,
the step's CSRF token and the auth-session cookie. A valid form creates the user
(``protocol.registration``), records ``REGISTER`` and ends the login as a password login would:
the user is signed in and the client gets its code.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from realmgate.protocol import login_flow, registration
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.web.app_context import get_ctx
from realmgate.web.errors import page_endpoint
from realmgate.web.oidc.login_end import continue_login
from realmgate.web.oidc.plumbing import (
    display_name,
    form_not_verified_page,
    form_params,
    issuer,
    login_expired_page,
    now,
    randomness,
    record_step_event,
    transaction,
)
from realmgate.web.pages import error_page, render_page


def _step_query(step: login_flow.LoginStep) -> str:
    return urlencode({"session_code": step.csrf, "tab_id": step.tab_id, "client_id": step.request.client_id})


def registration_url(request: Request, step: login_flow.LoginStep) -> str:
    """The login page's "Register" link for this login step."""
    return f"{issuer(request)}/login-actions/registration?{_step_query(step)}"


def registration_page(
    request: Request,
    config: RealmConfig,
    step: login_flow.LoginStep,
    *,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
) -> Response:
    """Keycloak's "Register" form; ``problems`` (field name → message) are shown by their inputs."""
    context = {
        "realm_display_name": display_name(config),
        "action_url": registration_url(request, step),
        "login_url": f"{issuer(request)}/login-actions/authenticate?{_step_query(step)}",
        "csrf_token": step.csrf,
        "email_as_username": config.realm.registration_email_as_username,
        "values": dict(values or {}),
        "problems": dict(problems or {}),
    }
    return render_page(request, "register.html", context, status=400 if problems else 200)


@page_endpoint
async def registration_form(request: Request) -> Response:
    """``GET|POST /realms/{realm}/login-actions/registration``: the form and its submission."""
    form = await form_params(request) if request.method == "POST" else {}
    async with transaction(request) as (tx, config):
        if not config.realm.registration_allowed:
            return error_page(request, registration.NOT_ALLOWED, status=400)
        step = await login_flow.load_step(tx, request.query_params.get("tab_id", ""), now=now(request))
        if step is None or step.authenticated is not None:
            return login_expired_page(request, config)
        if request.method != "POST":
            return registration_page(request, config, step)
        csrf = form.get("csrf_token") or request.query_params.get("session_code")
        if not step.csrf_ok(request.cookies.get(login_flow.AUTH_SESSION_COOKIE), csrf):
            return form_not_verified_page(request, "the registration form")
        submitted = registration.Registration.from_form(config, form)
        try:
            user = await registration.register(tx, config, submitted, now=now(request), ids=randomness(request))
        except registration.RegistrationRefused as refused:
            return registration_page(request, config, step, values=submitted.values(), problems=refused.problems)
        await record_step_event(
            request,
            tx,
            config,
            step,
            "REGISTER",
            user_id=user.id,
            details={
                "register_method": "form",
                "username": user.username,
                "email": user.email or "",
                "first_name": user.first_name or "",
                "last_name": user.last_name or "",
                "redirect_uri": step.request.redirect_uri,
            },
        )
        response = await continue_login(request, tx, config, step, user)
    get_ctx(request).metrics.login(True)
    return response
