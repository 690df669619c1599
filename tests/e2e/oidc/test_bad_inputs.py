"""One test per bad input: each is refused the way Keycloak (and the RFCs) say."""

from __future__ import annotations

import base64

import httpx
from tests.e2e.harness import ServerProcess
from tests.e2e.oidc.browser import (
    CLIENT_ID,
    REALM,
    REDIRECT_URI,
    SECRET,
    auth_url,
    callback_params,
    oidc_url,
    parse_login_form,
    pkce_pair,
    submit_login,
)


def password_grant(server: ServerProcess, **extra: str) -> httpx.Response:
    data = {"grant_type": "password", "username": "alice", "password": "alice-password", "scope": "openid", **extra}
    return httpx.post(oidc_url(server, "token"), data=data, auth=(CLIENT_ID, SECRET), timeout=10.0)


def test_unknown_realm_is_404_realm_does_not_exist(oidc_server: ServerProcess) -> None:
    for path in ("/.well-known/openid-configuration", "/protocol/openid-connect/certs", ""):
        response = httpx.get(oidc_server.url(f"/realms/no-such-realm{path}"))
        assert response.status_code == 404
        assert response.json() == {"error": "Realm does not exist"}
    assert (
        httpx.post(oidc_url(oidc_server, "token", "no-such-realm"), data={"grant_type": "password"}).status_code == 404
    )


def test_wrong_client_secret_is_401_invalid_client(oidc_server: ServerProcess) -> None:
    response = httpx.post(
        oidc_url(oidc_server, "token"), data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, "wrong")
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic ")
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "Invalid client or Invalid client credentials",
    }


def test_secret_with_special_characters_in_basic_header(oidc_server: ServerProcess) -> None:
    # RFC 6749 §2.3.1: form-encode id and secret, then Basic. Clients that forget to encode
    # (httpx's auth=() among them) are accepted too.
    encoded = "web-app:web-app-s3cret%2B%2F%25"
    for value in (encoded, f"{CLIENT_ID}:{SECRET}"):
        header = "Basic " + base64.b64encode(value.encode()).decode()
        response = httpx.post(
            oidc_url(oidc_server, "token"), data={"grant_type": "client_credentials"}, headers={"authorization": header}
        )
        assert response.status_code == 200, response.text
        assert "refresh_token" not in response.json()


def test_unregistered_redirect_uri_is_an_error_page_not_a_redirect(
    oidc_server: ServerProcess, browser: httpx.Client
) -> None:
    for params in ({"redirect_uri": "https://evil.example/cb"}, {"client_id": "nobody"}):
        response = browser.get(auth_url(oidc_server.base_url, **params), headers={"accept": "text/html"})
        assert response.status_code == 400
        assert "location" not in response.headers
        assert response.headers["content-type"].startswith("text/html")
        assert "evil.example" not in response.text


def test_unsupported_response_type_is_redirected_once_redirect_uri_is_proven(
    oidc_server: ServerProcess, browser: httpx.Client
) -> None:
    params = callback_params(browser.get(auth_url(oidc_server.base_url, response_type="code jwt")))
    assert params["error"] == "unsupported_response_type"
    # A known type the client may not use (implicit flow disabled) is Keycloak's unauthorized_client.
    params = callback_params(browser.get(auth_url(oidc_server.base_url, response_type="token")))
    assert params["error"] == "unauthorized_client"


def test_missing_pkce_for_a_client_that_requires_it(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    params = callback_params(browser.get(auth_url(oidc_server.base_url)))
    assert params["error"] == "invalid_request"


def _code(server: ServerProcess, browser: httpx.Client, challenge: str) -> str:
    page = browser.get(auth_url(server.base_url, code_challenge=challenge, code_challenge_method="S256"))
    return callback_params(submit_login(browser, parse_login_form(page.text), "alice", "alice-password"))["code"]


def test_wrong_pkce_verifier_and_reused_code_are_invalid_grant(
    oidc_server: ServerProcess, browser: httpx.Client
) -> None:
    verifier, challenge = pkce_pair()
    code = _code(oidc_server, browser, challenge)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    wrong = httpx.post(
        oidc_url(oidc_server, "token"), data={**data, "code_verifier": pkce_pair()[0]}, auth=(CLIENT_ID, SECRET)
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # The code was consumed by the failed attempt: it cannot be retried.
    again = httpx.post(
        oidc_url(oidc_server, "token"), data={**data, "code_verifier": verifier}, auth=(CLIENT_ID, SECRET)
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_duplicate_parameters_are_refused(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    body = "grant_type=password&username=alice&password=alice-password&scope=openid&scope=email"
    response = httpx.post(
        oidc_url(oidc_server, "token"),
        content=body,
        auth=(CLIENT_ID, SECRET),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    page = browser.get(auth_url(oidc_server.base_url) + "&state=twice")
    assert page.status_code == 400 and "location" not in page.headers


def test_json_body_is_refused(oidc_server: ServerProcess) -> None:
    response = httpx.post(
        oidc_url(oidc_server, "token"), json={"grant_type": "client_credentials"}, auth=(CLIENT_ID, SECRET)
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_login_post_without_valid_csrf_is_refused(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    _, challenge = pkce_pair()
    page = browser.get(auth_url(oidc_server.base_url, code_challenge=challenge, code_challenge_method="S256"))
    form = parse_login_form(page.text)
    forged = browser.post(form.action, data={"username": "alice", "password": "alice-password", "csrf_token": "forged"})
    assert forged.status_code == 400 and "location" not in forged.headers
    # Right token but without the auth-session cookie (another browser): refused as well.
    with httpx.Client(timeout=10.0) as other:
        stolen = other.post(
            form.action, data={"username": "alice", "password": "alice-password", "csrf_token": form.csrf}
        )
    assert stolen.status_code == 400 and "location" not in stolen.headers
    # The genuine form still works afterwards.
    assert callback_params(submit_login(browser, form, "alice", "alice-password"))["code"]


def test_used_or_expired_login_page_says_start_again(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    _, challenge = pkce_pair()
    page = browser.get(auth_url(oidc_server.base_url, code_challenge=challenge, code_challenge_method="S256"))
    form = parse_login_form(page.text)
    callback_params(submit_login(browser, form, "alice", "alice-password"))
    expired = submit_login(browser, form, "alice", "alice-password")
    assert expired.status_code == 400
    assert "Page has expired" in expired.text and 'id="loginRestartLink"' in expired.text
    restart = expired.text.split('id="loginRestartLink" href="')[1].split('"')[0].replace("&amp;", "&")
    assert restart.startswith(oidc_server.url(f"/realms/{REALM}/protocol/openid-connect/auth?"))
    assert "code_challenge=" + challenge in restart


def test_bad_refresh_token_and_password(oidc_server: ServerProcess) -> None:
    response = httpx.post(
        oidc_url(oidc_server, "token"),
        data={"grant_type": "refresh_token", "refresh_token": "x.y.z"},
        auth=(CLIENT_ID, SECRET),
    )
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Invalid refresh token"}
    wrong = password_grant(oidc_server, password="nope")
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_grant"


def test_unsupported_and_missing_grant_type(oidc_server: ServerProcess) -> None:
    unknown = httpx.post(oidc_url(oidc_server, "token"), data={"grant_type": "urn:nope"}, auth=(CLIENT_ID, SECRET))
    assert unknown.status_code == 400 and unknown.json()["error"] == "unsupported_grant_type"
    missing = httpx.post(oidc_url(oidc_server, "token"), data={}, auth=(CLIENT_ID, SECRET))
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


def test_oversized_token_request_is_413(oidc_server: ServerProcess) -> None:
    response = httpx.post(
        oidc_url(oidc_server, "token"),
        content=b"a=" + b"x" * (11 * 1024 * 1024),  # over the 10 MiB default
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_public_client_cannot_introspect(oidc_server: ServerProcess) -> None:
    response = httpx.post(
        oidc_server.url(f"/realms/{REALM}/protocol/openid-connect/token/introspect"),
        data={"client_id": "spa", "token": "x"},
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_reloading_the_login_form_url_shows_the_form_again(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    _, challenge = pkce_pair()
    page = browser.get(auth_url(oidc_server.base_url, code_challenge=challenge, code_challenge_method="S256"))
    form = parse_login_form(page.text)
    reloaded = browser.get(form.action)
    assert reloaded.status_code == 200 and parse_login_form(reloaded.text).csrf == form.csrf
