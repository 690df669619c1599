"""Required actions and consent at browser login fail closed, through a real server and its pages.

A temporary password leads to the "update password" page (policy applied, the action cleared,
the event recorded, the new password working and the old one not); any other pending action
stops the login; a client that needs consent never gets a code (there is no consent page yet).
Each test runs on SQLite and PostgreSQL, set up with python-keycloak's unchanged ``KeycloakAdmin``.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from tests.e2e.harness import ServerProcess, keycloak_admin
from tests.e2e.oidc.browser import parse_login_form, submit_login

from keycloak import KeycloakAdmin

REDIRECT_URI = "http://127.0.0.1:9999/callback"
SECRET = "ra-client-secret"
OLD_PASSWORD = "temporary-Pass1"
NEW_PASSWORD = "brand-new-Pass2"


@dataclass
class World:
    server: ServerProcess
    kc: KeycloakAdmin
    realm: str
    user_id: str

    def auth_url(self, client_id: str = "app", **params: str) -> str:
        query = {
            "client_id": client_id,
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": REDIRECT_URI,
            "state": "st",
            **params,
        }
        return self.server.url(f"/realms/{self.realm}/protocol/openid-connect/auth?{urlencode(query)}")

    def password_grant(self, password: str) -> httpx.Response:
        return httpx.post(
            self.server.url(f"/realms/{self.realm}/protocol/openid-connect/token"),
            data={"grant_type": "password", "username": "carol", "password": password, "scope": "openid"},
            auth=("app", SECRET),
            timeout=10.0,
        )


@pytest.fixture
def world(any_server: ServerProcess) -> World:
    kc = keycloak_admin(any_server)
    realm = "ra" + secrets.token_hex(4)
    kc.create_realm({"realm": realm, "enabled": True, "eventsEnabled": True})
    kc.change_current_realm(realm)
    kc.create_client(
        {
            "clientId": "app",
            "secret": SECRET,
            "redirectUris": [REDIRECT_URI],
            "directAccessGrantsEnabled": True,
        }
    )
    kc.create_client(
        {"clientId": "needs-consent", "publicClient": True, "redirectUris": [REDIRECT_URI], "consentRequired": True}
    )
    user_id = kc.create_user({"username": "carol", "enabled": True})
    kc.set_user_password(user_id, OLD_PASSWORD, temporary=True)
    return World(any_server, kc, realm, user_id)


@pytest.fixture
def browser(any_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=any_server.base_url, timeout=10.0, follow_redirects=False) as client:
        yield client


@dataclass
class ActionForm:
    action: str
    csrf: str


def parse_update_password(page: httpx.Response) -> ActionForm:
    form = re.search(r'<form id="kc-passwd-update-form"[^>]*action="([^"]+)"', page.text)
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
    assert form and csrf, page.text
    return ActionForm(html.unescape(form.group(1)), csrf.group(1))


def sign_in(browser: httpx.Client, world: World, password: str, **params: str) -> httpx.Response:
    page = browser.get(world.auth_url(**params))
    assert page.status_code == 200, page.text
    return submit_login(browser, parse_login_form(page.text), "carol", password)


def code_of(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI), location
    return parse_qs(urlsplit(location).query)["code"][0]


def update_password(browser: httpx.Client, form: ActionForm, new: str, confirm: str | None = None) -> httpx.Response:
    data = {"password-new": new, "password-confirm": new if confirm is None else confirm, "csrf_token": form.csrf}
    return browser.post(form.action, data=data)


def test_temporary_password_forces_a_new_one(world: World, browser: httpx.Client) -> None:
    world.kc.update_realm(world.realm, {"passwordPolicy": "length(10)"})
    page = sign_in(browser, world, OLD_PASSWORD)
    assert page.status_code == 200 and "Update password" in page.text
    assert "location" not in page.headers
    form = parse_update_password(page)
    assert "/login-actions/required-action?execution=UPDATE_PASSWORD" in form.action

    mismatch = update_password(browser, form, NEW_PASSWORD, "something-else1")
    assert mismatch.status_code == 400 and "Passwords don&#39;t match." in mismatch.text
    empty = update_password(browser, form, "")
    assert empty.status_code == 400 and "Please specify password." in empty.text
    short = update_password(browser, form, "Short1")
    assert short.status_code == 400 and "Invalid password: minimum length 10." in short.text
    assert world.kc.get_user(world.user_id)["requiredActions"] == ["UPDATE_PASSWORD"]

    code = code_of(update_password(browser, form, NEW_PASSWORD))
    assert code
    assert world.kc.get_user(world.user_id)["requiredActions"] == []
    types = {e["type"] for e in world.kc.get_events({"user": world.user_id})}
    assert {"UPDATE_PASSWORD", "UPDATE_CREDENTIAL", "LOGIN"} <= types

    assert world.password_grant(NEW_PASSWORD).status_code == 200
    assert world.password_grant(OLD_PASSWORD).status_code == 401
    with httpx.Client(base_url=world.server.base_url, timeout=10.0, follow_redirects=False) as fresh:
        assert code_of(sign_in(fresh, world, NEW_PASSWORD))
    with httpx.Client(base_url=world.server.base_url, timeout=10.0, follow_redirects=False) as fresh:
        refused = sign_in(fresh, world, OLD_PASSWORD)
        assert refused.status_code == 200 and "Invalid username or password." in refused.text


def test_the_update_form_is_bound_to_its_browser(world: World, browser: httpx.Client) -> None:
    form = parse_update_password(sign_in(browser, world, OLD_PASSWORD))
    forged = update_password(browser, ActionForm(form.action, "not-the-token"), NEW_PASSWORD)
    assert forged.status_code == 400 and "location" not in forged.headers
    with httpx.Client(base_url=world.server.base_url, timeout=10.0, follow_redirects=False) as other:
        stolen = update_password(other, form, NEW_PASSWORD)  # no auth-session cookie
    assert stolen.status_code == 400 and "location" not in stolen.headers
    assert world.kc.get_user(world.user_id)["requiredActions"] == ["UPDATE_PASSWORD"]
    assert world.password_grant(NEW_PASSWORD).status_code == 401


@pytest.mark.parametrize("action", ["CONFIGURE_TOTP", "VERIFY_EMAIL", "UPDATE_PROFILE", "TERMS_AND_CONDITIONS"])
def test_an_action_without_a_page_stops_the_login(world: World, browser: httpx.Client, action: str) -> None:
    world.kc.set_user_password(world.user_id, OLD_PASSWORD, temporary=False)
    world.kc.update_user(world.user_id, {"requiredActions": [action]})
    stopped = sign_in(browser, world, OLD_PASSWORD)
    assert stopped.status_code == 400 and "Account is not fully set up" in stopped.text
    assert "location" not in stopped.headers
    assert world.password_grant(OLD_PASSWORD).json()["error_description"] == "Account is not fully set up"


def test_pending_action_before_update_password_stops_first(world: World, browser: httpx.Client) -> None:
    """CONFIGURE_TOTP runs before UPDATE_PASSWORD in Keycloak's order: the login stops at once."""
    world.kc.update_user(world.user_id, {"requiredActions": ["UPDATE_PASSWORD", "CONFIGURE_TOTP"]})
    stopped = sign_in(browser, world, OLD_PASSWORD)
    assert stopped.status_code == 400 and "Account is not fully set up" in stopped.text


def test_an_action_set_during_an_sso_session_is_not_skipped(world: World, browser: httpx.Client) -> None:
    world.kc.set_user_password(world.user_id, OLD_PASSWORD, temporary=False)
    assert code_of(sign_in(browser, world, OLD_PASSWORD))
    assert code_of(browser.get(world.auth_url()))  # the SSO session answers at once
    world.kc.update_user(world.user_id, {"requiredActions": ["UPDATE_PASSWORD"]})

    silent = browser.get(world.auth_url(prompt="none"))
    assert silent.status_code == 302
    assert parse_qs(urlsplit(silent.headers["location"]).query)["error"] == ["interaction_required"]
    page = browser.get(world.auth_url())
    assert page.status_code == 200 and 'id="kc-form-login"' in page.text
    action = submit_login(browser, parse_login_form(page.text), "carol", OLD_PASSWORD)
    assert code_of(update_password(browser, parse_update_password(action), NEW_PASSWORD))


def test_consent_is_never_skipped(world: World, browser: httpx.Client) -> None:
    refused = browser.get(world.auth_url("needs-consent"))
    assert refused.status_code == 400 and "consent" in refused.text and "location" not in refused.headers

    silent = browser.get(world.auth_url("needs-consent", prompt="none"))
    assert silent.status_code == 302
    query = parse_qs(urlsplit(silent.headers["location"]).query)
    assert query["error"] == ["consent_required"] and query["state"] == ["st"] and "code" not in query

    asked = browser.get(world.auth_url(prompt="consent"))
    assert asked.status_code == 400 and "location" not in asked.headers
    also = browser.get(world.auth_url(prompt="login consent"))
    assert also.status_code == 400 and "location" not in also.headers
