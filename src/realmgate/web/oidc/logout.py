"""``.../logout``: RP-initiated logout (GET/POST), its confirmation, and back-channel POST logout."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realmgate.crypto.secrets import new_secret
from realmgate.protocol import events, login_flow
from realmgate.protocol.errors import OAuthError
from realmgate.protocol.logout import backchannel_logout, plan_logout
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.sessions import end_session
from realmgate.store.interface import Tx
from realmgate.web.oidc.responses import clear_sso_cookies
from realmgate.web.oidc.support import client_ip, form_params, issuer, now, query_params, realm_name, transaction
from realmgate.web.pages import error_page, render_page

CONFIRM_TTL = 600


def _confirm_key(code: str) -> str:
    return f"logout-confirm:{code}"


def _done(request: Request, redirect: str | None) -> Response:
    response: Response
    if redirect is not None:
        response = RedirectResponse(redirect, status_code=302)
    else:
        response = render_page(request, "logged-out.html", {"title": "Signed out"})
    clear_sso_cookies(response, realm_name(request))
    return response


async def logout(request: Request) -> Response:
    try:
        params = await form_params(request) if request.method == "POST" else query_params(request)
    except OAuthError as error:
        return error_page(request, error.description)
    if request.method == "POST" and "refresh_token" in params:
        async with transaction(request) as (tx, config):
            await backchannel_logout(
                tx,
                config,
                params,
                authorization=request.headers.get("authorization"),
                issuer=issuer(request),
                now=now(request),
            )
        return Response(status_code=204)
    if request.method == "POST" and "session_code" in params:
        return await _confirmed(request, params["session_code"])
    try:
        async with transaction(request) as (tx, config):
            current = await login_flow.sso_session(
                tx,
                config,
                request.cookies.get(login_flow.SSO_COOKIE),
                issuer=issuer(request),
                now=now(request),
            )
            plan = plan_logout(
                config, params, sso_session_id=current[0].id if current else None, issuer=issuer(request)
            )
            if plan.confirm:
                code = new_secret(24)
                value = json.dumps({"session_id": plan.session_id, "redirect": plan.redirect})
                await tx.single_use.put(_confirm_key(code), value, now(request) + CONFIRM_TTL)
            elif plan.session_id is not None:
                await end_with_event(
                    request, tx, config, plan.session_id, plan.client.client_id if plan.client else None
                )
    except OAuthError as error:
        return error_page(request, error.description, status=error.status)
    if plan.confirm:
        context = {"action_url": f"{issuer(request)}/protocol/openid-connect/logout", "session_code": code}
        return render_page(request, "logout-confirm.html", context)
    return _done(request, plan.redirect)


async def end_with_event(request: Request, tx: Tx, config: RealmConfig, session_id: str, client_id: str | None) -> None:
    session = await tx.sessions.get(config.realm.id, session_id)
    if session is None:
        return
    await end_session(tx, config.realm, session_id)
    await events.record(
        tx,
        config,
        "LOGOUT",
        now=now(request),
        client_id=client_id,
        user_id=session.user_id,
        session_id=session_id,
        ip_address=client_ip(request),
    )


async def _confirmed(request: Request, code: str) -> Response:
    async with transaction(request) as (tx, config):
        raw = await tx.single_use.consume(_confirm_key(code), now(request))
        if raw is None:
            return error_page(request, "Logout request expired. Please log out again.")
        pending = json.loads(raw)
        if pending["session_id"]:
            await end_with_event(request, tx, config, pending["session_id"], None)
    redirect = pending["redirect"]
    return _done(request, redirect if isinstance(redirect, str) else None)
