"""After a valid callback: Keycloak's default "first broker login" flow, and later logins.

``proceed`` looks the users up, lets ``broker.first_login.decide`` choose, and either logs the
user in (found by link, or created when username and email are unique) or shows a page:
review profile (missing fields), or "an account with this email already exists", confirm,
then re-authenticate with that account's password. The link to an existing account is made
only after that password was checked (never silently by email).

Between pages the identity is parked under a random key carried by the page's form; every
form post also needs the browser's auth-session cookie the login began with.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from realmgate.broker import flow, mapper_flow
from realmgate.broker.connector import BrokeredIdentity
from realmgate.broker.first_login import (
    PROFILE_FIELDS,
    Decision,
    DenyReason,
    Step,
    decide,
    may_link_after_reauthentication,
    proposed_username,
)
from realmgate.crypto.secrets import constant_time_equals
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.user import User
from realmgate.protocol import login_flow
from realmgate.protocol.errors import OAuthError
from realmgate.protocol.login import LoginFailure, authenticate
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Conflict, Tx
from realmgate.web.broker.session import finish_brokered_login
from realmgate.web.broker.support import log, provider_name
from realmgate.web.context import get_ctx
from realmgate.web.oidc.support import client_ip, form_params, issuer, now, restart_url, transaction
from realmgate.web.pages import error_page, render_page

DENIED = {
    DenyReason.PROVIDER_DISABLED: "The identity provider is disabled.",
    DenyReason.LINK_ONLY: "This identity provider can only be used to link accounts.",
    DenyReason.USER_DISABLED: "Account is disabled, contact your administrator.",
}
RACED = "An account with this username or email was created meanwhile. Please log in again."
USERNAME_TAKEN = (
    "The username this identity provider gives you is already used by another account. "
    "Please contact your administrator."
)


class AccountConflict(Exception):
    """A write hit a unique username, email or link: the transaction rolls back.

    ``retry``: the clash was a concurrent login between the lookup and the write, so starting
    again decides anew. Without it (a username template renaming a linked user onto a name
    another account holds) starting again would only clash again."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


def _conflict_page(request: Request, conflict: AccountConflict) -> Response:
    return error_page(request, conflict.message, status=409, retry_url=restart_url(request) if conflict.retry else None)


EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
FIELD_LABELS = {"email": "Email", "firstName": "First name", "lastName": "Last name"}


def _form_url(request: Request, alias: str) -> str:
    return f"{issuer(request)}/broker/{quote(alias, safe='')}/first-broker-login"


async def proceed(
    request: Request, alias: str, identity: BrokeredIdentity, pending: flow.PendingLogin, *, reviewed: bool
) -> Response:
    """Decide and act on one step of the login for a verified upstream identity."""
    try:
        async with transaction(request) as (tx, config):
            return await _step(request, tx, config, alias, identity, pending, reviewed=reviewed)
    except OAuthError as error:
        return error_page(request, error.description, status=error.status)
    except AccountConflict as conflict:
        return _conflict_page(request, conflict)


async def _decide(
    tx: Tx, config: RealmConfig, idp: IdentityProvider, identity: BrokeredIdentity, *, reviewed: bool
) -> tuple[Decision, BrokeredIdentity]:
    """The next step for the identity as parked (the callback's, with reviewed profile fields),
    and the identity the mappers' preprocess step turns it into (used for lookups and links)."""
    pre = await mapper_flow.preprocess(tx, realm=config.realm, idp=idp, identity=identity)
    username = proposed_username(pre.identity, config.realm, mapper_username=pre.username)
    lookups = await flow.find_lookups(tx, config.realm, pre.identity, username)
    decision = decide(
        pre.identity, idp=idp, realm=config.realm, lookups=lookups, username=username, profile_reviewed=reviewed
    )
    return decision, pre.identity


async def _step(
    request: Request,
    tx: Tx,
    config: RealmConfig,
    alias: str,
    identity: BrokeredIdentity,
    pending: flow.PendingLogin,
    *,
    reviewed: bool,
) -> Response:
    idp = config.identity_providers.get(alias)
    step = await login_flow.load_step(tx, pending.tab_id or "", now=now(request))
    if idp is None or step is None:
        return error_page(request, "Your login attempt timed out. Please log in again.", retry_url=restart_url(request))
    decision, mapped = await _decide(tx, config, idp, identity, reviewed=reviewed)
    if decision.step is Step.DENY:
        assert decision.reason is not None
        log.info("broker %s: login denied: %s", alias, decision.reason.value)
        return error_page(
            request, DENIED[decision.reason], status=400 if decision.reason != DenyReason.USER_DISABLED else 403
        )
    if decision.step is Step.AUTH:
        assert decision.user is not None
        try:
            outcome = await mapper_flow.apply_login(
                tx, realm=config.realm, idp=idp, identity=mapped, user=decision.user, created=False
            )
        except Conflict:
            log.warning("broker %s: a mapper renames user %s onto a username in use", alias, decision.user.id)
            raise AccountConflict(USERNAME_TAKEN, retry=False) from None
        return await finish_brokered_login(request, tx, config, step, mapped, outcome)
    if decision.step is Step.CREATE:
        assert decision.username is not None
        try:
            user = await flow.create_user(
                tx, realm=config.realm, idp=idp, identity=mapped, username=decision.username, now=now(request)
            )
        except Conflict:
            raise AccountConflict(RACED, retry=True) from None
        outcome = await mapper_flow.apply_login(
            tx, realm=config.realm, idp=idp, identity=mapped, user=user, created=True
        )
        return await finish_brokered_login(request, tx, config, step, mapped, outcome, registered=True)
    key = await flow.park_identity(tx, identity, pending, realm=config.realm, now=now(request))
    if decision.step is Step.REVIEW_PROFILE:
        return _review_page(request, config, idp, identity, key)
    return _confirm(request, config, idp, decision, key)


def _page(
    request: Request, config: RealmConfig, idp: IdentityProvider, template: str, *, status: int = 200, **values: object
) -> Response:
    context = {
        "realm_display_name": config.realm.display_name or config.realm.name,
        "provider": provider_name(idp),
        "action_url": _form_url(request, idp.alias),
        **values,
    }
    return render_page(request, template, context, status=status)


def _review_page(
    request: Request,
    config: RealmConfig,
    idp: IdentityProvider,
    identity: BrokeredIdentity,
    key: str,
    error: str | None = None,
) -> Response:
    values = {
        "email": identity.email or "",
        "firstName": identity.first_name or "",
        "lastName": identity.last_name or "",
    }
    fields = [{"name": n, "label": FIELD_LABELS[n], "value": values[n]} for n in PROFILE_FIELDS]
    return _page(
        request,
        config,
        idp,
        "broker-review-profile.html",
        key=key,
        fields=fields,
        username=identity.username,
        error=error,
        status=400 if error else 200,
    )


def _confirm(request: Request, config: RealmConfig, idp: IdentityProvider, decision: Decision, key: str) -> Response:
    existing = decision.user
    field = "email" if decision.duplicate == "email" else "username"
    value = (existing.email if field == "email" else existing.username) if existing is not None else ""
    return _page(request, config, idp, "broker-confirm-link.html", key=key, field=field, value=value or "")


def _reauth_page(
    request: Request, config: RealmConfig, idp: IdentityProvider, user: User, key: str, error: str | None = None
) -> Response:
    return _page(
        request,
        config,
        idp,
        "broker-reauth.html",
        key=key,
        username=user.username,
        error=error,
        status=401 if error else 200,
    )


async def form(request: Request) -> Response:
    """``POST /broker/{alias}/first-broker-login``: the review, confirm and re-authentication
    pages post here with ``key`` and ``page``."""
    try:
        posted = await form_params(request)
    except OAuthError as error:
        return error_page(request, error.description)
    alias: str = request.path_params["alias"]
    key = posted.get("key", "")
    try:
        async with transaction(request) as (tx, config):
            parked = await flow.load_identity(tx, key, now=now(request))
            cookie = request.cookies.get(login_flow.AUTH_SESSION_COOKIE) or ""
            idp = config.identity_providers.get(alias)
            if parked is None or idp is None or not constant_time_equals(cookie, parked[1].auth_session_id):
                return error_page(
                    request, "Your login attempt timed out. Please log in again.", retry_url=restart_url(request)
                )
            identity, pending = parked
            page = posted.get("page")
            if page == "review":
                edited = _edited(identity, posted)
                if edited.email is not None and not EMAIL.fullmatch(edited.email):
                    return _review_page(request, config, idp, edited, key, error="Invalid email address.")
                await flow.drop_identity(tx, key)
                return await _step(request, tx, config, alias, edited, pending, reviewed=True)
            decision, mapped = await _decide(tx, config, idp, identity, reviewed=True)
            if decision.step is not Step.CONFIRM_LINK or decision.user is None:
                await flow.drop_identity(tx, key)
                return await _step(request, tx, config, alias, identity, pending, reviewed=True)
            if page == "confirm":
                return _reauth_page(request, config, idp, decision.user, key)
            if page == "reauth":
                return await _reauthenticate(request, tx, config, idp, mapped, pending, decision.user, key, posted)
            return _confirm(request, config, idp, decision, key)
    except OAuthError as error:
        return error_page(request, error.description, status=error.status)
    except AccountConflict as conflict:
        return _conflict_page(request, conflict)


def _edited(identity: BrokeredIdentity, posted: dict[str, str]) -> BrokeredIdentity:
    """The identity with the review page's fields (empty means absent). An email the user
    typed is not the one the upstream vouched for: ``trustEmail`` must not mark it verified."""
    email = posted.get("email", "").strip() or None
    same_email = (email or "").lower() == (identity.email or "").lower()
    return replace(
        identity,
        email=email,
        email_verified=identity.email_verified if same_email else False,
        first_name=posted.get("firstName", "").strip() or None,
        last_name=posted.get("lastName", "").strip() or None,
    )


async def _reauthenticate(
    request: Request,
    tx: Tx,
    config: RealmConfig,
    idp: IdentityProvider,
    identity: BrokeredIdentity,
    pending: flow.PendingLogin,
    existing: User,
    key: str,
    posted: dict[str, str],
) -> Response:
    """The existing account's password, then the link (Keycloak's ``idp-username-password-form``
    with the username fixed to that account)."""
    try:
        user = await authenticate(
            tx, config, existing.username, posted.get("password", ""), now=now(request), ip_address=client_ip(request)
        )
    except LoginFailure as failure:
        get_ctx(request).metrics.login(False)
        return _reauth_page(request, config, idp, existing, key, error=failure.message)
    if not may_link_after_reauthentication(existing, user):
        return _reauth_page(request, config, idp, existing, key, error="Invalid username or password.")
    step = await login_flow.load_step(tx, pending.tab_id or "", now=now(request))
    if step is None:
        return error_page(request, "Your login attempt timed out. Please log in again.", retry_url=restart_url(request))
    await flow.drop_identity(tx, key)
    try:
        await flow.link_user(tx, realm=config.realm, idp=idp, identity=identity, user=user)
    except Conflict:
        raise AccountConflict(RACED, retry=True) from None
    outcome = await mapper_flow.apply_login(
        tx, realm=config.realm, idp=idp, identity=identity, user=user, created=False
    )
    return await finish_brokered_login(request, tx, config, step, identity, outcome)
