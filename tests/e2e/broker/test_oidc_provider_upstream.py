"""realmgate brokering to a provider not written here: npm ``oidc-provider`` (OpenID
certified), configured through ``import-config`` from its discovery URL, with signature
validation through its JWKS, PKCE S256 and ``private_key_jwt`` signed with the realm's key.
Also: its back-channel logout ends our session, RP-initiated logout at our server ends its
session too (the chain sends it its own ID token), and a key rotation upstream (new kid) is
followed by one refetch of its JWKS."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from tests.e2e.broker.browser import Browser, exchange_code, forms, query
from tests.e2e.broker.seed import Admin
from tests.e2e.harness import ServerProcess
from tests.e2e.upstream.oidc_provider_fixture import OidcProvider, start_oidc_provider

from realmgate.crypto import jws

pytestmark = pytest.mark.node

REALM = "thirdparty"
ALIAS = "certified"
APP = "http://127.0.0.1:9/app"


@dataclass
class Env:
    server: ServerProcess
    admin: Admin
    provider: OidcProvider
    app_secret: str
    first_login_at: float = 0.0

    @property
    def broker_endpoint(self) -> str:
        return self.server.url(f"/realms/{REALM}/broker/{ALIAS}/endpoint")

    def auth_url(self) -> str:
        params = {
            "client_id": "app",
            "redirect_uri": APP,
            "response_type": "code",
            "scope": "openid",
            "kc_idp_hint": ALIAS,
        }
        return str(httpx.URL(self.server.url(f"/realms/{REALM}/protocol/openid-connect/auth"), params=params))

    def login(self, login: str) -> tuple[Browser, dict[str, Any]]:
        """Through our server to the provider's login pages and back; returns the app's tokens."""
        browser = Browser(stop_at=self.provider.issuer)
        browser.go(self.auth_url())
        upstream_auth = browser.last
        assert query(upstream_auth)["code_challenge_method"] == "S256"
        back = self.provider.login(browser.client, upstream_auth, login)
        browser.stop_at = APP
        page = browser.go(back)
        assert browser.last.startswith(APP), page.text
        tokens = exchange_code(
            self.server.url(f"/realms/{REALM}/protocol/openid-connect/token"),
            query(browser.last)["code"],
            redirect_uri=APP,
            client=("app", self.app_secret),
        )
        return browser, tokens


@pytest.fixture(scope="module")
def env(servers: Callable[..., ServerProcess]) -> Iterator[Env]:
    server = servers()
    admin = Admin(server)
    admin.realm(REALM)
    app_secret = admin.client(REALM, "app", [APP])
    realm_url = server.url(f"/realms/{REALM}")
    provider = start_oidc_provider(
        client={
            "client_id": "realmgate",
            "redirect_uris": [f"{realm_url}/broker/{ALIAS}/endpoint"],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks_uri": f"{realm_url}/protocol/openid-connect/certs",
            "backchannel_logout_uri": f"{realm_url}/protocol/openid-connect/logout/backchannel-logout",
            "backchannel_logout_session_required": True,
            "post_logout_redirect_uris": [f"{realm_url}/broker/{ALIAS}/endpoint/logout_response"],
        },
        pkce_required=True,
    )
    try:
        imported = admin.import_config(REALM, provider.discovery_url)
        assert (imported["validateSignature"], imported["useJwksUrl"]) == ("true", "true")
        assert imported["issuer"] == provider.issuer
        config = {k: v for k, v in imported.items() if v is not None}
        config.update(
            clientId="realmgate",
            clientAuthMethod="private_key_jwt",
            pkceEnabled="true",
            pkceMethod="S256",
            defaultScope="openid profile email",
            syncMode="FORCE",
        )
        rep = {"alias": ALIAS, "displayName": "Certified provider", "providerId": "oidc", "config": config}
        admin.call("POST", f"/{REALM}/identity-provider/instances", 201, json=rep)
        yield Env(server, admin, provider, app_secret)
    finally:
        provider.stop()


def test_login_through_the_certified_provider(env: Env) -> None:
    browser, tokens = env.login("alice")
    env.first_login_at = time.time()
    browser.close()
    claims = jws.unverified_claims(tokens["id_token"])
    assert claims["preferred_username"] == "alice"
    user = env.admin.find_user(REALM, "alice")
    assert (user["email"], user["firstName"]) == ("alice@upstream.example", "Alice")
    links = env.admin.call("GET", f"/{REALM}/users/{user['id']}/federated-identity", 200).json()
    assert links == [{"identityProvider": ALIAS, "userId": "alice", "userName": "alice"}]


def test_upstream_backchannel_logout_ends_our_session(env: Env) -> None:
    browser, tokens = env.login("bob")
    user = env.admin.find_user(REALM, "bob")
    sessions = env.admin.call("GET", f"/{REALM}/users/{user['id']}/sessions", 200).json()
    assert len(sessions) == 1
    page = browser.client.get(env.provider.url("/session/end"), follow_redirects=True)
    form = forms(page.text)
    action, fields = next((f.action, f.fields) for f in form.values())
    confirmed = browser.client.post(
        urljoin(str(page.url), action), data={**fields, "logout": "yes"}, follow_redirects=True
    )
    assert confirmed.status_code == 200
    browser.close()
    deadline = time.time() + 5
    while env.admin.call("GET", f"/{REALM}/users/{user['id']}/sessions", 200).json() and time.time() < deadline:
        time.sleep(0.1)
    assert env.admin.call("GET", f"/{REALM}/users/{user['id']}/sessions", 200).json() == []
    assert "back-channel logout from certified ended 1 session(s)" in env.server.logs()
    refreshed = httpx.post(
        env.server.url(f"/realms/{REALM}/protocol/openid-connect/token"),
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=("app", env.app_secret),
    )
    assert refreshed.status_code == 400


def test_logout_at_our_server_ends_the_provider_session(env: Env) -> None:
    browser, tokens = env.login("dave")
    assert env.provider.has_session(browser.client, "realmgate", env.broker_endpoint)
    user = env.admin.find_user(REALM, "dave")
    assert len(env.admin.call("GET", f"/{REALM}/users/{user['id']}/sessions", 200).json()) == 1

    browser.stop_at = APP
    logout = env.server.url(f"/realms/{REALM}/protocol/openid-connect/logout")
    confirm = browser.go(f"{logout}?id_token_hint={tokens['id_token']}&post_logout_redirect_uri={APP}&state=bye")
    end_session = next(hop for hop in browser.hops if hop.startswith(env.provider.url("/session/end")))
    hint = jws.unverified_claims(query(end_session)["id_token_hint"])
    assert hint["iss"] == env.provider.issuer and hint["aud"] == "realmgate"  # its own ID token
    action, fields = next((f.action, f.fields) for f in forms(confirm.text).values())
    browser.go(urljoin(str(confirm.url), action), data={**fields, "logout": "yes"})
    assert browser.last.startswith(APP) and query(browser.last)["state"] == "bye", browser.hops
    assert any("/endpoint/logout_response" in hop for hop in browser.hops)

    assert env.admin.call("GET", f"/{REALM}/users/{user['id']}/sessions", 200).json() == []
    assert not env.provider.has_session(browser.client, "realmgate", env.broker_endpoint)
    browser.close()


def test_unsigned_or_foreign_logout_token_is_refused(env: Env) -> None:
    url = env.server.url(f"/realms/{REALM}/protocol/openid-connect/logout/backchannel-logout")
    assert httpx.post(url, data={"logout_token": "e30.e30."}).status_code == 400
    assert httpx.post(url, data={}).status_code == 400


def test_key_rotation_upstream_is_followed(env: Env) -> None:
    kids = env.provider.rotate_keys()
    # The key cache refetches on an unknown kid at most every 10 s.
    time.sleep(max(0.0, env.first_login_at + 10.5 - time.time()))
    browser, tokens = env.login("carol")
    browser.close()
    assert jws.unverified_claims(tokens["id_token"])["preferred_username"] == "carol"
    assert env.admin.call("GET", f"/{REALM}/identity-provider/instances/{ALIAS}/reload-keys", 200).json() is True
    assert kids[0] != kids[-1]
