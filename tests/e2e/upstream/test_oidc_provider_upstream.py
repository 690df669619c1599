"""The broker core against a certified third-party provider (npm ``oidc-provider``): discovery
import, a full code flow with PKCE S256 and JWKS signature checks, ``private_key_jwt`` with the
realm's key, upstream key rotation, userinfo, and a cancelled login."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from tests.e2e.upstream.oidc_provider_fixture import OidcProvider

from realmgate.broker.connector import BrokeredIdentity, CallbackOutcome, ClientRequest, classify_callback_error
from realmgate.broker.errors import UpstreamError
from realmgate.broker.oidc.connector import OIDCConnector
from realmgate.broker.oidc.discovery import import_from_url
from realmgate.broker.oidc.keys import UpstreamKeyCache
from realmgate.broker.oidc.oauth2 import ConnectorDeps
from realmgate.broker.upstream_logout import logout_response_url, verify_logout_token
from realmgate.crypto import jws
from realmgate.crypto.realm_keys import generate_default_keys, public_jwk
from realmgate.crypto.secrets import SYSTEM
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.keys import RealmKey

pytestmark = pytest.mark.node

REDIRECT = "http://localhost:9/realms/test/broker/upstream/endpoint"
SECRET = "broker-secret-which-is-long-enough-for-hs256"
StartProvider = Callable[..., OidcProvider]


class Clock:
    """The real time, plus an offset a test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def _connector(
    provider: OidcProvider,
    http: httpx.AsyncClient,
    clock: Clock,
    realm_keys: list[RealmKey] | None = None,
    **extra: str,
) -> OIDCConnector:
    config = {k: v for k, v in (await import_from_url(http, provider.discovery_url)).items() if v is not None}
    config.update({"clientId": "broker", "clientSecret": SECRET, "pkceEnabled": "true", "pkceMethod": "S256"})
    config.update(extra)
    idp = IdentityProvider(internal_id="idp-1", realm_id="r", alias="upstream", provider_id="oidc", config=config)
    deps = ConnectorDeps(http, UpstreamKeyCache(http, clock=clock), clock, realm_keys=realm_keys or [], ids=SYSTEM)
    return OIDCConnector(idp, deps)


async def _login(
    connector: OIDCConnector, provider: OidcProvider, login: str, browser: httpx.Client | None = None
) -> BrokeredIdentity:
    start = connector.login_url(ClientRequest(), redirect_uri=REDIRECT)
    with httpx.Client() as own:
        back = provider.login(browser or own, start.url, login)
    q = _query(back)
    assert back.startswith(REDIRECT) and q["state"] == start.state, back
    return await connector.handle_callback(q["code"], start)


@pytest.fixture
async def http() -> Any:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def test_discovery_answers_and_imports(oidc_provider: StartProvider, http: httpx.AsyncClient) -> None:
    provider = oidc_provider()
    doc = (await http.get(provider.discovery_url)).json()
    assert doc["issuer"] == provider.issuer
    assert "S256" in doc["code_challenge_methods_supported"]
    config = await import_from_url(http, provider.discovery_url)
    assert config["issuer"] == provider.issuer
    assert config["authorizationUrl"] == doc["authorization_endpoint"]
    assert config["tokenUrl"] == doc["token_endpoint"]
    assert config["jwksUrl"] == doc["jwks_uri"]
    assert config["logoutUrl"] == doc["end_session_endpoint"]
    assert (config["validateSignature"], config["useJwksUrl"]) == ("true", "true")
    assert config["metadataDescriptorUrl"] == provider.discovery_url


async def test_code_flow_with_pkce_jwks_and_key_rotation(oidc_provider: StartProvider, http: httpx.AsyncClient) -> None:
    provider = oidc_provider(
        client={
            "redirect_uris": [REDIRECT],
            # With back-channel logout the upstream names its session (sid) in the ID token.
            "backchannel_logout_uri": "http://localhost:9/realms/test/protocol/openid-connect/logout/backchannel-logout",
            "backchannel_logout_session_required": True,
        },
        pkce_required=True,
    )
    clock = Clock()
    connector = await _connector(provider, http, clock, defaultScope="email profile")
    identity = await _login(connector, provider, "alice")
    assert (identity.id, identity.username, identity.email) == ("alice", "alice", "alice@upstream.example")
    assert identity.email_verified is True and identity.first_name == "Alice"
    assert identity.broker_user_id == "upstream.alice"
    assert identity.broker_session_id == f"upstream.{identity.id_token_claims['sid']}"
    assert json.loads(identity.token or "{}")["access_token"]
    # The upstream rotates its signing key: the new kid makes the cache refetch (10 s later).
    kids = provider.rotate_keys()
    clock.offset += 11
    identity = await _login(connector, provider, "bob")
    assert identity.id == "bob"
    assert jws.unverified_header(identity.id_token or "")["kid"] == kids[0]
    # Stored tokens refresh at the upstream.
    fresh = json.loads(await connector.refresh(identity.token or ""))
    assert fresh["access_token"] and fresh["refresh_token"]


async def test_userinfo_when_the_id_token_is_minimal(oidc_provider: StartProvider, http: httpx.AsyncClient) -> None:
    provider = oidc_provider(
        client={"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "client_secret_basic"},
        conform_id_token_claims=True,
    )
    connector = await _connector(
        provider, http, Clock(), clientAuthMethod="client_secret_basic", defaultScope="profile email"
    )
    identity = await _login(connector, provider, "carol")
    assert "email" not in identity.id_token_claims
    assert identity.userinfo_claims is not None and identity.email == "carol@upstream.example"
    assert identity.username == "carol"


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        return


@contextmanager
def _loopback(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a loopback port from a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def broker_jwks() -> Iterator[tuple[str, list[RealmKey]]]:
    """The broker realm's JWKS on a loopback port, for the upstream to fetch (private_key_jwt)."""
    realm_keys = generate_default_keys("broker-realm", now=0, ids=SYSTEM)
    body = json.dumps({"keys": [public_jwk(k) for k in realm_keys if k.key_type == "RSA" and k.use == "sig"]}).encode()

    class Handler(_Quiet):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

    with _loopback(Handler) as base:
        yield f"{base}/certs", realm_keys


async def test_private_key_jwt_with_the_realm_key(
    oidc_provider: StartProvider, http: httpx.AsyncClient, broker_jwks: tuple[str, list[RealmKey]]
) -> None:
    jwks_uri, realm_keys = broker_jwks
    provider = oidc_provider(
        client={
            "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "RS256",
            "jwks_uri": jwks_uri,
        },
        pkce_required=True,
    )
    connector = await _connector(
        provider, http, Clock(), realm_keys=realm_keys, clientAuthMethod="private_key_jwt", clientSecret=""
    )
    identity = await _login(connector, provider, "dave")
    assert identity.id == "dave"
    # The same client with a plain secret is refused by the upstream: the assertion is what counts.
    wrong = await _connector(provider, http, Clock())
    start = wrong.login_url(ClientRequest(), redirect_uri=REDIRECT)
    with httpx.Client() as browser:
        code = _query(provider.login(browser, start.url, "dave"))["code"]
    with pytest.raises(UpstreamError) as err:
        await wrong.handle_callback(code, start)
    assert err.value.upstream_error == "invalid_client"


async def test_cancelled_login_is_access_denied(oidc_provider: StartProvider, http: httpx.AsyncClient) -> None:
    provider = oidc_provider(client={"redirect_uris": [REDIRECT]})
    connector = await _connector(provider, http, Clock())
    start = connector.login_url(ClientRequest(), redirect_uri=REDIRECT)
    with httpx.Client() as browser:
        back = provider.abort_url(browser, start.url)
    q = _query(back)
    assert q["error"] == "access_denied" and q["state"] == start.state
    assert classify_callback_error(q["error"], q.get("error_description")) is CallbackOutcome.CANCELLED


@pytest.fixture
def logout_receiver() -> Iterator[tuple[str, list[str]]]:
    """Our back-channel logout endpoint on a loopback port: collects the logout tokens."""
    received: list[str] = []

    class Handler(_Quiet):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            received.extend(form.get("logout_token", []))
            self.send_response(200)
            self.end_headers()

    with _loopback(Handler) as base:
        yield f"{base}/backchannel-logout", received


async def test_logout_both_ways(
    oidc_provider: StartProvider, http: httpx.AsyncClient, logout_receiver: tuple[str, list[str]]
) -> None:
    receiver_url, received = logout_receiver
    logout_response = logout_response_url("http://localhost:9", "test", "upstream")
    provider = oidc_provider(
        client={
            "redirect_uris": [REDIRECT],
            "post_logout_redirect_uris": [logout_response],
            "backchannel_logout_uri": receiver_url,
            "backchannel_logout_session_required": True,
        }
    )
    clock = Clock()
    connector = await _connector(provider, http, clock)
    with httpx.Client() as browser:
        identity = await _login(connector, provider, "erin", browser)
        url = connector.logout_url(
            id_token=identity.id_token, state="local-session", post_logout_redirect_uri=logout_response
        )
        assert url is not None
        back = provider.logout(browser, url)
    assert back.startswith(logout_response) and _query(back)["state"] == "local-session"
    deadline = time.monotonic() + 5
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    (token,) = received
    targets = await verify_logout_token(
        token, [(connector.idp, connector.cfg)], keys=UpstreamKeyCache(http, clock=clock), now=clock()
    )
    assert [(t.broker_session_id, t.broker_user_id) for t in targets] == [(identity.broker_session_id, None)]
