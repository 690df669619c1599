"""The browser login: SSO cookie, login steps, and the code that ends an authorization.

A login step is the state between showing the login form and accepting it: the validated
``AuthorizationRequest``, a CSRF token, and the auth-session cookie value it is bound to. It lives in
``tx.single_use`` under a random tab id (carried in the form's action URL), so any instance can
finish a login another began. The broker reads ``step.request.idp_hint`` and, after an upstream
login, calls ``complete`` like the password form does.

The SSO cookie holds an HS512-signed pointer to the user session; the session itself is checked
in the database on every use, so a logout on one instance ends SSO everywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from realmgate.crypto import jws
from realmgate.crypto.secrets import Randomness
from realmgate.model.client import Client
from realmgate.model.session import SessionMarks, UserSession
from realmgate.model.user import User
from realmgate.protocol import keys
from realmgate.protocol.authorize import FRONT_CHANNEL_TOKENS, AuthorizationRequest, ResponseTarget, response_params
from realmgate.protocol.codes import CodeData, issue_code
from realmgate.protocol.errors import InteractionRequired, LoginRequired, OAuthError
from realmgate.protocol.front_channel import front_channel_tokens
from realmgate.protocol.logout_tokens import Delivery
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.sessions import (
    AUTH_TIME_NOTE,
    active_session,
    auth_time,
    end_sessions,
    new_session,
    with_client,
)
from realmgate.store.interface import Tx

SSO_COOKIE = "KEYCLOAK_IDENTITY"
SESSION_COOKIE = "KEYCLOAK_SESSION"
AUTH_SESSION_COOKIE = "AUTH_SESSION_ID"
RESTART_COOKIE = "KC_RESTART"
SSO_TYP = "Serialized-ID"


def sso_cookie_value(config: RealmConfig, session: UserSession, *, issuer: str, now: int, ids: Randomness) -> str:
    claims = {
        "iat": now,
        "jti": ids.new_id(),
        "iss": issuer,
        "sub": session.user_id,
        "typ": SSO_TYP,
        "sid": session.id,
    }
    return jws.sign(claims, keys.hmac_key(config), typ="JWT")


async def sso_session(
    tx: Tx, config: RealmConfig, cookie: str | None, *, issuer: str, now: int
) -> tuple[UserSession, User] | None:
    """The active session and enabled user the SSO cookie points to, if any."""
    if not cookie:
        return None
    claims = keys.verify_own(config, cookie, symmetric=True)
    if claims is None or claims.get("typ") != SSO_TYP or claims.get("iss") != issuer:
        return None
    sid = claims.get("sid")
    if not isinstance(sid, str):
        return None
    session = await active_session(tx, config.realm, sid, now)
    if session is None or session.offline or session.user_id != claims.get("sub"):
        return None
    user = await tx.users.get(config.realm.id, session.user_id)
    if user is None or not user.enabled:
        return None
    return session, user


@dataclass(frozen=True, slots=True)
class PromptNoneRefused:
    """``prompt=none`` where the form would be needed. A result, not a raised error: the caller
    decides, since a hinted provider may still take the login without a prompt; otherwise
    ``error`` goes back to the client's redirect URI."""

    error: OAuthError


def needs_login(
    request: AuthorizationRequest, session: UserSession | None, *, now: int, pending_action: bool = False
) -> bool | PromptNoneRefused:
    """Whether the form must be shown; with ``prompt=none`` that is refused: ``login_required``
    (or ``interaction_required`` when only the user's pending required action stands in the way).

    An SSO session whose user owes a required action is not reused: the user signs in again and
    then meets the action's page, like after a password login."""
    expired = session is None or (request.max_age is not None and auth_time(session) + request.max_age < now)
    show = expired or request.prompt == "login" or pending_action
    if show and request.prompt == "none":
        if not expired and pending_action:
            return PromptNoneRefused(InteractionRequired("Account is not fully set up"))
        return PromptNoneRefused(LoginRequired("Login required"))
    return show


@dataclass(frozen=True, slots=True)
class Authenticated:
    """A user who has proven who they are but still owes a required action: the login waits
    in its step, bound to the same auth-session cookie and CSRF token."""

    user_id: str
    marks: SessionMarks = field(default_factory=SessionMarks)
    event_details: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"user_id": self.user_id, "marks": self.marks.to_json(), "event_details": dict(self.event_details)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Authenticated:
        return cls(data["user_id"], SessionMarks.from_json(data["marks"]), dict(data["event_details"]))


@dataclass(frozen=True, slots=True)
class LoginStep:
    tab_id: str
    auth_session_id: str
    csrf: str
    request: AuthorizationRequest
    authenticated: Authenticated | None = None

    def csrf_ok(self, auth_session_cookie: str | None, csrf: str | None) -> bool:
        """Both the auth-session cookie and the form's token must match this step."""
        if not auth_session_cookie or not csrf:
            return False
        cookie_ok = hmac.compare_digest(auth_session_cookie.encode(), self.auth_session_id.encode())
        token_ok = hmac.compare_digest(csrf.encode(), self.csrf.encode())
        return cookie_ok and token_ok


def _step_key(tab_id: str) -> str:
    return f"login-step:{tab_id}"


async def _save_step(tx: Tx, config: RealmConfig, step: LoginStep, *, now: int) -> None:
    value: dict[str, object] = {
        "auth_session_id": step.auth_session_id,
        "csrf": step.csrf,
        "request": step.request.to_json(),
    }
    if step.authenticated is not None:
        value["authenticated"] = step.authenticated.to_json()
    await tx.single_use.put(_step_key(step.tab_id), json.dumps(value), now + config.realm.access_code_lifespan_login)


def _code_key(session_code: str) -> str:
    return "login-code:" + hashlib.sha256(session_code.encode("utf-8")).hexdigest()


async def start_login(
    tx: Tx, config: RealmConfig, request: AuthorizationRequest, *, auth_session_id: str, now: int, ids: Randomness
) -> LoginStep:
    """A new login step for ``request``: its tab id and CSRF token come from ``ids``."""
    step = LoginStep(ids.new_secret(16), auth_session_id, ids.new_secret(24), request)
    await _save_step(tx, config, step, now=now)
    await tx.single_use.put(_code_key(step.csrf), step.tab_id, now + config.realm.access_code_lifespan_login)
    return step


async def tab_of(tx: Tx, session_code: str, *, now: int) -> str | None:
    """The tab id of the login step whose form token is ``session_code``. The login form's
    action URL starts with ``session_code`` as Keycloak's does, so a client that keeps only
    that first parameter (python-keycloak's tests scrape the action without decoding ``&amp;``)
    still reaches its step; the token is checked against the step and its cookie as ever."""
    return await tx.single_use.get(_code_key(session_code), now) if session_code else None


async def hold_for_action(
    tx: Tx, config: RealmConfig, step: LoginStep, authenticated: Authenticated, *, now: int, ids: Randomness
) -> LoginStep:
    """Keep the step open for ``authenticated``'s pending required action; a fresh CSRF token
    is issued for the action's form (the password form's token is spent)."""
    held = replace(step, csrf=ids.new_secret(24), authenticated=authenticated)
    await _save_step(tx, config, held, now=now)
    return held


async def load_step(tx: Tx, tab_id: str, *, now: int) -> LoginStep | None:
    """The pending step, or None when it expired or was already used ("start again")."""
    raw = await tx.single_use.get(_step_key(tab_id), now) if tab_id else None
    if raw is None:
        return None
    data = json.loads(raw)
    held = data.get("authenticated")
    return LoginStep(
        tab_id,
        data["auth_session_id"],
        data["csrf"],
        AuthorizationRequest.from_json(data["request"]),
        Authenticated.from_json(held) if held is not None else None,
    )


async def finish_step(tx: Tx, step: LoginStep) -> None:
    await tx.single_use.delete(_step_key(step.tab_id))


@dataclass(frozen=True, slots=True)
class LoginResult:
    """How a browser login ends, for the web layer to render: the user session (written once),
    where the authorization response goes and with which parameters, the SSO cookie's value,
    and the logout tokens owed to the clients of a session this login replaced (to post once
    the transaction has committed)."""

    session: UserSession
    target: ResponseTarget
    params: list[tuple[str, str]]
    sso_cookie: str
    ended: list[Delivery] = field(default_factory=list)


async def finish(
    tx: Tx,
    config: RealmConfig,
    step: LoginStep,
    user: User,
    *,
    current: UserSession | None,
    marks: SessionMarks | None = None,
    issuer: str,
    now: int,
    ids: Randomness,
    ip_address: str | None,
) -> LoginResult:
    """End ``step`` for ``user``, who has authenticated and owes no required action.

    The user session is written once: re-authenticating the user of the current SSO session
    (``prompt=login``, ``max_age``) updates that session (its ``auth_time`` moves); otherwise a
    new session is inserted, already holding ``marks`` (the broker's ids and notes) and the
    client's session, and a session of another user it replaces is ended. Always online: an
    ``offline_access`` request gets its offline session when the code is redeemed.
    """
    await finish_step(tx, step)
    marks = marks or SessionMarks()
    client = config.clients[step.request.client_id]
    ended: list[Delivery] = []
    if current is not None and current.user_id == user.id:
        session = replace(current, last_refresh=now, notes={**current.notes, AUTH_TIME_NOTE: str(now)})
        session = _with_request_client(marks.apply(session), client, step.request, issuer=issuer, now=now)
        await tx.sessions.update(session)
    else:
        if current is not None:
            ended = await end_sessions(tx, config.realm, [current.id], issuer=issuer, now=now, ids=ids)
        session = marks.apply(new_session(config.realm, user, now=now, ids=ids, ip_address=ip_address))
        session = _with_request_client(session, client, step.request, issuer=issuer, now=now)
        await tx.sessions.add(session)
    params = await _response_params(
        tx, config, step.request, session, fresh_login=True, issuer=issuer, now=now, ids=ids
    )
    cookie = sso_cookie_value(config, session, issuer=issuer, now=now, ids=ids)
    return LoginResult(session, step.request.target(issuer), params, cookie, ended)


def _with_request_client(
    session: UserSession, client: Client, request: AuthorizationRequest, *, issuer: str, now: int
) -> UserSession:
    return with_client(session, client, issuer=issuer, now=now, redirect_uri=request.redirect_uri)


async def complete(
    tx: Tx,
    config: RealmConfig,
    request: AuthorizationRequest,
    session: UserSession,
    *,
    issuer: str,
    now: int,
    ids: Randomness,
) -> list[tuple[str, str]]:
    """Answer ``request`` from an existing SSO session, without a login: the use counts as
    activity, the client's session is (re)started, and the response parameters are returned."""
    client = config.clients[request.client_id]
    session = _with_request_client(replace(session, last_refresh=now), client, request, issuer=issuer, now=now)
    await tx.sessions.update(session)
    return await _response_params(tx, config, request, session, fresh_login=False, issuer=issuer, now=now, ids=ids)


async def _response_params(
    tx: Tx,
    config: RealmConfig,
    request: AuthorizationRequest,
    session: UserSession,
    *,
    fresh_login: bool,
    issuer: str,
    now: int,
    ids: Randomness,
) -> list[tuple[str, str]]:
    """Issue a code and/or the front-channel tokens the response type asks for, for ``session``
    as stored, and return the authorization response's parameters."""
    data = CodeData(
        client_id=request.client_id,
        redirect_uri=request.redirect_uri,
        session_id=session.id,
        user_id=session.user_id,
        scope=request.scope,
        nonce=request.nonce,
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
        fresh_login=fresh_login,
    )
    types = request.response_types
    code = await issue_code(tx, config, data, now=now, ids=ids) if "code" in types else None
    values: dict[str, str | None] = {"session_state": session.id, "code": code}
    if types & FRONT_CHANNEL_TOKENS:
        values.update(
            await front_channel_tokens(
                tx, config, request, session, code=code, fresh_login=fresh_login, issuer=issuer, now=now, ids=ids
            )
        )
    return response_params(request.target(issuer), values)
