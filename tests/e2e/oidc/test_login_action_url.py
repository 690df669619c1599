"""The login form's action URL carries its step's token first (``session_code``, as Keycloak's
does), so a client that posts just the credentials to that URL signs in, like python-keycloak's
PKCE test which scrapes the action without decoding ``&amp;``; the token and the auth-session
cookie are still both required."""

from __future__ import annotations

import re

import httpx
from tests.e2e.harness import ServerProcess
from tests.e2e.oidc.browser import auth_url, callback_params, pkce_pair

from realmgate.protocol.login_flow import AUTH_SESSION_COOKIE

CREDENTIALS = {"username": "alice", "password": "alice-password"}


def _raw_action(browser: httpx.Client, server: ServerProcess) -> str:
    _, challenge = pkce_pair()
    page = browser.get(auth_url(server.base_url, code_challenge=challenge, code_challenge_method="S256"))
    assert page.status_code == 200
    found = re.search(r'<form id="kc-form-login" action="([^"]*)" method', page.text)
    assert found, page.text
    return found.group(1)  # as written in the page: ``&amp;`` and all


def test_credentials_alone_to_the_action_url_sign_in(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    raw = _raw_action(browser, oidc_server)
    assert re.search(r"/login-actions/authenticate\?session_code=[^&]+&amp;tab_id=", raw)
    signed_in = browser.post(raw, data=CREDENTIALS)  # only session_code survives the &amp;
    assert "code" in callback_params(signed_in)


def test_the_token_and_the_cookie_are_still_required(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    raw = _raw_action(browser, oidc_server)
    forged = re.sub(r"session_code=[^&]+", "session_code=forged", raw)
    assert browser.post(forged, data=CREDENTIALS).status_code == 400
    without_token = re.sub(r"session_code=[^&]+&amp;", "", raw).replace("&amp;", "&")
    refused = browser.post(without_token, data=CREDENTIALS)
    assert refused.status_code == 400 and "could not be verified" in refused.text
    with httpx.Client() as other:  # the URL without the auth-session cookie it is bound to
        assert other.post(raw, data=CREDENTIALS).status_code == 400
    browser.cookies.delete(AUTH_SESSION_COOKIE)
    assert browser.post(raw, data=CREDENTIALS).status_code == 400
