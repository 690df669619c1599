"""The pages of a brokered login after a valid callback: the edge of
``broker.first_login_flow.continue_login``, which holds the whole sequence.

Here: the posted form becomes the state machine's typed input, the state machine runs inside
the transaction (with the realm's login step loader and the password check, both protocol
steps, passed in), and its answer becomes a response: a page, or the end of the login through
``web.oidc.login_end.continue_login`` (required actions, session, code and cookies as after a
password login).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from realmgate.broker import login_store
from realmgate.broker.connector import BrokeredIdentity
from realmgate.broker.first_login_decision import PROFILE_FIELDS
from realmgate.broker.first_login_flow import (
    AccountConflict,
    Callback,
    Confirmed,
    ConfirmLinkPage,
    ErrorPage,
    Finished,
    Input,
    PagePost,
    PasswordCheck,
    Reauthenticated,
    Reviewed,
    ReviewProfilePage,
    ShowPage,
    continue_login,
)
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.user import User
from realmgate.protocol import login_flow
from realmgate.protocol.login import LoginFailure, authenticate
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx
from realmgate.web.app_context import get_ctx
from realmgate.web.broker.provider_access import provider_name
from realmgate.web.errors import page_endpoint
from realmgate.web.oidc import login_end
from realmgate.web.oidc.plumbing import client_ip, form_params, issuer, now, randomness, restart_url, transaction
from realmgate.web.pages import error_page, render_page

FIELD_LABELS = {"email": "Email", "firstName": "First name", "lastName": "Last name"}


async def proceed(
    request: Request, alias: str, identity: BrokeredIdentity, pending: login_store.PendingLogin
) -> Response:
    """The callback's verified upstream identity: log in, or the first page of a first login."""
    return await _run(request, alias, lambda tx, config: Callback(identity, pending))


@page_endpoint
async def form(request: Request) -> Response:
    """``POST /broker/{alias}/first-broker-login``: the review, confirm and re-authentication
    pages post here with ``key`` and ``page``."""
    posted = await form_params(request)
    return await _run(request, request.path_params["alias"], lambda tx, config: _page_post(request, tx, config, posted))


def _page_post(request: Request, tx: Tx, config: RealmConfig, posted: dict[str, str]) -> PagePost:
    key = posted.get("key", "")
    cookie = request.cookies.get(login_flow.AUTH_SESSION_COOKIE) or ""
    page = posted.get("page")
    if page == "review":
        return Reviewed(
            key,
            cookie,
            email=posted.get("email", ""),
            first_name=posted.get("firstName", ""),
            last_name=posted.get("lastName", ""),
        )
    if page == "confirm":
        return Confirmed(key, cookie)
    if page == "reauth":
        return Reauthenticated(key, cookie, _password_check(request, tx, config, posted.get("password", "")))
    return PagePost(key, cookie)


def _password_check(request: Request, tx: Tx, config: RealmConfig, password: str) -> PasswordCheck:
    """The re-authentication page's password, checked as the login form checks it (brute-force
    protection included); a failed check counts as a failed login."""

    async def check(existing: User) -> User | str:
        try:
            return await authenticate(
                tx,
                config,
                existing.username,
                password,
                now=now(request),
                ids=randomness(request),
                ip_address=client_ip(request),
            )
        except LoginFailure as failure:
            get_ctx(request).metrics.login(False)
            return failure.message

    return check


async def _run(request: Request, alias: str, received: Callable[[Tx, RealmConfig], Input]) -> Response:
    """One step of the state machine inside one transaction (an ``OAuthError`` is the error page
    of the calling ``page_endpoint``: this form, or the broker's callback)."""
    try:
        async with transaction(request) as (tx, config):
            idp = config.identity_providers.get(alias)
            result = await continue_login(
                tx,
                realm=config.realm,
                idp=idp,
                received=received(tx, config),
                load_step=lambda tab_id: login_flow.load_step(tx, tab_id, now=now(request)),
                now=now(request),
                ids=randomness(request),
            )
            if not isinstance(result, Finished):
                return _show(request, config, idp, result)
            response = await login_end.continue_login(
                request, tx, config, result.step, result.user, marks=result.marks, event_details=result.event_details
            )
            get_ctx(request).metrics.login(True)
            return response
    except AccountConflict as conflict:
        return _error_page(request, conflict.page)


def _error_page(request: Request, page: ErrorPage) -> Response:
    return error_page(request, page.message, status=page.status, retry_url=restart_url(request) if page.retry else None)


def _show(request: Request, config: RealmConfig, idp: IdentityProvider | None, page: ShowPage) -> Response:
    if isinstance(page, ErrorPage):
        return _error_page(request, page)
    assert idp is not None  # the state machine shows a first-login page only for a provider of the realm
    if isinstance(page, ReviewProfilePage):
        values = {
            "email": page.identity.email or "",
            "firstName": page.identity.first_name or "",
            "lastName": page.identity.last_name or "",
        }
        fields = [{"name": n, "label": FIELD_LABELS[n], "value": values[n]} for n in PROFILE_FIELDS]
        return _page(
            request,
            config,
            idp,
            "broker-review-profile.html",
            key=page.key,
            fields=fields,
            username=page.identity.username,
            error=page.error,
            status=400 if page.error else 200,
        )
    if isinstance(page, ConfirmLinkPage):
        return _page(request, config, idp, "broker-confirm-link.html", key=page.key, field=page.field, value=page.value)
    return _page(
        request,
        config,
        idp,
        "broker-reauth.html",
        key=page.key,
        username=page.username,
        error=page.error,
        status=401 if page.error else 200,
    )


def _page(
    request: Request, config: RealmConfig, idp: IdentityProvider, template: str, *, status: int = 200, **values: object
) -> Response:
    context = {
        "realm_display_name": config.realm.display_name or config.realm.name,
        "provider": provider_name(idp),
        "action_url": f"{issuer(request)}/broker/{quote(idp.alias, safe='')}/first-broker-login",
        **values,
    }
    return render_page(request, template, context, status=status)
