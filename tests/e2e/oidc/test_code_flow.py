"""The authorization code flow through the real login form, against a real server process."""

from __future__ import annotations

from typing import Any

import httpx
from tests.e2e.harness import ServerProcess
from tests.e2e.oidc.browser import (
    CLIENT_ID,
    REALM,
    REDIRECT_URI,
    SECRET,
    auth_url,
    callback_params,
    login,
    oidc_url,
    parse_login_form,
    pkce_pair,
    submit_login,
)

from realmgate.crypto import jws


def redeem(server: ServerProcess, code: str, verifier: str) -> httpx.Response:
    return httpx.post(
        oidc_url(server, "token"),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, SECRET),
        timeout=10.0,
    )


def test_login_page_shape(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    _, challenge = pkce_pair()
    page = browser.get(
        auth_url(
            oidc_server.base_url,
            code_challenge=challenge,
            code_challenge_method="S256",
            login_hint="alice@example.com",
            ui_locales="de",
            foo="bar",
        )
    )
    assert page.status_code == 200
    assert 'id="kc-form-login"' in page.text and 'id="kc-login"' in page.text and "Sign In" in page.text
    assert "Username or email" in page.text and "Password" in page.text and "OIDC Test Realm" in page.text
    assert parse_login_form(page.text).username == "alice@example.com"
    cookie = page.headers.get_list("set-cookie")
    auth_cookie = next(c for c in cookie if c.startswith("AUTH_SESSION_ID="))
    assert "HttpOnly" in auth_cookie and "SameSite=lax" in auth_cookie.replace("Lax", "lax")


def test_code_flow_with_pkce_sso_and_replay(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    url = auth_url(oidc_server.base_url, code_challenge=challenge, code_challenge_method="S256")
    page = browser.get(url)
    form = parse_login_form(page.text)
    wrong = submit_login(browser, form, "alice", "wrong")
    assert wrong.status_code == 200 and "Invalid username or password." in wrong.text
    nobody = submit_login(browser, form, "nobody", "wrong")
    assert "Invalid username or password." in nobody.text  # same words: no account enumeration
    response = submit_login(browser, form, "alice", "alice-password")
    params = callback_params(response)
    assert list(params)[:3] == ["state", "session_state", "iss"]
    assert params["state"] == "st-1" and params["iss"] == oidc_server.url(f"/realms/{REALM}")
    sso = next(c for c in response.headers.get_list("set-cookie") if c.startswith("KEYCLOAK_IDENTITY="))
    assert "HttpOnly" in sso

    tokens = redeem(oidc_server, params["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    claims = jws.unverified_claims(body["id_token"])
    assert claims["nonce"] == "n-1" and claims["aud"] == CLIENT_ID and claims["sid"] == params["session_state"]

    # Reusing the code fails and revokes what it issued.
    replay = redeem(oidc_server, params["code"], verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    userinfo = httpx.get(oidc_url(oidc_server, "userinfo"), headers={"authorization": f"Bearer {body['access_token']}"})
    assert userinfo.status_code == 401
    assert 'error="invalid_token"' in userinfo.headers["www-authenticate"]

    # The SSO cookie skips the form for the next authorization.
    verifier2, challenge2 = pkce_pair()
    again = browser.get(
        auth_url(oidc_server.base_url, code_challenge=challenge2, code_challenge_method="S256", prompt="none")
    )
    second = callback_params(again)
    assert second["session_state"] == params["session_state"]
    fresh = redeem(oidc_server, second["code"], verifier2)
    assert fresh.status_code == 200
    access = fresh.json()["access_token"]
    info = httpx.get(oidc_url(oidc_server, "userinfo"), headers={"authorization": f"Bearer {access}"})
    assert info.status_code == 200 and info.json()["preferred_username"] == "alice"
    posted = httpx.post(oidc_url(oidc_server, "userinfo"), data={"access_token": access})
    assert posted.status_code == 200

    # prompt=login shows the form although a session exists.
    forced = browser.get(
        auth_url(oidc_server.base_url, code_challenge=challenge2, code_challenge_method="S256", prompt="login")
    )
    assert forced.status_code == 200 and 'id="kc-form-login"' in forced.text

    # RP-initiated logout with id_token_hint ends the session for everyone.
    logout = browser.get(
        oidc_url(oidc_server, "logout"),
        params={"id_token_hint": fresh.json()["id_token"], "post_logout_redirect_uri": REDIRECT_URI, "state": "bye"},
    )
    assert logout.status_code == 302 and logout.headers["location"] == f"{REDIRECT_URI}?state=bye"
    assert (
        httpx.get(oidc_url(oidc_server, "userinfo"), headers={"authorization": f"Bearer {access}"}).status_code == 401
    )
    none_again = browser.get(
        auth_url(oidc_server.base_url, code_challenge=challenge2, code_challenge_method="S256", prompt="none")
    )
    assert callback_params(none_again)["error"] == "login_required"


def test_prompt_none_without_session(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    _, challenge = pkce_pair()
    params = callback_params(
        browser.get(
            auth_url(oidc_server.base_url, prompt="none", code_challenge=challenge, code_challenge_method="S256")
        )
    )
    assert params["error"] == "login_required" and params["state"] == "st-1"


def test_form_post_and_fragment_modes(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    _, challenge = pkce_pair()
    page = browser.get(
        auth_url(
            oidc_server.base_url, response_mode="form_post", code_challenge=challenge, code_challenge_method="S256"
        )
    )
    done = submit_login(browser, parse_login_form(page.text), "alice", "alice-password")
    assert done.status_code == 200
    assert f'action="{REDIRECT_URI}"' in done.text and 'name="code"' in done.text and 'name="iss"' in done.text
    fragment = browser.get(
        auth_url(oidc_server.base_url, response_mode="fragment", code_challenge=challenge, code_challenge_method="S256")
    )
    assert fragment.status_code == 302 and "#state=st-1" in fragment.headers["location"]


def test_disabled_user_gets_generic_error(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    _, challenge = pkce_pair()
    page = browser.get(auth_url(oidc_server.base_url, code_challenge=challenge, code_challenge_method="S256"))
    response = submit_login(browser, parse_login_form(page.text), "mallory", "mallory-password")
    assert response.status_code == 200 and "Account is disabled" in response.text


def test_login_helper_returns_code(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    params = login(browser, auth_url(oidc_server.base_url, code_challenge=challenge, code_challenge_method="S256"))
    assert redeem(oidc_server, params["code"], verifier).status_code == 200


def test_provider_buttons_and_idp_hint(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    _, challenge = pkce_pair()
    url = auth_url(oidc_server.base_url, code_challenge=challenge, code_challenge_method="S256")
    page = browser.get(url)
    assert "Or sign in with" in page.text and "Upstream IdP" in page.text
    assert "Hidden" not in page.text  # hideOnLogin
    form = parse_login_form(page.text)
    tab_id = form.action.split("tab_id=")[1].split("&")[0]
    button = page.text.split('id="social-upstream" class="rg-button rg-button-secondary" href="')[1].split('"')[0]
    assert button.startswith(oidc_server.url(f"/realms/{REALM}/broker/upstream/login?"))
    assert f"tab_id={tab_id}" in button and "session_code=" in button
    hinted = browser.get(url + "&kc_idp_hint=hidden")  # hidden providers stay usable by hint
    assert hinted.status_code == 302
    assert hinted.headers["location"].startswith(oidc_server.url(f"/realms/{REALM}/broker/hidden/login?"))
    unknown = browser.get(url + "&kc_idp_hint=nope")
    assert unknown.status_code == 200 and 'id="kc-form-login"' in unknown.text


def test_prompt_login_and_max_age_reauthenticate_the_same_session(
    oidc_server: ServerProcess, browser: httpx.Client
) -> None:
    import time

    verifier, challenge = pkce_pair()
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256"}
    first = login(browser, auth_url(oidc_server.base_url, **pkce))
    first_claims: dict[str, Any] = jws.unverified_claims(
        redeem(oidc_server, first["code"], verifier).json()["id_token"]
    )
    time.sleep(2.05)  # whole seconds: auth_time + 1 < now needs two ticks
    assert "code" in callback_params(browser.get(auth_url(oidc_server.base_url, max_age="10000", **pkce)))
    again = login(browser, auth_url(oidc_server.base_url, max_age="1", **pkce))  # older than 1 s: form again
    claims: dict[str, Any] = jws.unverified_claims(redeem(oidc_server, again["code"], verifier).json()["id_token"])
    assert again["session_state"] == first["session_state"]
    assert claims["auth_time"] > first_claims["auth_time"] and claims["sub"] == first_claims["sub"]


def test_authorization_request_by_post(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    _, challenge = pkce_pair()
    page = browser.post(
        f"/realms/{REALM}/protocol/openid-connect/auth",
        data={
            "client_id": CLIENT_ID,
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": REDIRECT_URI,
            "state": "posted",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert page.status_code == 200 and 'id="kc-form-login"' in page.text
    params = callback_params(submit_login(browser, parse_login_form(page.text), "alice", "alice-password"))
    assert params["state"] == "posted"
