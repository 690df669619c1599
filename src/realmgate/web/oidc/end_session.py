"""``.../logout``: RP-initiated logout (GET/POST), its confirmation, and back-channel POST logout.

Brokered sessions (note ``identity_provider``) may first need the upstream provider's logout:
the composition root puts the broker's hook in ``AppContext.upstream_logout``; the hook gets the session and the final
redirect and either returns a response (a redirect to the upstream's end-session endpoint; it
later calls ``finish_logout`` from its ``logout_response`` endpoint) or None to log out locally.

Every logout here ends its session through ``protocol.sessions.end_sessions``; the back-channel
logout tokens it returns go out with ``send_after``, once the response (and so the commit) is
done.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realmgate.protocol import events, requests
from realmgate.protocol.end_session import backchannel_logout, plan_logout
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.sessions import IDP_NOTE, end_sessions
from realmgate.store.interface import Tx
from realmgate.web.app_context import get_ctx
from realmgate.web.errors import JSON_ANSWER, answer_errors, page_endpoint
from realmgate.web.oidc.plumbing import (
    client_ip,
    endpoint_call,
    issuer,
    now,
    page_params,
    randomness,
    realm_name,
    send_after,
    sso_session,
    transaction,
)
from realmgate.web.oidc.responses import clear_sso_cookies
from realmgate.web.pages import error_page, render_page

CONFIRM_TTL = 600


def _confirm_key(code: str) -> str:
    return f"logout-confirm:{code}"


def logged_out(request: Request, redirect: str | None) -> Response:
    """The end of a browser logout: SSO cookies cleared, then the client's page or ours."""
    response: Response
    if redirect is not None:
        response = RedirectResponse(redirect, status_code=302)
    else:
        response = render_page(request, "logged-out.html", {"title": "Signed out"})
    clear_sso_cookies(response, realm_name(request))
    return response


async def finish_logout(
    request: Request,
    tx: Tx,
    config: RealmConfig,
    session_id: str | None,
    redirect: str | None,
    *,
    client_id: str | None = None,
    upstream: bool = True,
) -> Response:
    """End the session (after the upstream logout, if the broker wants one) and answer."""
    session = await tx.sessions.get(config.realm.id, session_id) if session_id else None
    if session is None:
        return logged_out(request, redirect)
    hook = get_ctx(request).upstream_logout
    if upstream and hook is not None and session.notes.get(IDP_NOTE):
        response = await hook(request, tx, config, session, redirect)
        if response is not None:
            return response
    items = await end_sessions(
        tx, config.realm, [session.id], issuer=issuer(request), now=now(request), ids=randomness(request)
    )
    await events.record(
        tx,
        config,
        "LOGOUT",
        now=now(request),
        ids=randomness(request),
        client_id=client_id,
        user_id=session.user_id,
        session_id=session.id,
        ip_address=client_ip(request),
    )
    return send_after(request, logged_out(request, redirect), items)


@page_endpoint
async def logout(request: Request) -> Response:
    """The browser's RP-initiated logout and its confirmation answer errors with the error page;
    the adapter logout on the same URL answers JSON (``_adapter_logout``)."""
    params = await page_params(request)
    if request.method == "POST" and "refresh_token" in params:
        return await _adapter_logout(request, params)
    if request.method == "POST" and "session_code" in params:
        return await _confirmed(request, params["session_code"])
    logout_request = requests.parse_logout_request(params)
    async with transaction(request) as (tx, config):
        current = await sso_session(request, tx, config)
        plan = plan_logout(
            config, logout_request, sso_session_id=current[0].id if current else None, issuer=issuer(request)
        )
        if plan.confirm:
            code = randomness(request).new_secret(24)
            value = json.dumps({"session_id": plan.session_id, "redirect": plan.redirect})
            await tx.single_use.put(_confirm_key(code), value, now(request) + CONFIRM_TTL)
        else:
            return await finish_logout(
                request,
                tx,
                config,
                plan.session_id,
                plan.redirect,
                client_id=plan.client.client_id if plan.client else None,
            )
    context = {"action_url": f"{issuer(request)}/protocol/openid-connect/logout", "session_code": code}
    return render_page(request, "logout-confirm.html", context)


async def _adapter_logout(request: Request, params: dict[str, str]) -> Response:
    """A Keycloak adapter's back-channel logout (a POST with its refresh token) shares the URL of
    the browser's logout but is an API call: its errors are JSON (``invalid_grant``, the client
    authentication's challenge), as at the token endpoint."""
    answer_errors(request, JSON_ANSWER)
    adapter_request = requests.parse_adapter_logout(params)
    async with transaction(request) as (tx, config):
        items = await backchannel_logout(tx, config, adapter_request, endpoint_call(request))
    return send_after(request, Response(status_code=204), items)


async def _confirmed(request: Request, code: str) -> Response:
    async with transaction(request) as (tx, config):
        raw = await tx.single_use.consume(_confirm_key(code), now(request))
        if raw is None:
            return error_page(request, "Logout request expired. Please log out again.")
        pending = json.loads(raw)
        redirect = pending["redirect"]
        return await finish_logout(
            request, tx, config, pending["session_id"], redirect if isinstance(redirect, str) else None
        )
