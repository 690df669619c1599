"""The device authorization grant's HTTP side (RFC 8628; the protocol is ``protocol.device``).

- ``POST .../protocol/openid-connect/auth/device``: a device asks for its codes.
- ``GET|POST /realms/{realm}/device``: the verification page where the user types the user
  code (CSRF: a double-submit token, cookie and hidden field). A known code starts the ordinary
  browser login for the device's client, whose response comes back to ``/device/status``
  (a URL of ours, never a client's redirect URI); an SSO session skips the form.
- ``GET /realms/{realm}/device/status``: the login's code is redeemed at once, and the user is
  asked to confirm (RFC 8628 §5.4: the device in front of them asked for this).
- ``POST /realms/{realm}/device/confirm``: the answer, from the session that signed in, with the
  confirmation form's token. The device's next poll then gets tokens, or ``access_denied``.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from realmgate.protocol import device, login_flow, requests, required_actions
from realmgate.protocol.authorize import AuthorizationRequest
from realmgate.protocol.codes import redeem_code
from realmgate.protocol.errors import InvalidGrant, OAuthError
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.web.errors import ErrorAnswer, answering, error_page_answer, page_endpoint
from realmgate.web.oidc.authorize import login_page
from realmgate.web.oidc.plumbing import (
    display_name,
    endpoint_call,
    form_not_verified_page,
    form_params,
    issuer,
    json_response,
    now,
    page_params,
    randomness,
    sso_session,
    transaction,
)
from realmgate.web.oidc.responses import realm_cookie_path, send_response
from realmgate.web.pages import error_page, render_page
from realmgate.web.security import set_cookie

CSRF_COOKIE = "KC_DEVICE_CSRF"
INVALID_CODE = "Invalid code, please try again."


def _status_error_page(request: Request, error: OAuthError) -> Response:
    """The status page's answer to an error: a code that cannot be redeemed (unknown, expired,
    replayed) is the "invalid code" page the user can act on; anything else (an unknown realm)
    is the ordinary error page."""
    if isinstance(error, InvalidGrant):
        return error_page(request, INVALID_CODE)
    return error_page_answer(request, error)


def verification_uri(request: Request) -> str:
    return f"{issuer(request)}/device"


def _status_uri(request: Request) -> str:
    return f"{issuer(request)}/device/status"


async def device_authorization(request: Request) -> Response:
    device_request = requests.parse_device_authorization(await form_params(request))
    async with transaction(request) as (tx, config):
        started = await device.start(tx, config, device_request, endpoint_call(request))
    page = verification_uri(request)
    return json_response(
        {
            "device_code": started.device_code,
            "user_code": started.user_code,
            "verification_uri": page,
            "verification_uri_complete": f"{page}?{urlencode({'user_code': started.user_code})}",
            "expires_in": started.expires_in,
            "interval": started.interval,
        }
    )


def _code_page(request: Request, config: RealmConfig, *, user_code: str, error: str | None = None) -> Response:
    token = request.cookies.get(CSRF_COOKIE) or randomness(request).new_secret(24)
    context = {
        "realm_display_name": display_name(config),
        "action_url": verification_uri(request),
        "user_code": user_code,
        "csrf_token": token,
        "error": error,
    }
    response = render_page(request, "device.html", context, status=400 if error else 200)
    set_cookie(response, CSRF_COOKIE, token, path=realm_cookie_path(config.realm.name), max_age=None)
    return response


@page_endpoint
async def verification(request: Request) -> Response:
    """The page where the user enters the code their device shows."""
    if request.method != "POST":
        async with transaction(request) as (_, config):
            return _code_page(request, config, user_code=request.query_params.get("user_code", ""))
    form = await page_params(request)
    cookie, posted = request.cookies.get(CSRF_COOKIE, ""), form.get("csrf_token", "")
    if not cookie or not hmac.compare_digest(cookie.encode(), posted.encode()):
        return form_not_verified_page(request, "the device code form")
    async with transaction(request) as (tx, config):
        pending = await device.find_pending(tx, form.get("user_code", ""), now=now(request))
        if pending is None:
            return _code_page(request, config, user_code=form.get("user_code", ""), error=INVALID_CODE)
        auth = AuthorizationRequest(
            client_id=pending.record.client_id,
            redirect_uri=_status_uri(request),
            response_mode="query",
            scope=pending.record.scope,
            state=pending.handle,
        )
        current = await sso_session(request, tx, config)
        if current is not None and required_actions.next_action(current[1]) is None:
            result = await login_flow.complete(
                tx, config, auth, current[0], issuer=issuer(request), now=now(request), ids=randomness(request)
            )
            return send_response(request, auth.target(issuer(request)), result)
        auth_session_id = request.cookies.get(login_flow.AUTH_SESSION_COOKIE) or randomness(request).new_secret(24)
        step = await login_flow.start_login(
            tx, config, auth, auth_session_id=auth_session_id, now=now(request), ids=randomness(request)
        )
    response = login_page(request, config, step, username="")
    path = realm_cookie_path(config.realm.name)
    set_cookie(response, login_flow.AUTH_SESSION_COOKIE, auth_session_id, path=path, max_age=None)
    return response


@answering(ErrorAnswer(render=_status_error_page))
async def status(request: Request) -> Response:
    """The browser login for a device request has ended here: ask the user to confirm."""
    code, handle = request.query_params.get("code", ""), request.query_params.get("state", "")
    async with transaction(request) as (tx, config):
        data = await redeem_code(tx, config, code, now=now(request))
        if data.redirect_uri != _status_uri(request):
            return error_page(request, INVALID_CODE)
        pending = await device.signed_in(
            tx,
            handle,
            client_id=data.client_id,
            session_id=data.session_id,
            user_id=data.user_id,
            now=now(request),
            ids=randomness(request),
        )
        if pending is None or pending.record.confirm_token is None:
            return error_page(request, INVALID_CODE)
        client = config.clients[data.client_id]
        context = {
            "realm_display_name": display_name(config),
            "client_name": client.name or client.client_id,
            "action_url": f"{issuer(request)}/device/confirm",
            "handle": handle,
            "confirm_token": pending.record.confirm_token,
        }
        return render_page(request, "device-confirm.html", context)


@page_endpoint
async def confirm(request: Request) -> Response:
    form = await page_params(request)
    async with transaction(request) as (tx, config):
        current = await sso_session(request, tx, config)
        approve = "accept" in form
        decided = await device.decide(
            tx,
            form.get("handle", ""),
            token=form.get("confirm_token", ""),
            session_id=current[0].id if current else None,
            approve=approve,
            now=now(request),
        )
        if decided is None:
            return form_not_verified_page(request, "the device confirmation form")
        message = (
            "Device login successful. You may close this window and return to your device."
            if approve
            else "You denied the device access. You may close this window."
        )
        context = {"realm_display_name": display_name(config), "message": message, "approved": approve}
        return render_page(request, "device-result.html", context)
