"""The device authorization grant (RFC 8628) end to end, on SQLite and PostgreSQL: a device's
codes, every polling answer (authorization_pending, slow_down, expired_token, access_denied,
tokens once, then invalid_grant), the verification page's CSRF checks, the ordinary login
behind it (and SSO skipping it), and the confirmation that follows."""

from __future__ import annotations

import html
import re
import secrets
import time
from typing import Any

import httpx
import pytest
from tests.e2e.harness import ServerProcess
from tests.e2e.oidc.browser import parse_login_form, submit_login

from realmgate.crypto import jws

PASSWORD = "s3cret-pw"
GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ENABLED = {"oauth2.device.authorization.grant.enabled": "true"}


@pytest.fixture
def realm(admin: httpx.Client) -> str:
    name = "dev" + secrets.token_hex(4)
    rep: dict[str, Any] = {
        "realm": name,
        "enabled": True,
        "users": [{"username": "ann", "enabled": True, "credentials": [{"type": "password", "value": PASSWORD}]}],
        "clients": [
            {"clientId": "tv", "secret": "tv-secret", "attributes": ENABLED},
            {"clientId": "tv-public", "publicClient": True, "attributes": ENABLED},
            {"clientId": "plain", "secret": "plain-secret"},
        ],
    }
    assert admin.post("/admin/realms", json=rep).status_code == 201
    return name


def _oidc(server: ServerProcess, realm: str, path: str) -> str:
    return server.url(f"/realms/{realm}/protocol/openid-connect/{path}")


def _start(server: ServerProcess, realm: str, client: str = "tv", **extra: str) -> dict[str, Any]:
    response = httpx.post(_oidc(server, realm, "auth/device"), data=extra, auth=(client, f"{client}-secret"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _poll(server: ServerProcess, realm: str, device_code: str, client: str = "tv") -> httpx.Response:
    data = {"grant_type": GRANT, "device_code": device_code}
    return httpx.post(_oidc(server, realm, "token"), data=data, auth=(client, f"{client}-secret"))


def _error(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    error: str = response.json()["error"]
    return error


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, page
    return html.unescape(found.group(1))


def _enter_code(browser: httpx.Client, started: dict[str, Any]) -> httpx.Response:
    page = browser.get(started["verification_uri_complete"])
    assert page.status_code == 200 and f'value="{started["user_code"]}"' in page.text
    data = {"user_code": started["user_code"], "csrf_token": _hidden(page.text, "csrf_token")}
    return browser.post(started["verification_uri"], data=data)


def _confirm(browser: httpx.Client, status: httpx.Response, *, accept: bool) -> httpx.Response:
    assert status.status_code == 302 and "/device/status?" in status.headers["location"], status.text
    page = browser.get(status.headers["location"])
    assert page.status_code == 200 and 'id="kc-device-confirm-form"' in page.text, page.text
    data = {"handle": _hidden(page.text, "handle"), "confirm_token": _hidden(page.text, "confirm_token")}
    data["accept" if accept else "cancel"] = "x"
    return browser.post(re.search(r'action="([^"]+)"', page.text).group(1), data=data)  # type: ignore[union-attr]


def _sign_in(browser: httpx.Client, entered: httpx.Response) -> httpx.Response:
    assert entered.status_code == 200, entered.text
    return submit_login(browser, parse_login_form(entered.text), "ann", PASSWORD)


def test_device_codes_and_the_whole_flow(any_server: ServerProcess, realm: str) -> None:
    started = _start(any_server, realm, scope="openid")
    page = any_server.url(f"/realms/{realm}/device")
    assert set(started) == {
        "device_code",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
        "expires_in",
        "interval",
    }
    assert started["verification_uri"] == page and started["expires_in"] == 600 and started["interval"] == 5
    assert started["verification_uri_complete"] == f"{page}?user_code={started['user_code']}"
    assert re.fullmatch(r"[B-Z]{4}-[B-Z]{4}", started["user_code"])

    assert _error(_poll(any_server, realm, started["device_code"])) == "authorization_pending"
    assert _error(_poll(any_server, realm, started["device_code"])) == "slow_down"  # polled within 5 s
    assert _error(_poll(any_server, realm, started["device_code"], client="plain")) in ("unauthorized_client",)

    with httpx.Client() as browser:
        done = _confirm(browser, _sign_in(browser, _enter_code(browser, started)), accept=True)
        assert done.status_code == 200 and "Device login successful" in done.text
        tokens = _poll(any_server, realm, started["device_code"])
        assert tokens.status_code == 200, tokens.text
        claims = jws.unverified_claims(tokens.json()["access_token"])
        assert claims["azp"] == "tv" and "refresh_token" in tokens.json() and "id_token" in tokens.json()
        assert _error(_poll(any_server, realm, started["device_code"])) == "invalid_grant"  # once only

        # The same browser has an SSO session now: a second device skips the login form.
        second = _start(any_server, realm)
        approved = _confirm(browser, _enter_code(browser, second), accept=True)
        assert "Device login successful" in approved.text
        assert _poll(any_server, realm, second["device_code"]).status_code == 200
        # A used user code is no longer accepted.
        again = _enter_code(browser, second)
        assert again.status_code == 400 and "Invalid code, please try again." in again.text


def test_denied_expired_and_refused(any_server: ServerProcess, admin: httpx.Client, realm: str) -> None:
    started = _start(any_server, realm)
    with httpx.Client() as browser:
        denied = _confirm(browser, _sign_in(browser, _enter_code(browser, started)), accept=False)
        assert denied.status_code == 200 and "denied" in denied.text
    assert _error(_poll(any_server, realm, started["device_code"])) == "access_denied"
    assert _error(_poll(any_server, realm, "no-such-code")) == "invalid_grant"
    missing = httpx.post(_oidc(any_server, realm, "token"), data={"grant_type": GRANT}, auth=("tv", "tv-secret"))
    assert _error(missing) == "invalid_request"

    # Only clients with the attribute may start the flow; a public one sends just its id.
    refused = httpx.post(_oidc(any_server, realm, "auth/device"), auth=("plain", "plain-secret"))
    assert _error(refused) == "unauthorized_client"
    public = httpx.post(_oidc(any_server, realm, "auth/device"), data={"client_id": "tv-public"})
    assert public.status_code == 200 and public.json()["user_code"]
    wrong = httpx.post(_oidc(any_server, realm, "auth/device"), auth=("tv", "wrong"))
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Basic ")
    bad_scope = httpx.post(_oidc(any_server, realm, "auth/device"), data={"scope": "nope"}, auth=("tv", "tv-secret"))
    assert _error(bad_scope) == "invalid_scope"

    # The realm's device code lifespan applies; a late poll learns expired_token.
    assert admin.put(f"/admin/realms/{realm}", json={"oauth2DeviceCodeLifespan": 1}).status_code == 204
    short = _start(any_server, realm)
    assert short["expires_in"] == 1
    time.sleep(1.2)
    assert _error(_poll(any_server, realm, short["device_code"])) == "expired_token"


def test_verification_page_checks_csrf_and_codes(any_server: ServerProcess, realm: str) -> None:
    started = _start(any_server, realm)
    page = any_server.url(f"/realms/{realm}/device")
    with httpx.Client() as browser:
        form = browser.get(page)
        token = _hidden(form.text, "csrf_token")
        forged = browser.post(page, data={"user_code": started["user_code"], "csrf_token": "forged"})
        assert forged.status_code == 400 and "could not be verified" in forged.text
        with httpx.Client() as other:  # a cross-site post carries the token but not the cookie
            assert other.post(page, data={"user_code": started["user_code"], "csrf_token": token}).status_code == 400
        wrong = browser.post(page, data={"user_code": "BBBB-BBBB", "csrf_token": token})
        assert wrong.status_code == 400 and "Invalid code, please try again." in wrong.text
        # Case and the separator do not matter when typing the code.
        typed = started["user_code"].replace("-", "").lower()
        entered = browser.post(page, data={"user_code": typed, "csrf_token": token})
        status = _sign_in(browser, entered)
        confirm_page = browser.get(status.headers["location"])
        forged_confirm = browser.post(
            any_server.url(f"/realms/{realm}/device/confirm"),
            data={"handle": _hidden(confirm_page.text, "handle"), "confirm_token": "forged", "accept": "x"},
        )
        assert forged_confirm.status_code == 400
        # The login's code cannot be replayed at the status page.
        assert browser.get(status.headers["location"]).status_code == 400
    assert _error(_poll(any_server, realm, started["device_code"])) == "authorization_pending"
