"""Shared plumbing of the OIDC handlers: parameters, realm snapshot, issuer, CORS, transactions.

Handlers stay thin: parse the request once (duplicate parameters refused), load the realm
snapshot, call one protocol function, and render its result.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from realmgate.crypto.secrets import Randomness
from realmgate.model.session import UserSession
from realmgate.model.user import User
from realmgate.protocol import events, login_flow, logout_tokens, requests
from realmgate.protocol.errors import InvalidRequest, OAuthError
from realmgate.protocol.logout_tokens import Delivery
from realmgate.protocol.params import single_valued
from realmgate.protocol.realm_cache import RealmCache, RealmConfig
from realmgate.protocol.redirect_uri import origin_allowed
from realmgate.store.interface import Tx
from realmgate.web.app_context import get_ctx
from realmgate.web.pages import error_page, render_page
from realmgate.web.urls import backend_base, frontend_base

log = logging.getLogger("realmgate.oidc")
NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}
FORM = "application/x-www-form-urlencoded"


def realm_cache(request: Request) -> RealmCache:
    """The process's realm snapshot cache (``AppContext.realm_cache``)."""
    return get_ctx(request).realm_cache


def now(request: Request) -> int:
    return int(get_ctx(request).clock())


def randomness(request: Request) -> Randomness:
    """The process's source of ids and secrets (``AppContext.ids``), for the services to use."""
    return get_ctx(request).ids


def realm_name(request: Request) -> str:
    name: str = request.path_params["realm"]
    return name


def issuer(request: Request) -> str:
    from realmgate.protocol.discovery import realm_url

    return realm_url(frontend_base(request), realm_name(request))


def backend(request: Request) -> str:
    return backend_base(request)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def query_params(request: Request) -> dict[str, str]:
    return single_valued(request.query_params.multi_items())


async def form_params(request: Request) -> dict[str, str]:
    """The urlencoded body (the only body format OAuth endpoints accept)."""
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    body = await request.body()
    if content_type != FORM:
        if not body:
            return {}
        raise InvalidRequest("Content-Type must be application/x-www-form-urlencoded")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise InvalidRequest("Request body is not UTF-8") from exc
    return single_valued(pairs)


async def page_params(request: Request) -> dict[str, str]:
    """The parameters of a page-rendering endpoint: the form of a POST, else the query. A
    malformed request is answered as the endpoint answers its errors (``page_endpoint``)."""
    return await form_params(request) if request.method == "POST" else query_params(request)


@asynccontextmanager
async def transaction(request: Request) -> AsyncIterator[tuple[Tx, RealmConfig]]:
    """A transaction with the realm snapshot. An ``OAuthError`` raised in the block is a
    decision, not a crash: the transaction commits (e.g. a replayed code has just revoked its
    tokens), then the error propagates to the single error translator."""
    failure: OAuthError | None = None
    async with get_ctx(request).store.tx() as tx:
        config = await realm_cache(request).load(tx, realm_name(request))
        try:
            yield tx, config
        except OAuthError as error:
            failure = error
    if failure is not None:
        raise failure


async def realm_config(request: Request) -> RealmConfig:
    """The realm snapshot for a handler that reads only configuration (discovery, certs): no
    transaction at all while the cached snapshot is still trusted."""
    cache = realm_cache(request)
    config = cache.cached(realm_name(request))
    if config is not None:
        return config
    async with get_ctx(request).store.tx() as tx:
        return await cache.load(tx, realm_name(request))


async def sso_session(request: Request, tx: Tx, config: RealmConfig) -> tuple[UserSession, User] | None:
    """The active session and enabled user this browser's SSO cookie points to, if any."""
    cookie = request.cookies.get(login_flow.SSO_COOKIE)
    return await login_flow.sso_session(tx, config, cookie, issuer=issuer(request), now=now(request))


def endpoint_call(request: Request) -> requests.EndpointCall:
    """What a back-channel service reads of this request besides its parameters."""
    return requests.EndpointCall(
        request.headers.get("authorization"), issuer(request), now(request), randomness(request), client_ip(request)
    )


def json_response(
    body: Mapping[str, object], *, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return JSONResponse(dict(body), status_code=status, headers={**NO_STORE, **(headers or {})})


def cors_headers(request: Request, config: RealmConfig, client_id: str | None) -> dict[str, str]:
    """CORS headers for a response to ``client_id``, when the request's Origin is allowed."""
    origin = request.headers.get("origin")
    client = config.clients.get(client_id) if client_id else None
    if not origin or client is None or not origin_allowed(origin, client, frontend_base(request)):
        return {}
    return {
        "access-control-allow-origin": origin,
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "Access-Control-Allow-Methods",
        "vary": "Origin",
    }


def preflight(request: Request) -> Response:
    """Answer a CORS preflight; the real response is then checked against the client's origins."""
    origin = request.headers.get("origin")
    headers = {
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": "Authorization, Content-Type",
        "access-control-max-age": "3600",
    }
    if origin:
        headers.update({"access-control-allow-origin": origin, "access-control-allow-credentials": "true"})
    return Response(status_code=200, headers=headers)


def display_name(config: RealmConfig) -> str:
    """The realm's name as its pages show it."""
    return config.realm.display_name or config.realm.name


def restart_url(request: Request) -> str | None:
    """The original authorization request from the restart cookie, to begin again."""
    raw = request.cookies.get(login_flow.RESTART_COOKIE)
    if not raw:
        return None
    try:
        query = base64.urlsafe_b64decode(raw.encode()).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return f"{issuer(request)}/protocol/openid-connect/auth?{query}"


def login_expired_page(request: Request, config: RealmConfig) -> Response:
    """The step of this login is gone (expired or used): offer to start the request again."""
    context = {"realm_display_name": display_name(config), "restart_url": restart_url(request)}
    return render_page(request, "login-expired.html", context, status=400)


def form_not_verified_page(request: Request, what: str) -> Response:
    """A login form whose CSRF token or auth-session cookie does not match its step."""
    message = f"Invalid request: {what} could not be verified. Please start again."
    return error_page(request, message, status=400, retry_url=restart_url(request))


def send_after(request: Request, response: Response, items: Sequence[Delivery]) -> Response:
    """``response``, posting the back-channel logout tokens ``items`` once it has been sent
    (return it from inside the transaction that built them: it commits before the response
    goes out, and a failed commit sends neither)."""
    if items:
        response.background = BackgroundTask(logout_tokens.deliver, get_ctx(request).http, list(items))
    return response


def bearer_token(request: Request, form: dict[str, str] | None = None) -> str | None:
    """The bearer token of the Authorization header, else the form's ``access_token``."""
    return requests.bearer_token(request.headers.get("authorization"), form or {})


async def record_step_event(
    request: Request,
    tx: Tx,
    config: RealmConfig,
    step: login_flow.LoginStep,
    event_type: str,
    *,
    details: Mapping[str, str],
    user_id: str | None = None,
    session_id: str | None = None,
    error: str | None = None,
) -> None:
    """An event of a browser login step (login, its error, registration, a required action):
    the step's client, the browser's address and Keycloak's ``auth_method`` before ``details``."""
    await events.record(
        tx,
        config,
        event_type,
        now=now(request),
        ids=randomness(request),
        client_id=step.request.client_id,
        user_id=user_id,
        session_id=session_id,
        ip_address=client_ip(request),
        error=error,
        details={"auth_method": "openid-connect", **details},
    )
