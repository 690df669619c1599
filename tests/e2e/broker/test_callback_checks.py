"""Every check of the broker callback, failing for real against a misbehaving upstream
(``fake_upstream``), and the pages the user sees (issue 4 items 3, 4 and 8): an error page
naming the provider with "try again", a log line naming the check and never the token,
nothing created. Also the happy path's first-login variants: confirm link + re-authentication,
trustEmail, stored tokens and ``/broker/{alias}/token``. This module's server runs on
PostgreSQL (the seed scenario's on SQLite)."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from joserfc import jwt
from tests.e2e.broker.browser import Browser, forms, link, query
from tests.e2e.broker.fake_upstream import FORGED, KEY, FakeUpstream, fake_upstream
from tests.e2e.broker.seed import Admin
from tests.e2e.harness import ServerProcess

from realmgate.crypto import jws

REALM = "checks"
APP = "http://127.0.0.1:9/app"
MODES = (
    "ok",
    "fresh",
    "quiet",
    "forged",
    "badsig",
    "issuer",
    "audience",
    "nonce",
    "expired",
    "userinfo",
    "slow",
    "denied",
    "dup",
    "linkonly",
    "hints",
    "partial",
    "partial2",
    "azp",
    "notyet",
    "maxage",
    "filter",
    "algnone",
    "hs256",
)


EXTRA_CONFIG = {
    "fresh": {"minValidityToken": "100000"},  # always "about to expire": refreshed when read
    "quiet": {"acceptsPromptNoneForwardFromClient": "true"},
    "maxage": {"passMaxAge": "true"},
    "filter": {"filteredByClaim": "true", "claimFilterName": "groups", "claimFilterValue": "admins"},
    "hints": {"loginHint": "true", "passMaxAge": "true", "forwardParameters": "acr_values,claims_locales"},
}


@dataclass
class Env:
    server: ServerProcess
    admin: Admin
    upstream: FakeUpstream
    app_secret: str

    def auth_url(self, hint: str | None = None, **extra: str) -> str:
        params = {"client_id": "app", "redirect_uri": APP, "response_type": "code", "scope": "openid", "state": "s"}
        if hint:
            params["kc_idp_hint"] = hint
        params.update(extra)
        return str(httpx.URL(self.server.url(f"/realms/{REALM}/protocol/openid-connect/auth"), params=params))

    def users(self) -> list[str]:
        return sorted(u["username"] for u in self.admin.call("GET", f"/{REALM}/users", 200).json())


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(servers: Callable[..., ServerProcess], request: pytest.FixtureRequest) -> Iterator[Env]:
    server = servers(db=request.param)
    admin = Admin(server)
    admin.realm(REALM)
    app_secret = admin.client(REALM, "app", [APP])
    with fake_upstream() as upstream:
        for mode in MODES:
            extra = {"storeToken": True, "addReadTokenRoleOnCreate": True, "trustEmail": True}
            rep: dict[str, object] = {"alias": mode, "displayName": f"Fake {mode}", "providerId": "oidc"}
            rep.update(extra if mode in ("ok", "fresh", "partial", "partial2") else {})
            rep.update({"linkOnly": True} if mode == "linkonly" else {})
            config = upstream.config(mode, **EXTRA_CONFIG.get(mode, {}))
            admin.call("POST", f"/{REALM}/identity-provider/instances", 201, json={**rep, "config": config})
        down = {**upstream.config("down"), "tokenUrl": "http://127.0.0.1:1/token"}
        admin.call(
            "POST",
            f"/{REALM}/identity-provider/instances",
            201,
            json={"alias": "down", "providerId": "oidc", "config": down},
        )
        off = {"alias": "off", "providerId": "oidc", "enabled": False, "config": upstream.config("ok")}
        admin.call("POST", f"/{REALM}/identity-provider/instances", 201, json=off)
        admin.user(REALM, "localdup", "local-password", email="dup@fake.example", firstName="Local", lastName="Dup")
        yield Env(server, admin, upstream, app_secret)


@pytest.fixture
def browser() -> Iterator[Browser]:
    b = Browser(stop_at=APP)
    yield b
    b.close()


def _message(page: httpx.Response) -> str:
    match = re.search(r'id="(?:error-message|input-error)"[^>]*>([^<]*)<', page.text)
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    ("mode", "check"),
    [
        ("forged", "unknown_kid"),
        ("badsig", "signature"),
        ("issuer", "issuer"),
        ("audience", "audience"),
        ("nonce", "nonce"),
        ("expired", "expired"),
        ("userinfo", "userinfo_sub"),
        ("azp", "azp"),
        ("notyet", "not_yet_valid"),
        ("maxage", "auth_time"),
        ("filter", "claim_filter"),
        ("algnone", "algorithm"),
        ("hs256", "algorithm"),
    ],
)
def test_token_check_failure_shows_error_page_and_logs_the_check(
    env: Env, browser: Browser, mode: str, check: str
) -> None:
    before = env.users()
    page = browser.go(env.auth_url(hint=mode, **({"max_age": "60"} if mode == "maxage" else {})))
    assert page.status_code == 400, page.text
    assert f"Fake {mode}" in _message(page)
    assert "/broker/" in link(page.text, "try-again")
    logs = env.server.logs()
    assert re.search(rf"broker {mode}: login failed: .*rejected: {check}\b", logs), logs[-2000:]
    assert "eyJ" not in logs  # no JWT ever reaches the log
    assert env.users() == before


def test_upstream_unreachable_names_provider_with_try_again(env: Env, browser: Browser) -> None:
    page = browser.go(env.auth_url(hint="down"))
    assert page.status_code == 502
    assert "down" in _message(page) and "Could not reach" in _message(page)
    retry = link(page.text, "try-again")
    assert browser.go(retry).url.host == "127.0.0.1"  # the retry starts the upstream login again
    assert "broker down: login failed: token endpoint: unreachable" in env.server.logs()


def test_upstream_too_slow_is_a_timeout_page(env: Env, browser: Browser) -> None:
    page = browser.go(env.auth_url(hint="slow"))
    assert page.status_code == 502
    assert "did not answer in time" in _message(page)
    assert "token endpoint: timeout" in env.server.logs()


def test_access_denied_goes_back_to_the_login_page(env: Env, browser: Browser) -> None:
    page = browser.go(env.auth_url(hint="denied"))
    assert page.status_code == 200
    assert "login cancelled" in _message(page).lower()
    assert "kc-form-login" in forms(page.text)


def test_state_reused_missing_or_foreign_is_refused(env: Env, browser: Browser) -> None:
    browser.stop_at = env.upstream.base  # stop before the callback: keep its URL
    browser.go(env.auth_url(hint="ok"))
    auth = browser.last
    callback_url = browser.client.get(auth).headers["location"]  # the fake upstream answers at once
    other = Browser(stop_at=APP)
    try:  # another browser (no auth-session cookie) cannot use this state
        assert other.go(callback_url).status_code == 400
    finally:
        other.close()
    browser.stop_at = APP
    first = browser.go(callback_url)  # the state was consumed by the foreign attempt
    assert first.status_code == 400 and "no longer valid" in _message(first)
    missing = browser.go(env.server.url(f"/realms/{REALM}/broker/ok/endpoint?code=x"))
    assert missing.status_code == 400
    assert "callback refused: no state" in env.server.logs()


def test_state_is_single_use(env: Env, browser: Browser) -> None:
    browser.stop_at = env.upstream.base
    browser.go(env.auth_url(hint="expired"))
    callback_url = browser.client.get(browser.last).headers["location"]
    browser.stop_at = APP
    assert browser.go(callback_url).status_code == 400  # token check fails, state now used
    replay = browser.go(callback_url)
    assert replay.status_code == 400 and "no longer valid" in _message(replay)
    assert "state unknown, expired or already used" in env.server.logs()


def test_disabled_provider_is_a_400_page(env: Env, browser: Browser) -> None:
    page = browser.go(env.auth_url())
    assert "social-off" not in page.text and "Fake ok" in page.text
    step = query(link(page.text, "social-ok"))
    start = env.server.url(f"/realms/{REALM}/broker/off/login?" + httpx.QueryParams(step).__str__())
    assert browser.go(start).status_code == 400
    assert browser.go(env.server.url(f"/realms/{REALM}/broker/off/endpoint?state=x&code=y")).status_code == 400


def test_first_login_trust_email_stored_token_and_read_token(env: Env, browser: Browser) -> None:
    page = browser.go(env.auth_url(hint="ok"))
    assert browser.last.startswith(APP), page.text
    code = query(browser.last)["code"]
    tokens = httpx.post(
        env.server.url(f"/realms/{REALM}/protocol/openid-connect/token"),
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": APP},
        auth=("app", env.app_secret),
    ).json()
    user = env.admin.find_user(REALM, "ok-user")
    assert user["emailVerified"] is True and user["email"] == "ok@fake.example"
    access = tokens["access_token"]
    resource_access: Any = jws.unverified_claims(access)["resource_access"]
    assert "read-token" in resource_access["broker"]["roles"]
    stored = httpx.get(
        env.server.url(f"/realms/{REALM}/broker/ok/token"), headers={"Authorization": f"Bearer {access}"}
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["access_token"] == "opaque-access-ok"
    assert httpx.get(env.server.url(f"/realms/{REALM}/broker/ok/token")).status_code == 401


def test_existing_email_needs_confirmation_and_the_existing_password(env: Env, browser: Browser) -> None:
    confirm = browser.go(env.auth_url(hint="dup"))
    assert "An account with this email already exists" in confirm.text
    reauth = browser.submit(confirm, "kc-register-form")
    assert "localdup" in reauth.text
    wrong = browser.submit(reauth, "kc-form-login", password="not-it")
    assert wrong.status_code == 401 and "Invalid" in _message(wrong)
    links = env.admin.call(
        "GET", f"/{REALM}/users/{env.admin.find_user(REALM, 'localdup')['id']}/federated-identity", 200
    )
    assert links.json() == []  # never linked silently
    browser.submit(wrong, "kc-form-login", password="local-password")
    assert query(browser.last).get("code"), browser.last
    user = env.admin.find_user(REALM, "localdup")
    links = env.admin.call("GET", f"/{REALM}/users/{user['id']}/federated-identity", 200).json()
    assert links == [{"identityProvider": "dup", "userId": "dup-sub", "userName": "dup-user"}]


def test_prompt_none_goes_upstream_only_when_the_provider_accepts_it(env: Env, browser: Browser) -> None:
    browser.go(env.auth_url(hint="ok", prompt="none"))
    assert query(browser.last)["error"] == "login_required"
    assert not any(hop.startswith(env.upstream.base) for hop in browser.hops)
    browser.hops.clear()
    browser.go(env.auth_url(hint="quiet", prompt="none"))
    assert query(browser.last)["error"] == "login_required"
    upstream = [hop for hop in browser.hops if hop.startswith(env.upstream.base)]
    assert len(upstream) == 1 and query(upstream[0])["prompt"] == "none"


def test_stored_token_is_refreshed_within_min_validity(env: Env, browser: Browser) -> None:
    page = browser.go(env.auth_url(hint="fresh"))
    assert browser.last.startswith(APP), page.text
    tokens = httpx.post(
        env.server.url(f"/realms/{REALM}/protocol/openid-connect/token"),
        data={"grant_type": "authorization_code", "code": query(browser.last)["code"], "redirect_uri": APP},
        auth=("app", env.app_secret),
    ).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    stored = httpx.get(env.server.url(f"/realms/{REALM}/broker/fresh/token"), headers=headers)
    assert stored.status_code == 200, stored.text
    assert stored.json()["access_token"] == "opaque-refreshed-fresh"
    other = httpx.get(env.server.url(f"/realms/{REALM}/broker/ok/token"), headers=headers)
    assert other.status_code == 400  # this user has no link to "ok"


def test_link_only_provider_links_a_logged_in_account(env: Env, browser: Browser) -> None:
    env.admin.user(REALM, "linker", "linker-password")
    login_page = browser.go(env.auth_url())
    assert "social-linkonly" not in login_page.text
    refused = browser.go(
        env.server.url(
            f"/realms/{REALM}/broker/linkonly/login?"
            + str(httpx.QueryParams(query(link(login_page.text, "social-ok"))))
        )
    )
    assert refused.status_code == 400
    link_url = env.server.url(f"/realms/{REALM}/broker/linkonly/link")
    not_logged_in = browser.go(f"{link_url}?client_id=app&redirect_uri={APP}&nonce=n1&hash=x")
    assert query(browser.last) == {"link_error": "not_logged_in", "nonce": "n1"}, not_logged_in.text
    page = browser.go(env.auth_url())
    browser.submit(page, "kc-form-login", username="linker", password="linker-password")
    session_id = query(browser.last)["session_state"]
    browser.go(f"{link_url}?client_id=app&redirect_uri={APP}&nonce=n2&hash=wrong")
    assert query(browser.last)["link_error"] == "invalid_hash"
    digest = hashlib.sha256(f"n3{session_id}applinkonly".encode()).digest()
    good = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    browser.go(f"{link_url}?client_id=app&redirect_uri={APP}&nonce=n3&hash={good}")
    assert browser.last == APP, browser.hops
    user = env.admin.find_user(REALM, "linker")
    links = env.admin.call("GET", f"/{REALM}/users/{user['id']}/federated-identity", 200).json()
    assert links == [{"identityProvider": "linkonly", "userId": "linkonly-sub", "userName": "linkonly-user"}]


def test_later_login_force_sync_and_disabled_user(env: Env, browser: Browser) -> None:
    browser.go(env.auth_url(hint="hints"))
    assert browser.last.startswith(APP)
    user = env.admin.find_user(REALM, "hints-user")
    env.admin.call("PUT", f"/{REALM}/users/{user['id']}", 204, json={"firstName": "Changed", "email": "x@y.example"})
    browser.go(env.auth_url(hint="hints"))  # SSO: the session is reused, no upstream login
    again = Browser(stop_at=APP)
    try:
        again.go(env.auth_url(hint="hints"))
        assert again.last.startswith(APP)
        synced = env.admin.find_user(REALM, "hints-user")
        assert (synced["firstName"], synced["email"]) == ("Hints", "hints@fake.example")  # syncMode FORCE
        env.admin.call("PUT", f"/{REALM}/users/{user['id']}", 204, json={"enabled": False})
    finally:
        again.close()
    disabled = Browser(stop_at=APP)
    try:
        page = disabled.go(env.auth_url(hint="hints"))
        assert page.status_code == 403 and "disabled" in _message(page)
    finally:
        disabled.close()


def test_client_parameters_forwarded_per_config(env: Env, browser: Browser) -> None:
    browser.stop_at = env.upstream.base
    browser.go(env.auth_url(hint="hints", login_hint="someone", max_age="60", acr_values="gold"))
    upstream = query(browser.last)
    assert (upstream["login_hint"], upstream["max_age"], upstream["acr_values"]) == ("someone", "60", "gold")
    assert upstream["scope"].split()[0] == "openid" and upstream["nonce"]
    browser.go(env.auth_url(hint="ok", login_hint="someone", max_age="60"))
    plain = query(browser.last)
    assert "login_hint" not in plain and "max_age" not in plain


@pytest.mark.parametrize(
    ("mode", "email", "verified"), [("partial", None, True), ("partial2", "mine@else.example", False)]
)
def test_review_profile_trusts_only_the_upstream_email(
    env: Env, browser: Browser, mode: str, email: str | None, verified: bool
) -> None:
    review = browser.go(env.auth_url(hint=mode))
    form = forms(review.text)["kc-idp-review-profile-form"]
    assert form.fields["email"] == f"{mode}@fake.example" and form.fields["lastName"] == ""
    bad = browser.submit(review, "kc-idp-review-profile-form", email="not-an-email")
    assert bad.status_code == 400 and _message(bad) == "Invalid email address."
    browser.submit(bad, "kc-idp-review-profile-form", lastName="Reviewed", email=email or f"{mode}@fake.example")
    assert browser.last.startswith(APP), browser.hops
    user = env.admin.find_user(REALM, f"{mode}-user")
    assert (user["lastName"], user["emailVerified"]) == ("Reviewed", verified)
    assert user["email"] == (email or f"{mode}@fake.example")


def _logout_token(upstream: FakeUpstream, key: Any, **claims: object) -> str:
    body = {
        "iss": upstream.issuer("ok"),
        "aud": "realmgate",
        "iat": int(time.time()),
        "jti": f"jti-{time.time()}",
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
        **claims,
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "logout+jwt"}, body, key)


def test_upstream_logout_token_by_sub_ends_every_session_and_forgeries_are_refused(env: Env, browser: Browser) -> None:
    for _ in range(2):
        other = Browser(stop_at=APP)
        other.go(env.auth_url(hint="ok"))
        assert other.last.startswith(APP)
        other.close()
    user = env.admin.find_user(REALM, "ok-user")
    sessions = f"/{REALM}/users/{user['id']}/sessions"
    assert len(env.admin.call("GET", sessions, 200).json()) >= 2
    url = env.server.url(f"/realms/{REALM}/protocol/openid-connect/logout/backchannel-logout")
    forged = _logout_token(env.upstream, FORGED, sub="ok-sub")
    assert httpx.post(url, data={"logout_token": forged}).status_code == 400
    assert len(env.admin.call("GET", sessions, 200).json()) >= 2
    genuine = _logout_token(env.upstream, KEY, sub="ok-sub")
    assert httpx.post(url, data={"logout_token": genuine}).status_code == 200
    assert env.admin.call("GET", sessions, 200).json() == []
