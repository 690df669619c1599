"""The ``github`` social provider end to end, on SQLite and on PostgreSQL: a real realmgate
process brokers to a real emulator process of GitHub's documented OAuth app and REST API
(``github_emulator``; github.com itself is not reachable from the tests). The provider points at
the emulator through ``baseUrl`` and ``apiUrl`` as for a GitHub Enterprise Server.

Covered: the admin API round trip (masked secret, mapper types, Keycloak's errors, server
info), the login button, a first brokered login (public email; private email from
``/user/emails``), ``github-user-attribute-mapper`` in each sync mode over two logins, the
confirm-link first login for an existing account, cancelling at GitHub and a wrong client
secret.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.broker.browser import Browser, exchange_code, forms, link, query
from tests.e2e.broker.seed import Admin
from tests.e2e.harness import PYTHON, ServerProcess, clean_env, free_port

REALM = "gh"
APP = "http://127.0.0.1:9/app"
CLIENT_ID = "Iv1.emulated"
CLIENT_SECRET = "emulated-client-secret"
EMULATOR = Path(__file__).with_name("github_emulator.py")

OCTOCAT = {
    "login": "octocat",
    "id": 583231,
    "name": "Mona Lisa Octocat",
    "email": "octocat@github.example",
    "company": "GitHub",
    "blog": "https://github.blog",
    "plan": {"name": "pro", "space": 976562499},
    "type": "User",
}


@dataclass
class Emulator:
    base: str
    process: subprocess.Popen[bytes]

    def user(self, login: str, profile: dict[str, Any], emails: list[dict[str, Any]] | None = None) -> None:
        body = {"profile": profile, "emails": emails or []}
        assert httpx.put(f"{self.base}/_emulator/users/{login}", json=body).status_code == 204

    def requests(self, path: str) -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = httpx.get(f"{self.base}/_emulator/requests").json()
        return [r for r in seen if r["path"] == path]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_emulator(callback: str) -> Emulator:
    port = free_port()
    cmd = [PYTHON, str(EMULATOR), "--port", str(port), "--client-id", CLIENT_ID]
    cmd += ["--client-secret", CLIENT_SECRET, "--callback", callback]
    process = subprocess.Popen(cmd, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    emulator = Emulator(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{emulator.base}/_emulator/ready").status_code == 200:
                return emulator
        except httpx.TransportError:
            time.sleep(0.05)
    emulator.stop()
    raise RuntimeError("the GitHub emulator did not start")


@dataclass
class Env:
    server: ServerProcess
    admin: Admin
    github: Emulator
    app_secret: str

    def auth_url(self, hint: str | None = None) -> str:
        params = {"client_id": "app", "redirect_uri": APP, "response_type": "code", "scope": "openid", "state": "s"}
        if hint:
            params["kc_idp_hint"] = hint
        return str(httpx.URL(self.server.url(f"/realms/{REALM}/protocol/openid-connect/auth"), params=params))

    def provider(self, alias: str, secret: str = CLIENT_SECRET, **rep: Any) -> None:
        config = {
            "clientId": CLIENT_ID,
            "clientSecret": secret,
            "baseUrl": self.github.base,
            "apiUrl": self.github.base + "/api/v3/",  # the trailing slash is dropped, as in Keycloak
            "syncMode": "IMPORT",
        }
        body = {"alias": alias, "providerId": "github", "displayName": "GitHub", **rep, "config": config}
        self.admin.call("POST", f"/{REALM}/identity-provider/instances", 201, json=body)

    def mapper(self, alias: str, name: str, json_field: str, attribute: str, sync_mode: str) -> None:
        config = {"jsonField": json_field, "userAttribute": attribute, "syncMode": sync_mode}
        rep = {"name": name, "identityProviderMapper": "github-user-attribute-mapper", "config": config}
        self.admin.call("POST", f"/{REALM}/identity-provider/instances/{alias}/mappers", 201, json=rep)

    def sign_in(self, login: str, hint: str = "github") -> tuple[Browser, httpx.Response]:
        """A fresh browser through the realm's login, GitHub's sign-in page and back: the
        browser and the last response (a realmgate page, or the redirect to the app)."""
        browser = Browser(stop_at=APP)
        page = browser.go(self.auth_url(hint))
        assert browser.last.startswith(self.github.base + "/login/oauth/authorize"), browser.hops
        return browser, browser.submit(page, "login", login=login)

    def code_exchange(self, browser: Browser) -> dict[str, Any]:
        assert browser.last.startswith(APP), browser.hops
        return exchange_code(
            self.server.url(f"/realms/{REALM}/protocol/openid-connect/token"),
            query(browser.last)["code"],
            redirect_uri=APP,
            client=("app", self.app_secret),
        )

    def links(self, user_id: str) -> list[dict[str, str]]:
        found: list[dict[str, str]] = self.admin.call("GET", f"/{REALM}/users/{user_id}/federated-identity", 200).json()
        return found


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def env(request: pytest.FixtureRequest, servers: Callable[..., ServerProcess]) -> Iterator[Env]:
    server = servers(db=request.param)
    admin = Admin(server)
    admin.realm(REALM)
    app_secret = admin.client(REALM, "app", [APP])
    github = start_emulator(callback=server.url(f"/realms/{REALM}/broker/"))
    try:
        environment = Env(server, admin, github, app_secret)
        environment.provider("github", trustEmail=True)
        environment.mapper("github", "company", "company", "company", "FORCE")
        environment.mapper("github", "plan", "plan.name", "plan", "LEGACY")
        environment.mapper("github", "blog", "blog", "blog", "INHERIT")  # the provider's IMPORT
        environment.provider("github-wrong", secret="not-the-secret", hideOnLogin=True)
        yield environment
    finally:
        github.stop()


def test_admin_round_trip_and_server_info(env: Env) -> None:
    base = f"/{REALM}/identity-provider"
    got = env.admin.call("GET", f"{base}/instances/github", 200).json()
    assert got["providerId"] == "github" and got["config"]["clientSecret"] == "**********"
    env.admin.call("PUT", f"{base}/instances/github", 204, json=got)  # the mask keeps the secret
    types = env.admin.call("GET", f"{base}/instances/github/mapper-types", 200).json()
    assert {"github-user-attribute-mapper", "oidc-username-idp-mapper", "oidc-hardcoded-role-idp-mapper"} <= set(types)
    assert "oidc-user-attribute-idp-mapper" not in types and "oidc-role-idp-mapper" not in types
    fields = [p["name"] for p in types["github-user-attribute-mapper"]["properties"]]
    assert fields == ["jsonField", "userAttribute"]
    unknown = {"alias": "x", "providerId": "does-not-exist"}
    bad = env.admin.call("POST", f"{base}/instances", 400, json=unknown)
    assert bad.json() == {"errorMessage": "Invalid identity provider id [does-not-exist]"}
    ftp = {"alias": "ftp", "providerId": "github", "config": {"clientId": "c", "baseUrl": "ftp://ghe.example"}}
    assert env.admin.call("POST", f"{base}/instances", 400, json=ftp).json() == {
        "errorMessage": "Invalid protocol/scheme for url [baseUrl]"
    }
    bad_path = {"name": "p", "identityProviderMapper": "github-user-attribute-mapper", "config": {"jsonField": "a..b"}}
    assert "empty component" in env.admin.call("POST", f"{base}/instances/github/mappers", 400, json=bad_path).text
    oidc_only = {"name": "o", "identityProviderMapper": "oidc-user-attribute-idp-mapper", "config": {}}
    env.admin.call("POST", f"{base}/instances/github/mappers", 400, json=oidc_only)
    info = httpx.get(env.server.url("/admin/serverinfo"), headers=env.admin.http.headers).json()
    github = {"groupName": "Social", "name": "GitHub", "id": "github"}
    assert github in info["socialProviders"] and github in info["identityProviders"]
    assert {p["id"] for p in info["socialProviders"]} == {"github"}
    assert env.admin.call("GET", f"{base}/providers/github", 200).json() == {"id": "github", "name": "GitHub"}


def test_login_button_then_first_login_with_public_email(env: Env) -> None:
    env.github.user("octocat", OCTOCAT)
    browser = Browser(stop_at=APP)
    login_page = browser.go(env.auth_url())
    assert "social-github-wrong" not in login_page.text  # hideOnLogin
    start = link(login_page.text, "social-github")
    signin = browser.go(env.server.url("") + start if start.startswith("/") else start)
    authorize = query(browser.last)
    assert browser.last.startswith(env.github.base + "/login/oauth/authorize")
    assert authorize["scope"] == "user:email" and authorize["client_id"] == CLIENT_ID
    assert authorize["redirect_uri"] == env.server.url(f"/realms/{REALM}/broker/github/endpoint")
    browser.submit(signin, "login", login="octocat")
    tokens = env.code_exchange(browser)
    assert tokens["access_token"]
    user = env.admin.find_user(REALM, "octocat")
    assert (user["email"], user["emailVerified"]) == ("octocat@github.example", True)  # trustEmail
    assert (user["firstName"], user["lastName"]) == ("Mona Lisa", "Octocat")
    assert user["attributes"] == {"company": ["GitHub"], "plan": ["pro"], "blog": ["https://github.blog"]}
    assert env.links(user["id"]) == [{"identityProvider": "github", "userId": "583231", "userName": "octocat"}]
    token_calls = env.github.requests("/login/oauth/access_token")
    assert token_calls[-1]["accept"] == "application/json"
    assert token_calls[-1]["form"] == ["client_id", "client_secret", "code", "grant_type", "redirect_uri"]
    assert env.github.requests("/api/v3/user") and not env.github.requests("/api/v3/user/emails")
    browser.close()


def test_attribute_mapper_follows_each_sync_mode_on_the_next_login(env: Env) -> None:
    env.github.user("hubot", {**OCTOCAT, "login": "hubot", "id": 7, "email": "hubot@github.example"})
    env.sign_in("hubot")[0].close()
    first = env.admin.find_user(REALM, "hubot")
    assert first["attributes"] == {"company": ["GitHub"], "plan": ["pro"], "blog": ["https://github.blog"]}
    changed = {"login": "hubot", "id": 7, "email": "hubot@github.example", "plan": {"name": "free"}, "blog": "x"}
    env.github.user("hubot", changed)  # no company any more, another plan and blog
    browser, _ = env.sign_in("hubot")
    env.code_exchange(browser)
    browser.close()
    again = env.admin.find_user(REALM, "hubot")
    # FORCE removes the vanished company; LEGACY (plan) and IMPORT (blog) leave the user alone.
    assert again["attributes"] == {"plan": ["pro"], "blog": ["https://github.blog"]}
    assert again["id"] == first["id"]


def test_private_email_comes_from_the_primary_verified_address(env: Env) -> None:
    emails = [
        {"email": "old@github.example", "primary": False, "verified": True, "visibility": None},
        {"email": "private@github.example", "primary": True, "verified": True, "visibility": "private"},
    ]
    env.github.user("private", {"login": "private", "id": 99, "name": "Pri Vate", "email": None}, emails)
    browser, _ = env.sign_in("private")
    env.code_exchange(browser)
    browser.close()
    user = env.admin.find_user(REALM, "private")
    assert (user["email"], user["emailVerified"]) == ("private@github.example", True)
    assert env.github.requests("/api/v3/user/emails")


def test_unverified_primary_gives_no_email_and_the_review_asks_for_one(env: Env) -> None:
    emails = [{"email": "unproven@github.example", "primary": True, "verified": False, "visibility": None}]
    env.github.user("unproven", {"login": "unproven", "id": 100, "name": "Un Proven", "email": None}, emails)
    browser, page = env.sign_in("unproven")
    review = forms(page.text).get("kc-idp-review-profile-form")
    assert review is not None and review.fields.get("email") == "", page.text
    browser.submit(page, "kc-idp-review-profile-form", email="chosen@example.org")
    env.code_exchange(browser)
    browser.close()
    user = env.admin.find_user(REALM, "unproven")
    assert user["email"] == "chosen@example.org" and user["emailVerified"] is False


def test_existing_account_is_linked_after_confirmation_and_its_password(env: Env) -> None:
    env.admin.user(REALM, "mona", "mona-password", email="mona@github.example", firstName="Mona", lastName="L")
    env.github.user("mona-gh", {"login": "mona-gh", "id": 4242, "name": "Mona L", "email": "mona@github.example"})
    browser, confirm = env.sign_in("mona-gh")
    assert "An account with this email already exists" in confirm.text, browser.hops
    reauth = browser.submit(confirm, "kc-register-form")
    browser.submit(reauth, "kc-form-login", password="mona-password")
    env.code_exchange(browser)
    browser.close()
    user = env.admin.find_user(REALM, "mona")
    assert env.links(user["id"]) == [{"identityProvider": "github", "userId": "4242", "userName": "mona-gh"}]


def test_a_logged_in_user_links_github_from_the_app(env: Env) -> None:
    """Client-initiated account linking (``/broker/github/link``) through GitHub's sign-in."""
    env.admin.user(REALM, "linker", "linker-password")
    env.github.user("linker-gh", {"login": "linker-gh", "id": 31337, "email": None})
    browser = Browser(stop_at=APP)
    page = browser.go(env.auth_url())
    browser.submit(page, "kc-form-login", username="linker", password="linker-password")
    session_id = query(browser.last)["session_state"]
    digest = hashlib.sha256(f"n1{session_id}appgithub".encode()).digest()
    proof = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    link_url = env.server.url(f"/realms/{REALM}/broker/github/link")
    signin = browser.go(f"{link_url}?client_id=app&redirect_uri={APP}&nonce=n1&hash={proof}")
    assert browser.last.startswith(env.github.base + "/login/oauth/authorize"), browser.hops
    browser.submit(signin, "login", login="linker-gh")
    assert browser.last == APP, browser.hops
    user = env.admin.find_user(REALM, "linker")
    assert env.links(user["id"]) == [{"identityProvider": "github", "userId": "31337", "userName": "linker-gh"}]
    browser.close()


def test_cancel_at_github_returns_to_the_login_page(env: Env) -> None:
    browser = Browser(stop_at=APP)
    page = browser.go(env.auth_url("github"))
    back = browser.submit(page, "cancel")
    assert back.status_code == 200 and "kc-form-login" in forms(back.text)
    assert "Login cancelled" in back.text
    browser.close()


def test_wrong_client_secret_is_an_error_page_and_creates_nobody(env: Env) -> None:
    env.github.user("nobody", {"login": "nobody", "id": 5, "email": "nobody@github.example"})
    browser, page = env.sign_in("nobody", hint="github-wrong")
    assert page.status_code == 502, browser.hops
    assert "GitHub" in page.text and "try-again" in page.text
    users = env.admin.call("GET", f"/{REALM}/users", 200, params={"username": "nobody", "exact": "true"}).json()
    assert users == []
    assert "broker github-wrong: login failed: token endpoint" in env.server.wait_for_log("github-wrong: login failed")
    assert CLIENT_SECRET not in env.server.logs() and "not-the-secret" not in env.server.logs()
    browser.close()
