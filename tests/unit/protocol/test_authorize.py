"""Authorization request validation: error page before the redirect URI is proven, redirect after."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.protocol import kit

from realmgate.model.session import UserSession
from realmgate.model.user import User
from realmgate.protocol.authorize import (
    AuthorizationRequest,
    RedirectableError,
    error_params,
    parse_authorization_request,
    redirect_location,
)
from realmgate.protocol.errors import (
    ClientNotFound,
    InteractionRequired,
    InvalidRedirectUri,
    InvalidRequest,
    LoginRequired,
    OAuthError,
)
from realmgate.protocol.login_flow import LoginStep, PromptNoneRefused, needs_login
from realmgate.protocol.pkce import s256
from realmgate.protocol.required_actions import new_password_problem, next_action

ISSUER = "https://sso.example/realms/test"
GOOD = {
    "client_id": "app",
    "response_type": "code",
    "redirect_uri": "https://app.example/cb",
    "scope": "openid",
}


def parse(**params: str) -> AuthorizationRequest:
    config = kit.config(
        kit.client(),
        kit.client("off", enabled=False),
        kit.client("spa", public_client=True, attributes={"pkce.code.challenge.method": "S256"}),
        kit.client("implicit", implicit_flow_enabled=True, attributes={"pkce.code.challenge.method": "S256"}),
    )
    return parse_authorization_request(config, {**GOOD, **params}, issuer=ISSUER)


def test_valid_request() -> None:
    auth = parse(state="s", nonce="n", login_hint="bob", kc_idp_hint="upstream", unknown="ignored", ui_locales="de")
    assert auth.redirect_uri == "https://app.example/cb" and auth.idp_hint == "upstream"
    assert auth.login_hint == "bob" and auth.response_mode == "query"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"client_id": "nobody"}, ClientNotFound),
        ({"client_id": "off"}, ClientNotFound),
        ({"client_id": ""}, InvalidRequest),
        ({"redirect_uri": "https://evil.example/cb"}, InvalidRedirectUri),
        ({"redirect_uri": ""}, InvalidRedirectUri),  # required for openid requests
    ],
)
def test_errors_before_the_redirect_uri_is_proven_are_pages(params: dict[str, str], error: type) -> None:
    with pytest.raises(error):
        parse(**params)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"response_type": "token"}, "unauthorized_client"),  # implicit flow not enabled
        ({"response_type": "code id_token"}, "unauthorized_client"),
        ({"response_type": "code jwt"}, "unsupported_response_type"),
        ({"response_type": "none code"}, "unsupported_response_type"),
        ({"client_id": "implicit", "response_type": "id_token token"}, "invalid_request"),  # no nonce
        (
            {"client_id": "implicit", "response_type": "id_token", "response_mode": "query", "nonce": "n"},
            "invalid_request",
        ),
        ({"response_type": ""}, "invalid_request"),
        ({"scope": "openid nope"}, "invalid_scope"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"max_age": "-1"}, "invalid_request"),
        ({"request": "eyJ..."}, "request_not_supported"),
        ({"request_uri": "https://x"}, "request_uri_not_supported"),
        ({"code_challenge": "short", "code_challenge_method": "S256"}, "invalid_request"),
        ({"response_mode": "jwt"}, "invalid_request"),
    ],
)
def test_errors_after_are_redirected(params: dict[str, str], code: str) -> None:
    with pytest.raises(RedirectableError) as caught:
        parse(state="xyz", **params)
    assert caught.value.error.error == code
    location = redirect_location(caught.value.target, error_params(caught.value.error, caught.value.target))
    assert location.startswith("https://app.example/cb")
    assert "error=" + code in location
    assert "state=xyz" in location and "iss=https%3A%2F%2Fsso.example%2Frealms%2Ftest" in location


def test_fragment_mode_for_errors_of_token_response_types() -> None:
    with pytest.raises(RedirectableError) as caught:
        parse(response_type="token")
    assert caught.value.target.response_mode == "fragment"


@pytest.mark.parametrize("response_type", ["id_token token", "token id_token", "id_token", "code id_token"])
def test_implicit_and_hybrid_default_to_fragment(response_type: str) -> None:
    challenge = {"code_challenge": s256("v" * 43), "code_challenge_method": "S256"} if "code" in response_type else {}
    auth = parse(client_id="implicit", response_type=response_type, nonce="n", **challenge)
    assert auth.response_mode == "fragment" and auth.response_types == frozenset(response_type.split())


def test_implicit_needs_no_pkce_but_hybrid_does() -> None:
    assert parse(client_id="implicit", response_type="id_token token", nonce="n").code_challenge is None
    with pytest.raises(RedirectableError) as caught:
        parse(client_id="implicit", response_type="code id_token", nonce="n")
    assert caught.value.error.error == "invalid_request"


def test_client_fragment_is_kept_in_both_modes() -> None:
    auth = parse(redirect_uri="https://app.example/cb#section", response_mode="fragment", state="s")
    assert redirect_location(auth.target(ISSUER), [("code", "c")]) == "https://app.example/cb#section&code=c"
    auth = replace(auth, response_mode="query")
    assert redirect_location(auth.target(ISSUER), [("code", "c")]) == "https://app.example/cb?code=c#section"


def test_client_requiring_pkce() -> None:
    with pytest.raises(RedirectableError) as caught:
        parse(client_id="spa")
    assert caught.value.error.error == "invalid_request"
    assert parse(client_id="spa", code_challenge=s256("v" * 43), code_challenge_method="S256")


def test_pkce_s256_is_kept() -> None:
    auth = parse(code_challenge=s256("v" * 43), code_challenge_method="S256")
    assert auth.code_challenge_method == "S256"


def _session(auth_time: int) -> UserSession:
    return UserSession(
        id="s",
        realm_id="r1",
        user_id="u",
        login_username="u",
        started=auth_time,
        last_refresh=auth_time,
        notes={"AUTH_TIME": str(auth_time)},
    )


def _refusal(decision: bool | PromptNoneRefused) -> type[OAuthError]:
    assert isinstance(decision, PromptNoneRefused)
    return type(decision.error)


def test_login_decisions() -> None:
    auth = parse()
    assert needs_login(auth, None, now=100) is True
    assert needs_login(auth, _session(50), now=100) is False
    assert needs_login(parse(prompt="login"), _session(50), now=100) is True
    assert needs_login(parse(max_age="10"), _session(50), now=100) is True
    assert needs_login(parse(max_age="100"), _session(50), now=100) is False
    assert _refusal(needs_login(parse(prompt="none"), None, now=100)) is LoginRequired
    assert needs_login(parse(prompt="none"), _session(50), now=100) is False


def test_a_pending_action_forbids_reusing_the_session() -> None:
    assert needs_login(parse(), _session(50), now=100, pending_action=True) is True
    pending = needs_login(parse(prompt="none"), _session(50), now=100, pending_action=True)
    assert _refusal(pending) is InteractionRequired
    no_session = needs_login(parse(prompt="none"), None, now=100, pending_action=True)
    assert _refusal(no_session) is LoginRequired  # no session at all: login_required wins


def test_required_actions_run_in_keycloaks_order() -> None:
    user = User(id="u", realm_id="r1", username="u")
    assert next_action(user) is None
    both = replace(user, required_actions=("VERIFY_EMAIL", "UPDATE_PASSWORD"))
    assert next_action(both) == "UPDATE_PASSWORD"
    assert next_action(replace(both, required_actions=("UPDATE_PASSWORD", "CONFIGURE_TOTP"))) == "CONFIGURE_TOTP"
    assert next_action(replace(user, required_actions=("custom-action", "VERIFY_EMAIL"))) == "VERIFY_EMAIL"
    assert new_password_problem("", "") == "Please specify password."
    assert new_password_problem("a-Pass1", "b-Pass1") == "Passwords don't match."
    assert new_password_problem("a-Pass1", "a-Pass1") is None


def test_login_step_csrf_needs_cookie_and_token() -> None:
    step = LoginStep("tab", "cookie-value", "csrf-value", parse())
    assert step.csrf_ok("cookie-value", "csrf-value")
    assert not step.csrf_ok("other", "csrf-value")
    assert not step.csrf_ok("cookie-value", "other")
    assert not step.csrf_ok(None, "csrf-value")
