"""The upstream key cache of two instances on one PostgreSQL database, brokering to npm
``oidc-provider``: ``clear-keys-cache`` sent to one instance reaches the other.

Both instances have fetched the provider's JWKS; the provider then rotates its key. A login
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


@dataclass
class Env:
    first: ServerProcess
    second: ServerProcess
    provider: OidcProvider
    admin: Admin

    def login_at(self, instance: ServerProcess, login: str) -> str:
        """A brokered login whose every request to us goes to ``instance``; where it ends."""
        browser = Browser(stop_at=self.provider.issuer)
        browser.client = httpx.Client(transport=Pinned(self.first, instance), timeout=15.0)
        params = {"client_id": "app", "redirect_uri": APP, "response_type": "code", "scope": "openid"}
        auth = httpx.URL(self.first.url(f"/realms/{REALM}/protocol/openid-connect/auth"), params=params)
        browser.go(str(auth.copy_add_param("kc_idp_hint", ALIAS)))
        back = self.provider.login(browser.client, browser.last, login)
        browser.stop_at = APP
        page = browser.go(back)
        browser.close()
        return browser.last if browser.last.startswith(APP) else page.text


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
        }
    )
    try:
        admin = Admin(first)
        admin.realm(REALM)
        admin.client(REALM, "app", [APP])
        imported = admin.call(
            "POST",
            f"/{REALM}/identity-provider/import-config",
            200,
            json={"providerId": "oidc", "fromUrl": provider.discovery_url},
        ).json()
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
        yield Env(first, second, provider, admin)
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
