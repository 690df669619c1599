"""The single place where errors become responses.

- ``AdminError`` -> its exact Keycloak body, status and headers.
- ``OAuthError`` -> its JSON body and status (``InvalidRedirectUri`` -> an error page, since
  the redirect target itself is untrusted); ``description`` is public, ``detail`` is only logged.
- Store ``Unavailable`` -> 503.
- Starlette's 404/405/413 -> JSON; a 404 under ``/realms/{realm}/`` of a realm that does not
  exist -> Keycloak's ``{"error": "Realm does not exist"}``. A browser (``Accept: text/html``)
  gets a "Page not found" page for a 404 instead.
- Anything else -> 500 ``server_error``, traceback in the log only (``UnhandledErrorMiddleware``).
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from realmgate.admin.errors import AdminError
from realmgate.protocol.errors import InvalidRedirectUri, InvalidToken, OAuthError, RealmNotFound
from realmgate.store.interface import Unavailable
from realmgate.web.context import get_ctx
from realmgate.web.logging import printable
from realmgate.web.pages import error_page, wants_html

log = logging.getLogger("realmgate.errors")
NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}


def json_error(status: int, description: str | None = None, *, error: str | None = None) -> JSONResponse:
    """``{"error": ..., "error_description": ...}``; ``error`` defaults to ``description``."""
    body: dict[str, str] = {"error": error or description or "unknown_error"}
    if description is not None and error is not None:
        body["error_description"] = description
    return JSONResponse(body, status_code=status, headers=NO_STORE)


async def oauth_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthError)
    if exc.detail:
        log.info("%s %s: %s (%s)", request.method, printable(request.url.path), exc.error, printable(exc.detail))
    if isinstance(exc, InvalidRedirectUri):
        return error_page(request, exc.description, status=exc.status)
    headers = dict(NO_STORE)
    if isinstance(exc, InvalidToken) or exc.error == "insufficient_scope":
        realm = request.path_params.get("realm", "")
        headers["www-authenticate"] = (
            f'Bearer realm="{realm}", error="{exc.error}", error_description="{exc.description}"'
        )
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


async def admin_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AdminError)
    return JSONResponse(exc.body, status_code=exc.status, headers={**NO_STORE, **exc.headers})


async def unavailable(request: Request, exc: Exception) -> Response:
    log.error("%s %s: database unavailable: %s", request.method, printable(request.url.path), exc)
    return json_error(503, "The service is temporarily unavailable", error="temporarily_unavailable")


async def _realm_missing(request: Request) -> bool:
    """True when the path is ``/realms/{name}/...`` and no realm has that name."""
    parts = request.url.path.split("/")
    if len(parts) < 3 or parts[1] != "realms" or not parts[2]:
        return False
    try:
        async with get_ctx(request).store.tx() as tx:
            return await tx.realms.get_by_name(parts[2]) is None
    except Unavailable:
        return False


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        missing_realm = await _realm_missing(request)
        if wants_html(request):  # a browser: a page, as Keycloak's "Page not found"
            return error_page(request, "Realm does not exist." if missing_realm else "Page not found.", status=404)
        if missing_realm:
            return JSONResponse(RealmNotFound("").body(), status_code=404, headers=NO_STORE)
        return json_error(404, "Unable to find matching target resource method")
    if exc.status_code == 405:
        response = json_error(405, "Method Not Allowed")
    elif exc.status_code == 413:
        response = json_error(413, "Request body too large", error="invalid_request")
    else:
        response = json_error(exc.status_code, exc.detail)
    response.headers.update(exc.headers or {})
    return response


EXCEPTION_HANDLERS = {
    AdminError: admin_error,
    OAuthError: oauth_error,
    Unavailable: unavailable,
    HTTPException: http_error,
}


class UnhandledErrorMiddleware:
    """Last line of defence: log the traceback, answer 500 ``server_error`` (if nothing was sent
    yet) and swallow the exception so it is logged once and never reaches the client."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("Unhandled error on %s %s", printable(scope["method"]), printable(scope["path"]))
            if started:
                return
            request = Request(scope)
            response: Response
            if wants_html(request):
                response = error_page(request, "An unexpected error occurred.", status=500)
            else:
                response = json_error(500, "Unexpected server error", error="server_error")
            await response(scope, receive, send)
