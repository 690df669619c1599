"""The single place where errors become responses.

- ``AdminError`` -> its exact Keycloak body, status and headers.
- ``OAuthError`` -> its JSON body, status and ``WWW-Authenticate`` challenge (``challenge``;
  ``InvalidRedirectUri`` -> an error page, since
  the redirect target itself is untrusted); ``description`` is public, ``detail`` is only logged.
  An endpoint that answers otherwise says so once, as a property of the endpoint: ``page_endpoint``
  (a browser page: the error page) or ``answering(answer)``; a handler that only learns its answer
  from the request (CORS headers of the client, a metric to count) calls ``answer_errors`` before
  it calls the service. Either way the handler lets the error propagate.
- Store ``Unavailable`` -> 503.
- Starlette's 404/405/413 -> JSON; a 404 under ``/realms/{realm}/`` of a realm that does not
  exist -> Keycloak's ``{"error": "Realm does not exist"}``. A browser (``Accept: text/html``)
  gets a "Page not found" page for a 404 instead.
- Anything else -> 500 ``server_error``, traceback in the log only (``UnhandledErrorMiddleware``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from realmgate.admin.errors import AdminError
from realmgate.protocol.errors import (
    InsufficientScope,
    InvalidClient,
    InvalidRedirectUri,
    InvalidToken,
    OAuthError,
    RealmNotFound,
)
from realmgate.store.interface import Unavailable
from realmgate.web.app_context import get_ctx
from realmgate.web.logging import printable
from realmgate.web.pages import error_page, wants_html

log = logging.getLogger("realmgate.errors")
NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}
ANSWER_KEY = "realmgate.error_answer"


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    """How the request's ``OAuthError`` is answered, when more than the JSON default."""

    headers: Mapping[str, str] = field(default_factory=dict)  # added to the JSON answer (CORS)
    render: Callable[[Request, OAuthError], Response] | None = None  # instead of JSON (a page)
    failed: Callable[[], None] | None = None  # told before the answer is built (a metric)


JSON_ANSWER = ErrorAnswer()


def answer_errors(request: Request, answer: ErrorAnswer) -> None:
    """From now on, an ``OAuthError`` of this request is answered as ``answer`` says (kept in the
    ASGI scope, which the exception handler sees; a later call replaces it)."""
    request.scope[ANSWER_KEY] = answer


def error_page_answer(request: Request, error: OAuthError) -> Response:
    """``render`` of a page-rendering handler: the error's description on the error page."""
    return error_page(request, error.description, status=error.status)


PAGE_ANSWER = ErrorAnswer(render=error_page_answer)

Endpoint = Callable[[Request], Awaitable[Response]]


def answering(answer: ErrorAnswer) -> Callable[[Endpoint], Endpoint]:
    """Decorate an endpoint whose every ``OAuthError`` is answered as ``answer`` says: set before
    its first line, so parsing, the realm lookup and the service all answer alike."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def answered(request: Request) -> Response:
            answer_errors(request, answer)
            return await endpoint(request)

        return answered

    return decorate


page_endpoint = answering(PAGE_ANSWER)
"""A browser page (login form, broker legs, logout...): an ``OAuthError`` anywhere in it is
answered with the error page, its description and status; never JSON to a browser."""


def json_error(status: int, description: str | None = None, *, error: str | None = None) -> JSONResponse:
    """``{"error": ..., "error_description": ...}``; ``error`` defaults to ``description``."""
    body: dict[str, str] = {"error": error or description or "unknown_error"}
    if description is not None and error is not None:
        body["error_description"] = description
    return JSONResponse(body, status_code=status, headers=NO_STORE)


def _quoted(value: str) -> str:
    """An RFC 7230 quoted-string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def challenge(error: OAuthError, realm: str) -> str | None:
    """The one place an OAuth error gets its ``WWW-Authenticate`` challenge, or None.

    - ``invalid_client`` answered with 401 (RFC 6749 §5.2; RFC 7235 requires a challenge on
      every 401): ``Basic``, the scheme clients authenticate with here.
    - ``invalid_token`` / ``insufficient_scope`` (RFC 6750 §3): ``Bearer``.

    Each carries the body's ``error`` and ``error_description`` too: strict clients (openid-client
    6) read the error from the challenge when there is one, so the two must say the same."""
    if isinstance(error, InvalidClient) and error.status == 401:
        scheme = "Basic"
    elif isinstance(error, InvalidToken | InsufficientScope):
        scheme = "Bearer"
    else:
        return None
    params = {"realm": realm, "error": error.error, "error_description": error.description}
    return f"{scheme} " + ", ".join(f"{name}={_quoted(value)}" for name, value in params.items())


def oauth_json(request: Request, error: OAuthError, *, headers: Mapping[str, str] | None = None) -> Response:
    """An OAuth error as its JSON body and status, with its challenge and ``headers`` (e.g. CORS)."""
    if error.detail:
        log.info("%s %s: %s (%s)", request.method, printable(request.url.path), error.error, printable(error.detail))
    all_headers = {**NO_STORE, **(headers or {})}
    www_authenticate = challenge(error, request.path_params.get("realm", ""))
    if www_authenticate is not None:
        all_headers["www-authenticate"] = www_authenticate
    return JSONResponse(error.body(), status_code=error.status, headers=all_headers)


async def oauth_error(request: Request, exc: Exception) -> Response:
    """The one translator of ``OAuthError``: JSON (with the challenge and the handler's headers),
    or the page the endpoint asked for (``page_endpoint``, ``answering``, ``answer_errors``)."""
    assert isinstance(exc, OAuthError)
    answer = request.scope.get(ANSWER_KEY, JSON_ANSWER)
    assert isinstance(answer, ErrorAnswer)
    if answer.failed is not None:
        answer.failed()
    if isinstance(exc, InvalidRedirectUri):
        if exc.detail:
            log.info("%s %s: %s (%s)", request.method, printable(request.url.path), exc.error, printable(exc.detail))
        return error_page(request, exc.description, status=exc.status)
    if answer.render is not None:
        return answer.render(request, exc)
    return oauth_json(request, exc, headers=answer.headers)


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
