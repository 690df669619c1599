"""The brokered logout chain between two realmgate servers, set up as the issue found it: the
slave has no ``--hostname``, so the ID token the master fetched through the slave's internal
``127.0.0.1`` token URL names that URL as its issuer, while the browser reaches the slave as
``localhost``. The slave's tokens live one second, so the hint is expired by logout time.

RP-initiated logout at the master must send the slave its OWN ID token as ``id_token_hint``,
the slave must accept it (validly signed by the realm, expired and fetched elsewhere), and both
sessions must end."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from tests.e2e.broker.browser import Browser, forms, link, query
from tests.e2e.broker.seed import ALIAS, APP_LOGGED_OUT, APP_REDIRECT, Admin, Seed, configure
from tests.e2e.harness import ServerProcess

from realmgate.crypto import jws

TOKEN_SECONDS = 1


@pytest.fixture(scope="module")
def seed(servers: Callable[..., ServerProcess]) -> Seed:
    # The broker accepts the slave's one-second tokens for 30 s more: a loaded machine may take
    # longer than a second between the slave's token response and its check.
    made = configure(servers(), servers(), allowedClockSkew="30")
    made.slave_admin.call("PUT", "/slave_realm", 204, json={"accessTokenLifespan": TOKEN_SECONDS})
    return made


@pytest.fixture
def browser() -> Iterator[Browser]:
    b = Browser(stop_at=APP_REDIRECT.rsplit("/", 1)[0])
    yield b
    b.close()


def _sessions(admin: Admin, realm: str, username: str) -> set[str]:
    user = admin.find_user(realm, username)
    return {s["id"] for s in admin.call("GET", f"/{realm}/users/{user['id']}/sessions", 200).json()}


def _sign_in(seed: Seed, browser: Browser) -> dict[str, Any]:
    page = browser.go(seed.auth_url())
    slave_page = browser.go(link(page.text, f"social-{ALIAS}"))
    back = browser.submit(slave_page, "kc-form-login", username="slave_user", password="slave_password")
    if "kc-idp-review-profile-form" in forms(back.text):
        values = {"email": "slave_user@example.org", "firstName": "Slave", "lastName": "User"}
        browser.submit(back, "kc-idp-review-profile-form", **values)
    assert browser.last.startswith(APP_REDIRECT), browser.last
    return seed.exchange(query(browser.last)["code"])


def test_logout_at_the_broker_ends_the_upstream_session_with_its_own_expired_id_token(
    seed: Seed, browser: Browser
) -> None:
    tokens = _sign_in(seed, browser)
    slave_sessions = _sessions(seed.slave_admin, "slave_realm", "slave_user")
    master_sessions = _sessions(seed.master_admin, "master_realm", "slave_user")
    assert len(slave_sessions) == 1 and len(master_sessions) == 1
    time.sleep(TOKEN_SECONDS + 1.5)  # the slave's ID token (and the app's) have expired

    browser.stop_at = APP_LOGGED_OUT
    browser.hops.clear()
    logout = seed.master_realm + "/protocol/openid-connect/logout"
    done = browser.go(f"{logout}?id_token_hint={tokens['id_token']}&post_logout_redirect_uri={APP_LOGGED_OUT}")
    assert browser.last.startswith(APP_LOGGED_OUT), done.text

    at_slave = next(hop for hop in browser.hops if f"localhost:{seed.slave.port}" in hop and "/logout" in hop)
    hint = query(at_slave)["id_token_hint"]
    claims = jws.unverified_claims(hint)
    assert claims["iss"] == f"http://127.0.0.1:{seed.slave.port}/realms/slave_realm"  # not the browser's URL
    assert claims["aud"] == "idp_client" and claims["typ"] == "ID"
    exp = claims["exp"]
    assert claims["sid"] in slave_sessions and isinstance(exp, int) and exp < time.time()
    assert any("/endpoint/logout_response" in hop for hop in browser.hops)

    assert _sessions(seed.slave_admin, "slave_realm", "slave_user") == set()
    assert _sessions(seed.master_admin, "master_realm", "slave_user") == set()
    assert "Invalid id_token_hint" not in seed.slave.logs()


def test_the_upstream_still_refuses_a_hint_it_did_not_sign(seed: Seed, browser: Browser) -> None:
    tokens = _sign_in(seed, browser)
    before = _sessions(seed.slave_admin, "slave_realm", "slave_user")
    issuer = jws.unverified_claims(tokens["id_token"])["iss"]
    assert isinstance(issuer, str) and issuer.endswith("/realms/master_realm")  # the master's
    slave_logout = f"http://localhost:{seed.slave.port}/realms/slave_realm/protocol/openid-connect/logout"
    page = httpx.get(slave_logout, params={"id_token_hint": tokens["id_token"]})
    assert page.status_code == 400 and "Invalid id_token_hint" in page.text
    assert before and _sessions(seed.slave_admin, "slave_realm", "slave_user") == before
