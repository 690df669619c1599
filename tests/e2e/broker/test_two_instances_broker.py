"""Two instances on one PostgreSQL database brokering to npm ``oidc-provider``: the logout
chain crosses instances, and ``clear-keys-cache`` sent to one instance reaches the other.

Logout: the brokered login ends at the first instance, the RP-initiated logout starts at the
second, and the provider sends the browser back to the first: both sessions end.

Keys: both instances have fetched the provider's JWKS; the provider then rotates its key. A login
whose callback lands on the second instance within 10 s of its fetch fails (an unknown ``kid``
may trigger one refetch per 10 s, as in Keycloak). The admin clears the key cache at the first
instance; the very next callback at the second succeeds, because the clear moved the realm's
config version, which every instance checks before using the cache."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from tests.e2e.broker.browser import Browser, query
from tests.e2e.broker.seed import Admin
from tests.e2e.harness import ServerProcess, start_server
from tests.e2e.upstream.oidc_provider_fixture import OidcProvider, start_oidc_provider

from realmgate.crypto import jws

pytestmark = [pytest.mark.node, pytest.mark.postgres]

REALM = "pair"
ALIAS = "certified"
APP = "http://127.0.0.1:9/app"
SECRET = "broker-secret-which-is-long-enough-for-hs256"


class Pinned(httpx.BaseTransport):
    """Sends what is addressed to the public URL (the first instance's) to ``target``."""

    def __init__(self, public: ServerProcess, target: ServerProcess) -> None:
        self._public_port = public.port
        self.target = target
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.port == self._public_port:
            request.url = request.url.copy_with(port=self.target.port)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@dataclass
class Env:
    first: ServerProcess
    second: ServerProcess
    provider: OidcProvider
    admin: Admin
    app_secret: str

    def browser(self, instance: ServerProcess) -> tuple[Browser, Pinned]:
        """A browser whose requests to us go to ``instance`` (``Pinned.target`` can change)."""
        browser = Browser(stop_at=self.provider.issuer)
        transport = Pinned(self.first, instance)
        browser.client.close()
        browser.client = httpx.Client(transport=transport, timeout=15.0)
        return browser, transport

    def login(self, browser: Browser, login: str) -> str:
        """A brokered login; where it ends (the app's URL with the code, or our page)."""
        browser.stop_at = self.provider.issuer
        params = {"client_id": "app", "redirect_uri": APP, "response_type": "code", "scope": "openid"}
        auth = httpx.URL(self.first.url(f"/realms/{REALM}/protocol/openid-connect/auth"), params=params)
        browser.go(str(auth.copy_add_param("kc_idp_hint", ALIAS)))
        back = self.provider.login(browser.client, browser.last, login)
        browser.stop_at = APP
        page = browser.go(back)
        return browser.last if browser.last.startswith(APP) else page.text

    def login_at(self, instance: ServerProcess, login: str) -> str:
        browser, _ = self.browser(instance)
        try:
            return self.login(browser, login)
        finally:
            browser.close()


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    first = start_server(db="postgres")
    second = start_server(db_url=first.db_url)
    realm_url = first.url(f"/realms/{REALM}")
    provider = start_oidc_provider(
        client={
            "client_id": "realmgate",
            "client_secret": SECRET,
            "redirect_uris": [f"{realm_url}/broker/{ALIAS}/endpoint"],
            "post_logout_redirect_uris": [f"{realm_url}/broker/{ALIAS}/endpoint/logout_response"],
        }
    )
    try:
        admin = Admin(first)
        admin.realm(REALM)
        app_secret = admin.client(REALM, "app", [APP])
        imported = admin.import_config(REALM, provider.discovery_url)
        config = {k: v for k, v in imported.items() if v is not None}
        config.update(
            clientId="realmgate",
            clientSecret=SECRET,
            clientAuthMethod="client_secret_post",
            defaultScope="openid profile email",
            syncMode="FORCE",
        )
        rep = {"alias": ALIAS, "providerId": "oidc", "config": config}
        admin.call("POST", f"/{REALM}/identity-provider/instances", 201, json=rep)
        yield Env(first, second, provider, admin, app_secret)
    finally:
        provider.stop()
        second.stop(drop_database=False)
        first.stop()


def test_clear_keys_cache_at_one_instance_reaches_the_other(env: Env) -> None:
    assert "code" in query(env.login_at(env.first, "alice"))  # the first instance fetched the JWKS
    assert "code" in query(env.login_at(env.second, "alice"))  # and so did the second
    env.provider.rotate_keys()
    refused = env.login_at(env.second, "alice")  # unknown kid, refetch throttled for 10 s
    assert not refused.startswith(APP) and "refetch throttled" in env.second.logs()
    env.admin.call("POST", f"/{REALM}/clear-keys-cache", 204)  # at the first instance
    assert "code" in query(env.login_at(env.second, "alice"))


def test_logout_chain_across_instances_ends_both_sessions(env: Env) -> None:
    browser, transport = env.browser(env.first)
    code = query(env.login(browser, "bob"))["code"]
    token_url = env.first.url(f"/realms/{REALM}/protocol/openid-connect/token")
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": APP}
    tokens = httpx.post(token_url, data=data, auth=("app", env.app_secret)).json()
    user = env.admin.find_user(REALM, "bob")
    sessions = f"/{REALM}/users/{user['id']}/sessions"
    assert len(env.admin.call("GET", sessions, 200).json()) == 1
    assert env.provider.has_session(
        browser.client, "realmgate", env.first.url(f"/realms/{REALM}/broker/{ALIAS}/endpoint")
    )

    transport.target = env.second  # the logout starts at the other instance
    browser.stop_at = env.provider.url("/session/end")
    logout = env.first.url(f"/realms/{REALM}/protocol/openid-connect/logout")
    browser.go(f"{logout}?id_token_hint={tokens['id_token']}&post_logout_redirect_uri={APP}&state=bye")
    hint = jws.unverified_claims(query(browser.last)["id_token_hint"])
    assert hint["iss"] == env.provider.issuer and hint["aud"] == "realmgate"
    transport.target = env.first  # and comes back to the first
    back = env.provider.logout(browser.client, browser.last)
    assert "/endpoint/logout_response" in back
    browser.stop_at = APP
    browser.go(back)
    assert browser.last.startswith(APP) and query(browser.last)["state"] == "bye", browser.hops
    assert env.admin.call("GET", sessions, 200).json() == []
    assert not env.provider.has_session(
        browser.client, "realmgate", env.first.url(f"/realms/{REALM}/broker/{ALIAS}/endpoint")
    )
    browser.close()
