"""Sending the authorization response (or error) back to the client, and SSO cookies."""

from __future__ import annotations

import base64
import hashlib

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realmgate.protocol.authorize import ResponseTarget, redirect_location
from realmgate.protocol.login_flow import SESSION_COOKIE, SSO_COOKIE
from realmgate.web.pages import render_page
from realmgate.web.security import clear_cookie, set_cookie

_FORM_POST_SCRIPT = "document.forms[0].submit();"


def realm_cookie_path(realm: str) -> str:
    return f"/realms/{realm}/"


def send_response(request: Request, target: ResponseTarget, params: list[tuple[str, str]]) -> Response:
    """302 for query/fragment modes; an auto-submitting form for ``form_post``."""
    if target.response_mode != "form_post":
        return RedirectResponse(redirect_location(target, params), status_code=302)
    digest = base64.b64encode(hashlib.sha256(_FORM_POST_SCRIPT.encode()).digest()).decode()
    response = render_page(
        request,
        "form-post.html",
        {"action": target.redirect_uri, "fields": params, "script": _FORM_POST_SCRIPT, "title": "Submit"},
    )
    response.headers["content-security-policy"] = (
        f"default-src 'self'; script-src 'sha256-{digest}'; form-action {_origin(target.redirect_uri)}"
    )
    return response


def _origin(uri: str) -> str:
    scheme, _, rest = uri.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].split('?', 1)[0]}" if rest else "*"


def set_sso_cookies(response: Response, realm: str, identity: str, user_id: str, session_id: str) -> None:
    """Browser-session cookies, as Keycloak sets them without "remember me": closing the browser
    ends SSO; the server-side session's idle and max lifespans bound it otherwise."""
    path = realm_cookie_path(realm)
    set_cookie(response, SSO_COOKIE, identity, path=path, max_age=None)
    # Keycloak's "realm/user/session", read by the session iframe's script (keycloak-js), so not
    # HttpOnly; the session id alone grants nothing (the SSO cookie is the signed one).
    session = f"{realm}/{user_id}/{session_id}"
    set_cookie(response, SESSION_COOKIE, session, path=path, max_age=None, http_only=False)


def clear_sso_cookies(response: Response, realm: str) -> None:
    for name in (SSO_COOKIE, SESSION_COOKIE):
        clear_cookie(response, name, path=realm_cookie_path(realm))
