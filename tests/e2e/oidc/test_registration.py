"""Self-registration through a real server and its pages, on SQLite and PostgreSQL.

The login form links to the registration form only when the realm allows it; a registered user
has the realm's default roles (as every new user does), is signed in, and the client gets a
code it can redeem; bad forms name the field with Keycloak's texts and store nothing; the form is
bound to its browser (CSRF token and auth-session cookie). The realm is set up with
python-keycloak's unchanged ``KeycloakAdmin``.
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

from keycloak import KeycloakAdmin

REDIRECT_URI = "http://127.0.0.1:9999/callback"
SECRET = "reg-client-secret"
PASSWORD = "Registered-Pass1"


@dataclass
class World:
    server: ServerProcess
    kc: KeycloakAdmin
    realm: str

    def oidc(self, path: str) -> str:
        return self.server.url(f"/realms/{self.realm}/protocol/openid-connect/{path}")

    def auth_url(self, endpoint: str = "auth") -> str:
        query = {"client_id": "app", "response_type": "code", "scope": "openid", "redirect_uri": REDIRECT_URI}
        return self.oidc(f"{endpoint}?{urlencode({**query, 'state': 'st'})}")


@pytest.fixture
def world(any_server: ServerProcess) -> World:
    kc = keycloak_admin(any_server)
    realm = "reg" + secrets.token_hex(4)
    kc.create_realm({"realm": realm, "enabled": True, "registrationAllowed": True, "eventsEnabled": True})
    kc.change_current_realm(realm)
    kc.create_client({"clientId": "app", "secret": SECRET, "redirectUris": [REDIRECT_URI]})
    return World(any_server, kc, realm)


@pytest.fixture
def browser(any_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=any_server.base_url, timeout=10.0, follow_redirects=False) as client:
        yield client


def _attr(pattern: str, page: str) -> str:
    found = re.search(pattern, page)
    assert found, page
    return html.unescape(found.group(1))


def open_form(browser: httpx.Client, world: World) -> tuple[str, str]:
    """Login page → "Register" link → the form; returns (action URL, CSRF token)."""
    login = browser.get(world.auth_url())
    assert login.status_code == 200
    page = browser.get(_attr(r'id="kc-registration-link" href="([^"]+)"', login.text))
    assert page.status_code == 200 and 'id="kc-register-form"' in page.text
    return _attr(r'<form id="kc-register-form" action="([^"]+)"', page.text), _attr(
        r'name="csrf_token" value="([^"]*)"', page.text
    )


def fields(**overrides: str) -> dict[str, str]:
    base = {
        "firstName": "Rita",
        "lastName": "Reg",
        "email": "rita@example.org",
        "username": "rita",
        "password": PASSWORD,
        "password-confirm": PASSWORD,
    }
    return {**base, **overrides}


def code_of(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI), location
    return parse_qs(urlsplit(location).query)["code"][0]


def test_a_registered_user_is_signed_in_with_the_default_roles(world: World, browser: httpx.Client) -> None:
    action, csrf = open_form(browser, world)
    code = code_of(browser.post(action, data={**fields(username="Rita"), "csrf_token": csrf}))
    tokens = httpx.post(
        world.oidc("token"),
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=("app", SECRET),
    )
    assert tokens.status_code == 200, tokens.text
    [user] = world.kc.get_users({"username": "rita", "exact": True})
    assert (user["firstName"], user["lastName"], user["email"]) == ("Rita", "Reg", "rita@example.org")
    assert user["enabled"] is True and user["requiredActions"] == []
    realm_roles = {r["name"] for r in world.kc.get_realm_roles_of_user(user["id"])}
    assert f"default-roles-{world.realm}" in realm_roles
    effective = {r["name"] for r in world.kc.get_composite_realm_roles_of_user(user["id"])}
    assert {"offline_access", "uma_authorization"} <= effective
    types = [e["type"] for e in world.kc.get_events({"user": user["id"]})]
    assert "REGISTER" in types and "LOGIN" in types
    assert all(PASSWORD not in str(e) for e in world.kc.get_events({"user": user["id"]}))
    # The password works at the next login, and the SSO session answers the next request at once.
    assert code_of(browser.get(world.auth_url()))


def test_the_keycloak_js_register_url_shows_the_form(world: World, browser: httpx.Client) -> None:
    page = browser.get(world.auth_url("registrations"))
    assert page.status_code == 200 and 'id="kc-register-form"' in page.text
    action = _attr(r'<form id="kc-register-form" action="([^"]+)"', page.text)
    csrf = _attr(r'name="csrf_token" value="([^"]*)"', page.text)
    assert code_of(browser.post(action, data={**fields(), "csrf_token": csrf}))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"firstName": " "}, "firstName", "Please specify first name."),
        ({"lastName": ""}, "lastName", "Please specify last name."),
        ({"email": ""}, "email", "Please specify email."),
        ({"email": "not-an-address"}, "email", "Invalid email address."),
        ({"username": ""}, "username", "Please specify username."),
        ({"password": "", "password-confirm": ""}, "password", "Please specify password."),
        ({"password-confirm": "something else"}, "password-confirm", "Password confirmation doesn&#39;t match."),
        ({"password": "short", "password-confirm": "short"}, "password", "Invalid password: minimum length 8."),
    ],
)
def test_a_bad_form_names_the_field_and_stores_nothing(
    world: World, browser: httpx.Client, overrides: dict[str, str], field: str, message: str
) -> None:
    world.kc.update_realm(world.realm, {"passwordPolicy": "length(8)"})
    action, csrf = open_form(browser, world)
    refused = browser.post(action, data={**fields(**overrides), "csrf_token": csrf})
    assert refused.status_code == 400 and "location" not in refused.headers
    assert f'<span class="rg-field-error" id="input-error-{field}" aria-live="polite">{message}</span>' in refused.text
    assert PASSWORD not in refused.text  # passwords are never echoed back
    assert world.kc.get_users({"username": "rita", "exact": True}) == []


def test_a_taken_username_or_email_is_refused(world: World, browser: httpx.Client) -> None:
    world.kc.create_user({"username": "rita", "email": "taken@example.org", "enabled": True})
    action, csrf = open_form(browser, world)
    taken_name = browser.post(action, data={**fields(), "csrf_token": csrf})
    assert taken_name.status_code == 400 and "Username already exists." in taken_name.text
    taken_email = browser.post(action, data={**fields(username="other", email="Taken@example.org"), "csrf_token": csrf})
    assert taken_email.status_code == 400 and "Email already exists." in taken_email.text
    assert world.kc.get_users({"username": "other", "exact": True}) == []


def test_email_as_username(world: World, browser: httpx.Client) -> None:
    world.kc.update_realm(world.realm, {"registrationEmailAsUsername": True})
    action, csrf = open_form(browser, world)
    page = browser.get(action)
    assert 'name="username"' not in page.text
    assert code_of(browser.post(action, data={**fields(username="ignored"), "csrf_token": csrf}))
    [user] = world.kc.get_users({"username": "rita@example.org", "exact": True})
    assert user["email"] == "rita@example.org"


def test_the_form_is_bound_to_its_browser(world: World, browser: httpx.Client) -> None:
    action, csrf = open_form(browser, world)
    forged = browser.post(action, data={**fields(), "csrf_token": "not-the-token"})
    assert forged.status_code == 400 and "location" not in forged.headers
    with httpx.Client(timeout=10.0, follow_redirects=False) as other:
        stolen = other.post(action, data={**fields(), "csrf_token": csrf})  # no auth-session cookie
    assert stolen.status_code == 400 and "location" not in stolen.headers
    assert world.kc.get_users({"username": "rita", "exact": True}) == []


def test_a_realm_without_registration_has_no_link_and_refuses_the_form(world: World, browser: httpx.Client) -> None:
    action, csrf = open_form(browser, world)
    world.kc.update_realm(world.realm, {"registrationAllowed": False})
    login = browser.get(world.auth_url())
    assert login.status_code == 200 and "kc-registration" not in login.text
    refused = browser.post(action, data={**fields(), "csrf_token": csrf})
    assert refused.status_code == 400 and "Registration not allowed." in refused.text
    assert browser.get(world.auth_url("registrations")).status_code == 400
    assert world.kc.get_users({"username": "rita", "exact": True}) == []
