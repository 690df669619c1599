"""RFC error responses of the back-channel endpoints (RFC 6749 §5.2, RFC 6750 §3, RFC 7009,
RFC 7662): every error is ``{"error", "error_description"}`` with the right status, and a 401
or a bearer error carries a ``WWW-Authenticate`` challenge naming the same error."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.e2e.harness import ServerProcess
from tests.e2e.oidc.browser import CLIENT_ID, REALM, SECRET, oidc_url

BAD_CLIENT = "Invalid client or Invalid client credentials"
_PARAM = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def challenge(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """(scheme, parameters) of the response's one challenge, parsed independently."""
    scheme, _, rest = response.headers["www-authenticate"].partition(" ")
    params = {name: re.sub(r"\\(.)", r"\1", value) for name, value in _PARAM.findall(rest)}
    assert ", ".join(f'{k}="{v}"' for k, v in _PARAM.findall(rest)) == rest  # nothing else in it
    return scheme, params


def assert_error(response: httpx.Response, status: int, error: str, description: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {"error": error, "error_description": description}


def assert_challenged(response: httpx.Response, scheme: str) -> None:
    """The challenge names the body's error, so a client reading either learns the same."""
    body = response.json()
    assert challenge(response) == (
        scheme,
        {"realm": REALM, "error": body["error"], "error_description": body["error_description"]},
    )


@pytest.mark.parametrize("path", ["token", "token/introspect", "revoke"])
def test_wrong_secret_is_401_with_a_basic_challenge_however_it_was_sent(oidc_server: ServerProcess, path: str) -> None:
    url = oidc_url(oidc_server, path)
    form = {"grant_type": "client_credentials", "token": "x"}
    for response in (
        httpx.post(url, data=form, auth=(CLIENT_ID, "wrong")),
        httpx.post(url, data={**form, "client_id": CLIENT_ID, "client_secret": "wrong"}),
        httpx.post(url, data=form, auth=("no-such-client", SECRET)),
        httpx.post(url, data=form, headers={"authorization": "Basic !!not-base64"}),
    ):
        assert_error(response, 401, "invalid_client", BAD_CLIENT)
        assert_challenged(response, "Basic")


def test_errors_that_are_not_authentication_failures_carry_no_challenge(oidc_server: ServerProcess) -> None:
    token = oidc_url(oidc_server, "token")
    missing_client = httpx.post(token, data={"grant_type": "client_credentials"})
    assert_error(missing_client, 400, "invalid_client", "Missing parameter: client_id")
    unsupported = httpx.post(token, data={"grant_type": "urn:example:nothing"}, auth=(CLIENT_ID, SECRET))
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"
    bad_code = httpx.post(token, data={"grant_type": "authorization_code", "code": "x"}, auth=(CLIENT_ID, SECRET))
    assert bad_code.status_code == 400 and bad_code.json()["error"] == "invalid_grant"
    for response in (missing_client, unsupported, bad_code):
        assert "www-authenticate" not in response.headers


def test_userinfo_bearer_errors_follow_rfc_6750(oidc_server: ServerProcess) -> None:
    userinfo = oidc_url(oidc_server, "userinfo")
    for response, description in (
        (httpx.get(userinfo), "Token not provided"),
        (httpx.get(userinfo, headers={"authorization": "Bearer not-a-token"}), "Token verification failed"),
        (httpx.post(userinfo, data={"access_token": "not-a-token"}), "Token verification failed"),
    ):
        assert_error(response, 401, "invalid_token", description)
        assert_challenged(response, "Bearer")
