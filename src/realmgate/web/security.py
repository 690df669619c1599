"""Browser-facing protections: security headers, cookies, request body size limit.

Headers are added to every response that does not set its own (a page that needs a different
CSP sets ``Content-Security-Policy`` itself). The cookie helper decides ``Secure`` from the
frontend URL of the request being served, which the headers middleware records per request.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Literal

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from realmgate.web.errors import json_error
from realmgate.web.urls import frontend_is_https

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-frame-options", "SAMEORIGIN"),
    (
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; frame-src 'self'; frame-ancestors 'self'; "
        "object-src 'none'; base-uri 'self'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-robots-tag", "none"),
)
HSTS = ("strict-transport-security", "max-age=31536000; includeSubDomains")

# Whether the frontend of the request being served is https (set by SecurityHeadersMiddleware).
_frontend_https: ContextVar[bool] = ContextVar("realmgate_frontend_https", default=False)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = frontend_is_https(HTTPConnection(scope))
        token = _frontend_https.set(https)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name not in headers:
                        headers[name] = value
                if https and HSTS[0] not in headers:
                    headers[HSTS[0]] = HSTS[1]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            _frontend_https.reset(token)


def set_cookie(
    response: Response,
    name: str,
    value: str,
    *,
    path: str,
    max_age: int | None,
    http_only: bool = True,
    same_site: Literal["lax", "strict", "none"] = "lax",
) -> None:
    """Set a cookie; ``Secure`` when the frontend is https (always with SameSite=None, which
    browsers otherwise reject). ``max_age`` None makes a session cookie."""
    secure = _frontend_https.get() or same_site == "none"
    response.set_cookie(name, value, max_age=max_age, path=path, secure=secure, httponly=http_only, samesite=same_site)


def clear_cookie(response: Response, name: str, *, path: str) -> None:
    """Expire a cookie set by ``set_cookie`` (same name and path)."""
    response.set_cookie(name, "", max_age=0, expires=0, path=path, secure=_frontend_https.get())


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, "Request body too large")


class BodyLimitMiddleware:
    """Refuse request bodies over ``limit`` bytes with 413: up front from Content-Length, or while
    streaming (chunked bodies), by raising ``BodyTooLarge`` out of ``receive``."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.limit:
                    await _too_large(scope, receive, send)
                    return
                break
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited_receive, send)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = json_error(413, "Request body too large", error="invalid_request")
    response.headers["connection"] = "close"
    await response(scope, receive, send)


class CollapseSlashesMiddleware:
    """Treat ``//admin/serverinfo`` as ``/admin/serverinfo``, as Keycloak does.

    Why: some Keycloak clients (the npm admin client among them) join a base URL ending in
    ``/`` with a path starting with ``/``; Keycloak's server normalises the doubled slash, so
    those clients work there and must work here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            scope = {**scope, "path": _collapse_slashes(scope["path"])}
            if scope.get("raw_path"):
                scope["raw_path"] = _collapse_slashes(scope["raw_path"].decode("latin-1")).encode("latin-1")
        await self.app(scope, receive, send)


def _collapse_slashes(path: str) -> str:
    while "//" in path:
        path = path.replace("//", "/")
    return path
