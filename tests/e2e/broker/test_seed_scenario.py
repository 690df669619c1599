"""Seed 000 for real: a master realmgate brokers logins to a slave realmgate.

``app_client`` on the master gets its code after ``slave_user`` signed in at the slave through
the "Sign in with slave" button and reviewed the profile; the master then holds a new local
user with the federated link; a second login reuses the link; logging out at the master ends
the session at the slave too."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from tests.e2e.broker.browser import Browser, forms, link, query
from tests.e2e.broker.seed import ALIAS, APP_LOGGED_OUT, APP_REDIRECT, Admin, Seed, configure, start_pair
from tests.e2e.harness import ServerProcess

from realmgate.crypto import jws


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def seed(servers: Callable[..., ServerProcess], request: pytest.FixtureRequest) -> Seed:
    """The brokered login runs on either database of the brokering side (the master)."""
    master, slave = start_pair(servers, master_db=request.param)
    return configure(master, slave)


@pytest.fixture
def browser() -> Iterator[Browser]:
    b = Browser(stop_at=APP_REDIRECT.rsplit("/", 1)[0])
    yield b
    b.close()


def sign_in_at_slave(seed: Seed, browser: Browser) -> Any:
    """Master login page -> broker button -> slave login form -> back at the master."""
    page = browser.go(seed.auth_url())
    assert page.status_code == 200 and "Sign in with slave" in page.text
    slave_page = browser.go(link(page.text, f"social-{ALIAS}"))
    assert slave_page.url.host == "localhost" and slave_page.url.port == seed.slave.port
    return browser.submit(slave_page, "kc-form-login", username="slave_user", password="slave_password")


def code_of(browser: Browser) -> str:
    params = query(browser.last)
    assert browser.last.startswith(APP_REDIRECT), browser.last
    assert params["state"] == "app-state"
    return params["code"]


def test_first_login_reviews_profile_creates_user_and_link(seed: Seed, browser: Browser) -> None:
    review = sign_in_at_slave(seed, browser)
    assert review.status_code == 200, review.text
    form = forms(review.text)["kc-idp-review-profile-form"]
    assert set(form.fields) >= {"email", "firstName", "lastName"}
    browser.submit(
        review, "kc-idp-review-profile-form", email="slave_user@example.org", firstName="Slave", lastName="User"
    )
    tokens = seed.exchange(code_of(browser))
    claims = jws.unverified_claims(tokens["id_token"])
    assert claims["preferred_username"] == "slave_user"
    assert claims["nonce"] == "app-nonce"
    user = seed.master_admin.find_user("master_realm", "slave_user")
    assert user["email"] == "slave_user@example.org"
    assert claims["sub"] == user["id"]
    realm_roles = seed.master_admin.call("GET", f"/master_realm/users/{user['id']}/role-mappings/realm", 200).json()
    assert [r["name"] for r in realm_roles] == ["default-roles-master_realm"]  # as every new user
    links = seed.master_admin.call("GET", f"/master_realm/users/{user['id']}/federated-identity", 200).json()
    slave_user = seed.slave_admin.find_user("slave_realm", "slave_user")
    assert links == [{"identityProvider": ALIAS, "userId": slave_user["id"], "userName": "slave_user"}]


def test_second_login_reuses_the_link(seed: Seed, browser: Browser) -> None:
    sign_in_at_slave(seed, browser)
    tokens = seed.exchange(code_of(browser))
    user = seed.master_admin.find_user("master_realm", "slave_user")
    assert jws.unverified_claims(tokens["access_token"])["sub"] == user["id"]
    users = seed.master_admin.call("GET", "/master_realm/users", 200, params={"search": "slave"}).json()
    assert [u["username"] for u in users] == ["slave_user"]


def _session_ids(admin: Admin, realm: str, user_id: str) -> set[str]:
    return {s["id"] for s in admin.call("GET", f"/{realm}/users/{user_id}/sessions", 200).json()}


def _log_out_at_slave_and_wait(seed: Seed, browser: Browser, slave_base: str, user_id: str, new: set[str]) -> None:
    """Log out at the slave (confirm page) and wait until its back-channel logout has ended the
    master sessions ``new`` (it is sent after the slave's response)."""
    confirm = browser.go(f"{slave_base}/protocol/openid-connect/logout")
    assert browser.submit(confirm, "kc-logout-form").status_code == 200
    deadline = time.monotonic() + 5
    while new & _session_ids(seed.master_admin, "master_realm", user_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not new & _session_ids(seed.master_admin, "master_realm", user_id)


def test_logout_at_master_ends_the_slave_session(seed: Seed, browser: Browser) -> None:
    slave_user = seed.slave_admin.find_user("slave_realm", "slave_user")
    master_user = seed.master_admin.find_user("master_realm", "slave_user")
    slave_before = _session_ids(seed.slave_admin, "slave_realm", slave_user["id"])
    master_before = _session_ids(seed.master_admin, "master_realm", master_user["id"])
    sign_in_at_slave(seed, browser)
    tokens = seed.exchange(code_of(browser))
    slave_new = _session_ids(seed.slave_admin, "slave_realm", slave_user["id"]) - slave_before
    master_new = _session_ids(seed.master_admin, "master_realm", master_user["id"]) - master_before
    assert len(slave_new) == 1 and len(master_new) == 1
    browser.stop_at = APP_LOGGED_OUT
    logout = seed.master_realm + "/protocol/openid-connect/logout"
    done = browser.go(
        f"{logout}?id_token_hint={tokens['id_token']}&post_logout_redirect_uri={APP_LOGGED_OUT}&state=bye"
    )
    assert browser.last.startswith(APP_LOGGED_OUT), done.text
    assert query(browser.last)["state"] == "bye"
    assert any(f"localhost:{seed.slave.port}" in hop and "/logout" in hop for hop in browser.hops)
    assert any("/endpoint/logout_response" in hop for hop in browser.hops)
    assert not slave_new & _session_ids(seed.slave_admin, "slave_realm", slave_user["id"])
    assert not master_new & _session_ids(seed.master_admin, "master_realm", master_user["id"])


def test_logout_at_slave_ends_the_master_session_by_back_channel(seed: Seed, browser: Browser) -> None:
    slave_base = f"http://localhost:{seed.slave.port}/realms/slave_realm"
    idp_path = f"/master_realm/identity-provider/instances/{ALIAS}"
    idp = seed.master_admin.call("GET", idp_path, 200).json()
    idp["config"].update(
        issuer=slave_base,
        useJwksUrl="true",
        jwksUrl=seed.slave.url("/realms/slave_realm/protocol/openid-connect/certs"),
    )
    seed.master_admin.call("PUT", idp_path, 204, json=idp)  # the masked secret is kept
    client = seed.slave_admin.call("GET", "/slave_realm/clients", 200, params={"clientId": "idp_client"}).json()[0]
    receiver = seed.master_realm + "/protocol/openid-connect/logout/backchannel-logout"
    client["attributes"]["backchannel.logout.url"] = receiver
    seed.slave_admin.call("PUT", f"/slave_realm/clients/{client['id']}", 204, json=client)

    master_user = seed.master_admin.find_user("master_realm", "slave_user")
    before = _session_ids(seed.master_admin, "master_realm", master_user["id"])
    sign_in_at_slave(seed, browser)  # also proves the kept secret still works at the token URL
    seed.exchange(code_of(browser))
    new = _session_ids(seed.master_admin, "master_realm", master_user["id"]) - before
    assert len(new) == 1
    _log_out_at_slave_and_wait(seed, browser, slave_base, master_user["id"], new)
    assert f"back-channel logout from {ALIAS} ended 1 session(s)" in seed.master.logs()


def test_backchannel_supported_logs_out_upstream_server_side(seed: Seed, browser: Browser) -> None:
    idp_path = f"/master_realm/identity-provider/instances/{ALIAS}"
    idp = seed.master_admin.call("GET", idp_path, 200).json()
    idp["config"]["backchannelSupported"] = "true"
    seed.master_admin.call("PUT", idp_path, 204, json=idp)
    slave_user = seed.slave_admin.find_user("slave_realm", "slave_user")
    before = _session_ids(seed.slave_admin, "slave_realm", slave_user["id"])
    sign_in_at_slave(seed, browser)
    tokens = seed.exchange(code_of(browser))
    new = _session_ids(seed.slave_admin, "slave_realm", slave_user["id"]) - before
    assert len(new) == 1
    browser.stop_at = APP_LOGGED_OUT
    browser.hops.clear()
    logout = seed.master_realm + "/protocol/openid-connect/logout"
    browser.go(f"{logout}?id_token_hint={tokens['id_token']}&post_logout_redirect_uri={APP_LOGGED_OUT}")
    assert browser.last.startswith(APP_LOGGED_OUT)
    assert not any(f":{seed.slave.port}" in hop for hop in browser.hops)  # the browser never went there
    deadline = time.monotonic() + 5  # the server-side call runs once the logout committed
    while new & _session_ids(seed.slave_admin, "slave_realm", slave_user["id"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not new & _session_ids(seed.slave_admin, "slave_realm", slave_user["id"])


def test_k_logout_refuses_an_unsigned_action(seed: Seed) -> None:
    url = seed.master_realm + f"/broker/{ALIAS}/endpoint/k_logout"
    forged = "eyJhbGciOiJub25lIn0.eyJhY3Rpb24iOiJMT0dPVVQifQ."  # alg none: never accepted
    assert httpx.post(url, content=forged).status_code == 400
    assert "k_logout refused" in seed.master.logs()
    assert httpx.post(seed.master_realm + "/broker/unknown/endpoint/k_logout", content=forged).status_code == 404


def test_privilege_mapping_from_slave_to_master(seed: Seed, browser: Browser) -> None:
    """The seed's TODO: a slave realm role becomes a master realm role, through an identity
    provider mapper ("External Role to Role") applied by the brokered login."""
    slave_user = seed.slave_admin.find_user("slave_realm", "slave_user")
    seed.slave_admin.call("POST", "/slave_realm/roles", 201, json={"name": "slave-admin"})
    role = seed.slave_admin.call("GET", "/slave_realm/roles/slave-admin", 200).json()
    seed.slave_admin.call("POST", f"/slave_realm/users/{slave_user['id']}/role-mappings/realm", 204, json=[role])
    seed.master_admin.call("POST", "/master_realm/roles", 201, json={"name": "master-admin"})
    mapper = {
        "name": "slave admins",
        "identityProviderAlias": ALIAS,
        "identityProviderMapper": "keycloak-oidc-role-to-role-idp-mapper",
        "config": {"external.role": "slave-admin", "role": "master-admin", "syncMode": "FORCE"},
    }
    seed.master_admin.call("POST", f"/master_realm/identity-provider/instances/{ALIAS}/mappers", 201, json=mapper)
    sign_in_at_slave(seed, browser)
    tokens = seed.exchange(code_of(browser))
    realm_access: Any = jws.unverified_claims(tokens["access_token"])["realm_access"]
    assert "master-admin" in realm_access["roles"]


def test_a_brokered_login_runs_the_local_users_required_actions(seed: Seed, browser: Browser) -> None:
    """An admin's UPDATE_PASSWORD on the linked master user is met after the upstream login, and
    the session made after it is still the brokered one: the slave's back-channel logout (set up
    by the test above) finds and ends it."""
    master_user = seed.master_admin.find_user("master_realm", "slave_user")
    user_path = f"/master_realm/users/{master_user['id']}"
    seed.master_admin.call("PUT", user_path, 204, json={"requiredActions": ["UPDATE_PASSWORD"]})
    before = _session_ids(seed.master_admin, "master_realm", master_user["id"])
    page = sign_in_at_slave(seed, browser)
    assert page.status_code == 200 and "kc-passwd-update-form" in page.text
    browser.submit(page, "kc-passwd-update-form", **{"password-new": "local-Pass9", "password-confirm": "local-Pass9"})
    seed.exchange(code_of(browser))
    assert seed.master_admin.call("GET", user_path, 200).json()["requiredActions"] == []
    new = _session_ids(seed.master_admin, "master_realm", master_user["id"]) - before
    assert len(new) == 1
    slave_base = f"http://localhost:{seed.slave.port}/realms/slave_realm"
    _log_out_at_slave_and_wait(seed, browser, slave_base, master_user["id"], new)

    seed.master_admin.call("PUT", user_path, 204, json={"requiredActions": ["CONFIGURE_TOTP"]})
    browser.client.cookies.clear()
    stopped = sign_in_at_slave(seed, browser)
    assert stopped.status_code == 400 and "Account is not fully set up" in stopped.text
    assert not browser.last.startswith(APP_REDIRECT)
    seed.master_admin.call("PUT", user_path, 204, json={"requiredActions": []})
