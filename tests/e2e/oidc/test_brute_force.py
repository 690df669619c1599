"""Brute-force detection through a real server: wrong passwords lock the user, as in Keycloak 26.

A realm with ``bruteForceProtected`` and ``failureFactor`` 3 locks its user after three wrong
passwords: the right password is then refused on the password grant and on the login form with
the ordinary invalid-credentials answer, the attack-detection admin API shows the lockout and
clears it, and the lockout ends by itself after ``waitIncrementSeconds``. ``permanentLockout``
disables the user instead. Each test runs on SQLite and PostgreSQL, set up with python-keycloak's
unchanged ``KeycloakAdmin``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest
from tests.e2e.harness import ServerProcess, keycloak_admin
from tests.e2e.oidc.browser import REDIRECT_URI, callback_params, parse_login_form, submit_login

from keycloak import KeycloakAdmin

SECRET = "bf-client-secret"
PASSWORD = "right-Pass1"
WRONG = "wrong-Pass1"
FAILURE_FACTOR = 3
WAIT_SECONDS = 2


@dataclass
class World:
    server: ServerProcess
    kc: KeycloakAdmin
    realm: str
    user_id: str

    def password_grant(self, password: str) -> httpx.Response:
        return httpx.post(
            self.server.url(f"/realms/{self.realm}/protocol/openid-connect/token"),
            data={"grant_type": "password", "username": "dave", "password": password, "scope": "openid"},
            auth=("app", SECRET),
            timeout=10.0,
        )

    def login_form(self, password: str) -> httpx.Response:
        """Submits the login form of a fresh browser: no SSO session can answer instead."""
        query = {
            "client_id": "app",
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": REDIRECT_URI,
            "state": "st",
        }
        url = self.server.url(f"/realms/{self.realm}/protocol/openid-connect/auth?{urlencode(query)}")
        with httpx.Client(timeout=10.0, follow_redirects=False) as browser:
            page = browser.get(url)
            assert page.status_code == 200, page.text
            return submit_login(browser, parse_login_form(page.text), "dave", password)

    def fail(self, times: int = FAILURE_FACTOR) -> None:
        for _ in range(times):
            assert self.password_grant(WRONG).status_code == 401

    def status(self) -> dict[str, object]:
        status: dict[str, object] = self.kc.get_bruteforce_detection_status(self.user_id)
        return status


def assert_refused_by_grant(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == {"error": "invalid_grant", "error_description": "Invalid user credentials"}


def assert_refused_by_form(response: httpx.Response) -> None:
    assert response.status_code == 200 and "location" not in response.headers
    assert "Invalid username or password." in response.text


@pytest.fixture
def kc(any_server: ServerProcess) -> KeycloakAdmin:
    return keycloak_admin(any_server)


def make_world(server: ServerProcess, kc: KeycloakAdmin, **settings: object) -> World:
    realm = "bf" + secrets.token_hex(4)
    kc.create_realm(
        {
            "realm": realm,
            "enabled": True,
            "eventsEnabled": True,
            "bruteForceProtected": True,
            "failureFactor": FAILURE_FACTOR,
            "quickLoginCheckMilliSeconds": 0,
            "waitIncrementSeconds": WAIT_SECONDS,
            **settings,
        }
    )
    kc.change_current_realm(realm)
    kc.create_client(
        {"clientId": "app", "secret": SECRET, "redirectUris": [REDIRECT_URI], "directAccessGrantsEnabled": True}
    )
    user_id = kc.create_user({"username": "dave", "enabled": True})
    kc.set_user_password(user_id, PASSWORD, temporary=False)
    return World(server, kc, realm, user_id)


@pytest.fixture
def world(any_server: ServerProcess, kc: KeycloakAdmin) -> Iterator[World]:
    made = make_world(any_server, kc)
    yield made
    kc.change_current_realm("master")
    kc.delete_realm(made.realm)


@pytest.fixture
def permanent(any_server: ServerProcess, kc: KeycloakAdmin) -> Iterator[World]:
    made = make_world(any_server, kc, permanentLockout=True, maxTemporaryLockouts=0)
    yield made
    kc.change_current_realm("master")
    kc.delete_realm(made.realm)


def test_failures_below_the_factor_do_not_lock(world: World) -> None:
    world.fail(FAILURE_FACTOR - 1)
    status = world.status()
    assert status["disabled"] is False and status["numFailures"] == FAILURE_FACTOR - 1
    assert world.password_grant(PASSWORD).status_code == 200
    assert world.status()["numFailures"] == 0  # a success clears the count


def test_the_right_password_is_refused_while_locked(world: World) -> None:
    world.fail()
    assert_refused_by_grant(world.password_grant(PASSWORD))
    assert_refused_by_form(world.login_form(PASSWORD))
    status = world.status()
    assert status["disabled"] is True
    assert status["numFailures"] == FAILURE_FACTOR  # attempts while locked are not counted
    assert status["numTemporaryLockouts"] == 1
    assert world.kc.get_user(world.user_id)["enabled"] is True
    errors = [e.get("error") for e in world.kc.get_events({"user": world.user_id, "type": "LOGIN_ERROR"})]
    assert "user_temporarily_disabled" in errors and "invalid_user_credentials" in errors


def test_clearing_the_failures_unlocks_the_user(world: World) -> None:
    world.fail()
    assert world.status()["disabled"] is True
    world.kc.clear_bruteforce_attempts_for_user(world.user_id)
    status = world.status()
    assert status["disabled"] is False and status["numFailures"] == 0
    assert world.password_grant(PASSWORD).status_code == 200
    assert callback_params(world.login_form(PASSWORD))["code"]


def test_clearing_all_failures_of_the_realm_unlocks_the_user(world: World) -> None:
    world.fail()
    world.kc.clear_all_bruteforce_attempts()
    assert world.status()["disabled"] is False
    assert world.password_grant(PASSWORD).status_code == 200


def test_the_lockout_ends_after_the_wait(world: World) -> None:
    world.fail()
    locked_at = time.monotonic()
    assert_refused_by_grant(world.password_grant(PASSWORD))
    # Lockouts are kept to the second: one more second covers the rounding.
    time.sleep(max(0.0, WAIT_SECONDS + 1 - (time.monotonic() - locked_at)))
    assert world.status()["disabled"] is False
    assert world.password_grant(PASSWORD).status_code == 200


def test_permanent_lockout_disables_the_user(permanent: World) -> None:
    permanent.fail()
    assert permanent.kc.get_user(permanent.user_id)["enabled"] is False
    assert permanent.status()["disabled"] is True
    assert_refused_by_grant(permanent.password_grant(PASSWORD))
    assert_refused_by_form(permanent.login_form(PASSWORD))
    errors = [e.get("error") for e in permanent.kc.get_events({"user": permanent.user_id, "type": "LOGIN_ERROR"})]
    assert "user_disabled" in errors

    permanent.kc.update_user(permanent.user_id, {"enabled": True})  # an administrator unlocks the user
    assert permanent.status()["disabled"] is False
    assert permanent.password_grant(PASSWORD).status_code == 200
