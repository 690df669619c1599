"""A brokered login after a valid callback, as one state machine: Keycloak's default "first
broker login" flow, and later logins.

``continue_login`` takes one input (the callback's identity, or a post of one of the first-login
pages) and answers with the page to show (``ShowPage``) or the end of the login
(``Finished``). It looks the users up, lets ``first_login.decide`` choose, and either logs the
user in (found by link, or created when username and email are unique) or shows a page: review
profile (missing fields), or "an account with this email already exists", confirm, then
re-authenticate with that account's password. The link to an existing account is made only
after that password was checked (never silently by email).

Between pages the identity is parked under a random key carried by the page's form; every post
also needs the browser's auth-session cookie the login began with.

Two steps belong to the caller, passed in so this package needs neither HTTP nor the protocol
package: loading the realm's login step the brokered login continues (``LoadStep``: its type is
opaque here and comes back in ``Finished.step``), and checking the existing account's password
(``PasswordCheck``). A write that hits a unique username, email or link raises
``AccountConflict``: the caller lets the transaction roll back and shows ``conflict.page``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from realmgate.broker import login_store
from realmgate.broker.connector import BrokeredIdentity
from realmgate.broker.first_login_decision import (
    Decision,
    DenyReason,
    Step,
    decide,
    may_link_after_reauthentication,
    proposed_username,
)
from realmgate.broker.mapper_run import MapperOutcome, MapperRun
from realmgate.crypto.secrets import Randomness, constant_time_equals
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.realm import Realm
from realmgate.model.session import SessionMarks
from realmgate.model.user import User
from realmgate.store.interface import Conflict, Tx

log = logging.getLogger("realmgate.broker")

S = TypeVar("S")
LoadStep = Callable[[str], Awaitable[S | None]]  # tab id -> the pending login step, or None
PasswordCheck = Callable[[User], Awaitable[User | str]]  # account -> who authenticated, or the failure

DENIED = {
    DenyReason.PROVIDER_DISABLED: "The identity provider is disabled.",
    DenyReason.LINK_ONLY: "This identity provider can only be used to link accounts.",
    DenyReason.USER_DISABLED: "Account is disabled, contact your administrator.",
}
TIMED_OUT = "Your login attempt timed out. Please log in again."
RACED = "An account with this username or email was created meanwhile. Please log in again."
USERNAME_TAKEN = (
    "The username this identity provider gives you is already used by another account. "
    "Please contact your administrator."
)
WRONG_ACCOUNT = "Invalid username or password."
INVALID_EMAIL = "Invalid email address."
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


# Inputs: the callback, then the posts of the first-login pages.


@dataclass(frozen=True, slots=True)
class Callback:
    """A verified upstream identity for the login ``pending`` stands for."""

    identity: BrokeredIdentity
    pending: login_store.PendingLogin


@dataclass(frozen=True, slots=True)
class PagePost:
    """A post of a first-login page: the parked identity's ``key`` and the browser's
    auth-session cookie. This base class itself is a post naming no known page."""

    key: str
    auth_session: str


@dataclass(frozen=True, slots=True)
class Reviewed(PagePost):
    """The review-profile page with the fields as the user left them ("" means empty)."""

    email: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True, slots=True)
class Confirmed(PagePost):
    """ "Add to existing account" on the confirm-link page."""


@dataclass(frozen=True, slots=True)
class Reauthenticated(PagePost):
    """The re-authentication page; ``check`` verifies the password posted for the account."""

    check: PasswordCheck


Input = Callback | PagePost


# Outputs.


@dataclass(frozen=True, slots=True)
class ReviewProfilePage:
    key: str
    identity: BrokeredIdentity  # the values the fields show
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ConfirmLinkPage:
    key: str
    field: str  # "email" or "username": what the existing account shares
    value: str


@dataclass(frozen=True, slots=True)
class ReauthPage:
    key: str
    username: str  # of the existing account
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorPage:
    """``retry``: starting the login again may succeed (the page links the restart URL)."""

    message: str
    status: int = 400
    retry: bool = False


ShowPage = ReviewProfilePage | ConfirmLinkPage | ReauthPage | ErrorPage


@dataclass(frozen=True, slots=True)
class Finished(Generic[S]):
    """The login step continues for ``user``; the session made at its end records ``marks``,
    and the login event ``event_details``."""

    step: S
    user: User
    marks: SessionMarks
    event_details: Mapping[str, str]


class AccountConflict(Exception):
    """A write hit a unique username, email or link: the transaction must roll back.

    ``page.retry``: the clash was a concurrent login between the lookup and the write, so
    starting again decides anew. Without it (a username template renaming a linked user onto a
    name another account holds) starting again would only clash again."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.page = ErrorPage(message, status=409, retry=retry)


@dataclass(frozen=True, slots=True)
class _Login(Generic[S]):
    """What every step of one request shares."""

    tx: Tx
    realm: Realm
    idp: IdentityProvider
    load_step: LoadStep[S]
    now: int
    ids: Randomness


async def continue_login(
    tx: Tx,
    *,
    realm: Realm,
    idp: IdentityProvider | None,
    received: Input,
    load_step: LoadStep[S],
    now: int,
    ids: Randomness,
) -> ShowPage | Finished[S]:
    """One step of the login with ``idp`` (None when the path names no provider of the realm)."""
    if isinstance(received, Callback):
        if idp is None:
            return ErrorPage(TIMED_OUT, retry=True)
        login = _Login(tx, realm, idp, load_step, now, ids)
        return await _proceed(login, received.identity, received.pending, reviewed=False)
    parked = await login_store.load_identity(tx, received.key, now=now)
    if parked is None or idp is None or not constant_time_equals(received.auth_session, parked[1].auth_session_id):
        return ErrorPage(TIMED_OUT, retry=True)
    return await _posted(_Login(tx, realm, idp, load_step, now, ids), received, *parked)


async def _decide(login: _Login[S], identity: BrokeredIdentity, *, reviewed: bool) -> tuple[Decision, MapperRun]:
    """The next step for the identity as parked (the callback's, with reviewed profile fields),
    and the mapper run whose identity is used for lookups and links."""
    run = await MapperRun.load(login.tx, realm=login.realm, idp=login.idp, identity=identity, ids=login.ids)
    username = proposed_username(run.identity, login.realm, mapper_username=run.username)
    lookups = await login_store.find_lookups(login.tx, login.realm, run.identity, username)
    decision = decide(
        run.identity, idp=login.idp, realm=login.realm, lookups=lookups, username=username, profile_reviewed=reviewed
    )
    return decision, run


async def _proceed(
    login: _Login[S], identity: BrokeredIdentity, pending: login_store.PendingLogin, *, reviewed: bool
) -> ShowPage | Finished[S]:
    step = await login.load_step(pending.tab_id or "")
    if step is None:
        return ErrorPage(TIMED_OUT, retry=True)
    decision, run = await _decide(login, identity, reviewed=reviewed)
    return await _act(login, step, decision, run, identity, pending)


async def _act(
    login: _Login[S],
    step: S,
    decision: Decision,
    run: MapperRun,
    identity: BrokeredIdentity,
    pending: login_store.PendingLogin,
) -> ShowPage | Finished[S]:
    """Carry out ``decision``; ``identity`` is the one to park (before the mappers' preprocess)."""
    alias = login.idp.alias
    if decision.step is Step.DENY:
        assert decision.reason is not None
        log.info("broker %s: login denied: %s", alias, decision.reason.value)
        return ErrorPage(DENIED[decision.reason], status=400 if decision.reason != DenyReason.USER_DISABLED else 403)
    if decision.step is Step.AUTH:
        assert decision.user is not None
        try:
            outcome = await run.apply(login.tx, user=decision.user, created=False)
        except Conflict:
            log.warning("broker %s: a mapper renames user %s onto a username in use", alias, decision.user.id)
            raise AccountConflict(USERNAME_TAKEN, retry=False) from None
        return _finished(step, run, outcome)
    if decision.step is Step.CREATE:
        assert decision.username is not None
        try:
            user = await login_store.create_user(
                login.tx,
                realm=login.realm,
                idp=login.idp,
                identity=run.identity,
                username=decision.username,
                now=login.now,
                ids=login.ids,
            )
        except Conflict:
            raise AccountConflict(RACED, retry=True) from None
        outcome = await run.apply(login.tx, user=user, created=True)
        return _finished(step, run, outcome, registered=True)
    key = await login_store.park_identity(login.tx, identity, pending, realm=login.realm, now=login.now, ids=login.ids)
    if decision.step is Step.REVIEW_PROFILE:
        return ReviewProfilePage(key, identity)
    return _confirm_page(decision, key)


def _finished(step: S, run: MapperRun, outcome: MapperOutcome, *, registered: bool = False) -> Finished[S]:
    """The end of the login for the user the mappers left; the session records the (mapped)
    upstream identity and the mappers' session notes."""
    details = {"identity_provider": run.identity.alias, "identity_provider_identity": run.identity.username}
    if registered:
        details["register_method"] = "broker"
    return Finished(step, outcome.user, login_store.session_marks(run.identity, outcome.session_notes), details)


def _confirm_page(decision: Decision, key: str) -> ConfirmLinkPage:
    existing = decision.user
    field = "email" if decision.duplicate == "email" else "username"
    value = (existing.email if field == "email" else existing.username) if existing is not None else ""
    return ConfirmLinkPage(key, field, value or "")


async def _posted(
    login: _Login[S], post: PagePost, identity: BrokeredIdentity, pending: login_store.PendingLogin
) -> ShowPage | Finished[S]:
    if isinstance(post, Reviewed):
        edited = edited_identity(identity, post)
        if edited.email is not None and not EMAIL.fullmatch(edited.email):
            return ReviewProfilePage(post.key, edited, error=INVALID_EMAIL)
        await login_store.drop_identity(login.tx, post.key)
        return await _proceed(login, edited, pending, reviewed=True)
    decision, run = await _decide(login, identity, reviewed=True)
    if decision.step is not Step.CONFIRM_LINK or decision.user is None:
        # The accounts changed since the page was shown: carry out the new decision.
        await login_store.drop_identity(login.tx, post.key)
        step = await login.load_step(pending.tab_id or "")
        if step is None:
            return ErrorPage(TIMED_OUT, retry=True)
        return await _act(login, step, decision, run, identity, pending)
    if isinstance(post, Confirmed):
        return ReauthPage(post.key, decision.user.username)
    if isinstance(post, Reauthenticated):
        return await _reauthenticate(login, post, run, pending, decision.user)
    return _confirm_page(decision, post.key)


def edited_identity(identity: BrokeredIdentity, post: Reviewed) -> BrokeredIdentity:
    """The identity with the review page's fields (empty means absent). An email the user
    typed is not the one the upstream vouched for: ``trustEmail`` must not mark it verified."""
    email = post.email.strip() or None
    same_email = (email or "").lower() == (identity.email or "").lower()
    return replace(
        identity,
        email=email,
        email_verified=identity.email_verified if same_email else False,
        first_name=post.first_name.strip() or None,
        last_name=post.last_name.strip() or None,
    )


async def _reauthenticate(
    login: _Login[S], post: Reauthenticated, run: MapperRun, pending: login_store.PendingLogin, existing: User
) -> ShowPage | Finished[S]:
    """The existing account's password, then the link (Keycloak's ``idp-username-password-form``
    with the username fixed to that account)."""
    checked = await post.check(existing)
    if isinstance(checked, str):
        return ReauthPage(post.key, existing.username, error=checked)
    if not may_link_after_reauthentication(existing, checked):
        return ReauthPage(post.key, existing.username, error=WRONG_ACCOUNT)
    step = await login.load_step(pending.tab_id or "")
    if step is None:
        return ErrorPage(TIMED_OUT, retry=True)
    await login_store.drop_identity(login.tx, post.key)
    try:
        await login_store.link_user(login.tx, realm=login.realm, idp=login.idp, identity=run.identity, user=checked)
    except Conflict:
        raise AccountConflict(RACED, retry=True) from None
    outcome = await run.apply(login.tx, user=checked, created=False)
    return _finished(step, run, outcome)
