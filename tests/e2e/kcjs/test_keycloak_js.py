"""The real keycloak-js (npm, see package.json) in Debian's chromium against realmgate.

Each test drives the app page (``app/``) with one adapter option; every test runs on SQLite and
on PostgreSQL. Rerun: ``.venv/bin/pytest -q -p no:cacheprovider tests/e2e/kcjs``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from tests.e2e.kcjs.conftest import PASSWORD, REALM, USER, App

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
QUERY_REFUSED = "Response_mode 'query' not allowed for implicit or hybrid flow"


def outcome(app: App) -> dict[str, Any]:
    """What ``keycloak.init()`` resolved to, once the app page has settled."""
    app.page.wait_for_function("() => window.kcOutcome !== undefined", timeout=TIMEOUT_MS)
    result: dict[str, Any] = app.page.evaluate("() => window.kcOutcome")
    return result


def sign_in(app: App) -> None:
    """Fill realmgate's login form and wait for the browser to come back to the app."""
    page: Any = app.page
    page.wait_for_selector("#kc-form-login", timeout=TIMEOUT_MS)
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("#kc-login")
    page.wait_for_url(f"{app.origin}/**", timeout=TIMEOUT_MS)


def logged_in(app: App, **options: str) -> dict[str, Any]:
    """Open the app with ``login-required`` and ``options``, sign in, return the outcome."""
    app.page.goto(app.url(**options))
    sign_in(app)
    return outcome(app)


def kc(app: App, expression: str) -> Any:
    """Evaluate ``expression`` with ``kc`` bound to the page's adapter (promises are awaited)."""
    return app.page.evaluate(f"async () => {{ const kc = window.kc; return await ({expression}); }}")


def assert_signed_in(app: App, result: dict[str, Any]) -> None:
    assert result.get("authenticated") is True, result
    assert kc(app, "kc.tokenParsed.preferred_username") == USER
    assert kc(app, "kc.idTokenParsed.nonce") is not None
    assert "code=" not in result["url"] and "state=" not in result["url"], result["url"]


def test_login_required_fragment_default(app: App) -> None:
    result = logged_in(app)
    assert_signed_in(app, result)
    assert kc(app, "kc.refreshToken") is not None
    assert kc(app, "kc.sessionId") == kc(app, "kc.tokenParsed.sid")


def test_login_required_query_mode(app: App) -> None:
    result = logged_in(app, responseMode="query")
    assert_signed_in(app, result)
    assert "iss=" not in result["url"]


@pytest.mark.parametrize("mode", ["fragment", "query"])
def test_app_fragment_preserved(app: App, mode: str) -> None:
    app.page.goto(app.url(fragment="section-2", responseMode=mode))
    sign_in(app)
    result = outcome(app)
    assert_signed_in(app, result)
    assert result["url"].endswith("#section-2"), result["url"]


def test_implicit_flow(app: App) -> None:
    result = logged_in(app, client="spa-implicit", flow="implicit")
    assert_signed_in(app, result)
    assert kc(app, "kc.refreshToken") is None  # implicit: no refresh token
    assert kc(app, "kc.idTokenParsed.at_hash") is not None


def test_implicit_flow_refused_without_implicit_enabled(app: App) -> None:
    app.page.goto(app.url(flow="implicit"))
    result = outcome(app)
    assert result.get("error") == "unauthorized_client", result


def test_hybrid_flow(app: App) -> None:
    result = logged_in(app, client="spa-implicit", flow="hybrid")
    assert_signed_in(app, result)
    assert kc(app, "kc.refreshToken") is not None  # the code was exchanged too


def silent_check(app: App) -> dict[str, Any]:
    """Open the app with check-sso and a silent-check-sso page; the ``prompt=none`` request
    must go through keycloak-js's hidden iframe, never the top window."""
    page: Any = app.page
    prompts: list[bool] = []

    def seen(request: Any) -> None:
        if "/protocol/openid-connect/auth?" in request.url and "prompt=none" in request.url:
            prompts.append(request.frame != page.main_frame)

    page.on("request", seen)
    page.goto(app.url(onLoad="check-sso", silent="1"))
    result = outcome(app)
    page.remove_listener("request", seen)
    assert prompts == [True], prompts
    return result


def test_check_sso_silent_not_logged_in(app: App) -> None:
    result = silent_check(app)
    assert result == {"authenticated": False, "url": app.url(onLoad="check-sso", silent="1")}


def test_check_sso_silent_logged_in(app: App) -> None:
    logged_in(app)
    result = silent_check(app)
    assert result.get("authenticated") is True, result
    assert kc(app, "kc.tokenParsed.preferred_username") == USER


def test_session_iframe_unchanged_then_changed(app: App) -> None:
    """check-sso with the session iframe: a logged-in browser is "unchanged"; after the session
    ends elsewhere (a logout in another tab) the iframe reports "changed" and the adapter logs out."""
    assert_signed_in(app, logged_in(app))
    app.page.goto(app.url(onLoad="check-sso", iframe="1", silent="1"))
    assert outcome(app).get("authenticated") is True
    app.page.wait_for_timeout(2500)  # two or three polls at 1 s
    assert kc(app, "window.kcChanges") == [] and kc(app, "kc.authenticated") is True
    other = app.page.context.new_page()
    other.goto(app.url(onLoad="check-sso", silent="1"))
    other.wait_for_function("() => window.kcOutcome !== undefined")
    other.evaluate("() => window.kcOutcome")
    other.evaluate("() => window.kc.logout({redirectUri: location.origin + '/silent-check-sso.html'})")
    other.wait_for_url(f"{app.origin}/silent-check-sso.html", timeout=TIMEOUT_MS)
    app.page.wait_for_function("() => window.kcChanges.includes('logout')", timeout=TIMEOUT_MS)
    assert kc(app, "kc.authenticated") is False


def test_session_iframe_refuses_an_origin_the_client_does_not_allow(app: App) -> None:
    """Client "elsewhere" allows another origin only: the iframe's init call gets 403, it
    answers "error", and keycloak-js's init fails."""
    app.page.goto(app.url(client="elsewhere", onLoad="check-sso", iframe="1"))
    assert outcome(app).get("error") == "Error while checking login iframe"


def test_session_iframe_init_checks_the_origin(app: App) -> None:
    base = app.idp.url(f"/realms/{REALM}/protocol/openid-connect/login-status-iframe.html")
    page = httpx.get(base)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert httpx.get(f"{base}/init", params={"client_id": "spa", "origin": app.origin}).status_code == 204
    assert httpx.get(f"{base}/init", params={"client_id": "spa", "origin": "http://evil.example"}).status_code == 403
    assert httpx.get(f"{base}/init", params={"client_id": "nope", "origin": app.origin}).status_code == 403


def test_logout_ends_the_session(app: App) -> None:
    assert_signed_in(app, logged_in(app))
    logout_and_expect_login_form(app, "")


def logout_and_expect_login_form(app: App, options: str) -> None:
    """Log out through keycloak-js; back at the app (its ``post_logout_redirect_uri``),
    login-required must show the login form again: the SSO session is gone."""
    page: Any = app.page
    with page.expect_request(lambda r: "/protocol/openid-connect/logout" in r.url) as logout:
        page.evaluate(f"() => {{ window.kc.logout({options}); }}")
    assert "id_token_hint" in (logout.value.url + (logout.value.post_data or ""))
    page.wait_for_selector("#kc-form-login", timeout=TIMEOUT_MS)
    assert page.url.startswith(app.idp.base_url)


def test_logout_post(app: App) -> None:
    assert_signed_in(app, logged_in(app))
    logout_and_expect_login_form(app, "{logoutMethod: 'POST'}")


def test_update_token_refreshes(app: App) -> None:
    assert_signed_in(app, logged_in(app))
    before = kc(app, "kc.token")
    assert kc(app, "kc.updateToken(-1)") is True
    assert kc(app, "kc.token") != before
    assert kc(app, "kc.tokenParsed.preferred_username") == USER


def test_load_user_profile(app: App) -> None:
    assert_signed_in(app, logged_in(app))
    profile = kc(app, "kc.loadUserProfile()")
    assert profile["username"] == USER
    assert profile["email"] == "jane@example.com"
    assert (profile["firstName"], profile["lastName"], profile["emailVerified"]) == ("Jane", "Doe", True)
    assert profile["id"] == kc(app, "kc.subject")
    assert profile["attributes"]["team"] == ["blue"]


def test_load_user_info(app: App) -> None:
    assert_signed_in(app, logged_in(app))
    info = kc(app, "kc.loadUserInfo()")
    assert info["preferred_username"] == USER and info["sub"] == kc(app, "kc.subject")


def test_register_and_account_urls_answer_pages(app: App) -> None:
    assert_signed_in(app, logged_in(app))
    register = httpx.get(kc(app, "kc.createRegisterUrl()"), headers={"accept": "text/html"})
    assert register.status_code == 400 and "Registration not allowed." in register.text  # no self-registration yet
    account = httpx.get(kc(app, "kc.createAccountUrl()"), headers={"accept": "text/html"})
    assert account.status_code == 404 and "account console is not available" in account.text


def test_account_api_refuses_bad_tokens(app: App) -> None:
    url = app.idp.url(f"/realms/{REALM}/account")
    assert httpx.get(url, headers={"accept": "application/json"}).status_code == 401
    refused = httpx.get(url, headers={"authorization": "Bearer not-a-token"})
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_token"


def test_form_post_response_mode(app: App) -> None:
    """keycloak-js does not use form_post, but Keycloak offers it: the response is an
    auto-submitting form that posts code, state and iss to the redirect URI."""
    page: Any = app.page
    posted: list[dict[str, str]] = []

    def capture(route: Any) -> None:
        posted.append({k: v[0] for k, v in parse_qs(route.request.post_data or "").items()})
        route.fulfill(status=200, body="posted")

    page.route(f"{app.origin}/form-post-callback", capture)
    query = {
        "client_id": "spa",
        "redirect_uri": f"{app.origin}/form-post-callback",
        "response_type": "code",
        "response_mode": "form_post",
        "scope": "openid",
        "state": "st-42",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",  # the clients require PKCE
        "code_challenge_method": "S256",
    }
    page.goto(app.idp.url(f"/realms/{REALM}/protocol/openid-connect/auth?{httpx.QueryParams(query)}"))
    sign_in(app)
    page.wait_for_function("() => document.body.innerText === 'posted'", timeout=TIMEOUT_MS)
    assert len(posted) == 1, json.dumps(posted)
    assert posted[0]["state"] == "st-42" and posted[0]["code"] and posted[0]["session_state"]
    assert posted[0]["iss"] == app.idp.url(f"/realms/{REALM}")


@pytest.mark.parametrize(
    ("extra", "description", "part"),
    [
        ({}, "Missing parameter: nonce", "fragment"),  # the front-channel default
        # The mode asked for carries its own refusal, as in Keycloak.
        ({"nonce": "n", "response_mode": "query"}, QUERY_REFUSED, "query"),
    ],
)
def test_implicit_request_errors_go_back_to_the_client(
    app: App, extra: dict[str, str], description: str, part: str
) -> None:
    query = {
        "client_id": "spa-implicit",
        "redirect_uri": f"{app.origin}/index.html",
        "response_type": "id_token token",
        "scope": "openid",
        "state": "st-7",
        **extra,
    }
    response = httpx.get(app.idp.url(f"/realms/{REALM}/protocol/openid-connect/auth"), params=query)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{app.origin}/index.html"
    params = {k: v[0] for k, v in parse_qs(getattr(location, part)).items()}
    assert (params["error"], params["error_description"], params["state"]) == ("invalid_request", description, "st-7")
