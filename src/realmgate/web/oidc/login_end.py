"""The end of a browser login: required actions first, then the session, code and SSO cookies.

Every way of authenticating (password form, broker, first broker login) ends in
``continue_login``. When the user owes a required action, the login step is kept with the
authenticated user and the action's page is shown; its form posts to
``/realms/{realm}/login-actions/required-action?execution=...&tab_id=...`` (Keycloak's path),
which checks the step, its auth-session cookie and CSRF token before acting. An action
realmgate has no page for stops the login ("Account is not fully set up"): never a code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from realmgate.model.session import SessionMarks
from realmgate.model.user import UPDATE_PASSWORD, User
from realmgate.protocol import login_flow, required_actions
from realmgate.protocol.credentials import PasswordRejected
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx
from realmgate.web.errors import page_endpoint
from realmgate.web.oidc.plumbing import (
    client_ip,
    display_name,
    form_not_verified_page,
    form_params,
    issuer,
    login_expired_page,
    now,
    randomness,
    realm_name,
    record_step_event,
    send_after,
    sso_session,
    transaction,
)
from realmgate.web.oidc.responses import send_response, set_sso_cookies
from realmgate.web.pages import error_page, render_page

log = logging.getLogger("realmgate.login")


async def continue_login(
    request: Request,
    tx: Tx,
    config: RealmConfig,
    step: login_flow.LoginStep,
    user: User,
    *,
    marks: SessionMarks | None = None,
    event_details: Mapping[str, str] | None = None,
) -> Response:
    """After ``user`` has authenticated in ``step``: the page of their next required action, or
    the end of the login. Call it inside the transaction and return its
    response once the transaction has committed. The broker passes its session ``marks`` and
    ``event_details`` (such as ``identity_provider``); both wait in the step if an action comes
    first."""
    action = required_actions.next_action(user)
    if action is None:
        return await _finish_login(request, tx, config, step, user, marks=marks, event_details=event_details)
    if action not in required_actions.SUPPORTED:
        await login_flow.finish_step(tx, step)
        log.warning(
            "login of user %s in realm %s stopped: required action %s has no page yet",
            user.id,
            config.realm.name,
            action,
        )
        return error_page(request, required_actions.NOT_FULLY_SET_UP, status=400)
    held = await login_flow.hold_for_action(
        tx,
        config,
        step,
        login_flow.Authenticated(user.id, marks or SessionMarks(), dict(event_details or {})),
        now=now(request),
        ids=randomness(request),
    )
    return action_page(request, config, held, action)


def action_page(
    request: Request, config: RealmConfig, step: login_flow.LoginStep, action: str, *, error: str | None = None
) -> Response:
    """The page of ``action`` (only ``UPDATE_PASSWORD`` has one today), posting back to the step."""
    query = urlencode({"execution": action, "client_id": step.request.client_id, "tab_id": step.tab_id})
    context = {
        "realm_display_name": display_name(config),
        "action_url": f"{issuer(request)}/login-actions/required-action?{query}",
        "csrf_token": step.csrf,
        "error": error,
    }
    return render_page(request, "login-update-password.html", context, status=200 if error is None else 400)


@page_endpoint
async def required_action(request: Request) -> Response:
    """``GET|POST /realms/{realm}/login-actions/required-action``: the action form's target."""
    form = await form_params(request) if request.method == "POST" else {}
    async with transaction(request) as (tx, config):
        step = await login_flow.load_step(tx, request.query_params.get("tab_id", ""), now=now(request))
        held = step.authenticated if step is not None else None
        user = await tx.users.get(config.realm.id, held.user_id) if held is not None else None
        if step is None or held is None or user is None or not user.enabled:
            return login_expired_page(request, config)
        action = required_actions.next_action(user)
        if action != UPDATE_PASSWORD or request.query_params.get("execution") != action:
            # The admin changed the user's actions meanwhile, or the URL names another action.
            return await continue_login(
                request, tx, config, step, user, marks=held.marks, event_details=held.event_details
            )
        if request.method != "POST":  # a reload of the form's URL
            return action_page(request, config, step, action)
        if not step.csrf_ok(request.cookies.get(login_flow.AUTH_SESSION_COOKIE), form.get("csrf_token")):
            return form_not_verified_page(request, "the form")
        return await _update_password(request, tx, config, step, user, form)


async def _update_password(
    request: Request,
    tx: Tx,
    config: RealmConfig,
    step: login_flow.LoginStep,
    user: User,
    form: Mapping[str, str],
) -> Response:
    """The "update password" form: check it, save the password, record the event, go on."""
    new = form.get("password-new", "")
    problem = required_actions.new_password_problem(new, form.get("password-confirm", ""))
    if problem is None:
        try:
            user = await required_actions.update_password(
                tx, config, user, new, now=now(request), ids=randomness(request)
            )
        except PasswordRejected as rejected:
            problem = rejected.message
    if problem is not None:
        return action_page(request, config, step, UPDATE_PASSWORD, error=problem)
    for event_type in ("UPDATE_PASSWORD", "UPDATE_CREDENTIAL"):
        await record_step_event(
            request,
            tx,
            config,
            step,
            event_type,
            user_id=user.id,
            details={"username": user.username, "credential_type": "password"},
        )
    held = step.authenticated
    assert held is not None  # checked by the caller
    return await continue_login(request, tx, config, step, user, marks=held.marks, event_details=held.event_details)


async def _finish_login(
    request: Request,
    tx: Tx,
    config: RealmConfig,
    step: login_flow.LoginStep,
    user: User,
    *,
    marks: SessionMarks | None,
    event_details: Mapping[str, str] | None,
) -> Response:
    """End a login step for a user with nothing left to do (``login_flow.finish``), record the
    LOGIN event, and render the result: the response to the client with the SSO cookies."""
    current = await sso_session(request, tx, config)
    result = await login_flow.finish(
        tx,
        config,
        step,
        user,
        current=current[0] if current else None,
        marks=marks,
        issuer=issuer(request),
        now=now(request),
        ids=randomness(request),
        ip_address=client_ip(request),
    )
    await record_step_event(
        request,
        tx,
        config,
        step,
        "LOGIN",
        user_id=user.id,
        session_id=result.session.id,
        details={"username": user.username, "redirect_uri": step.request.redirect_uri, **(event_details or {})},
    )
    response = send_response(request, result.target, result.params)
    set_sso_cookies(response, realm_name(request), result.sso_cookie, user.id, result.session.id)
    return send_after(request, response, result.ended)
