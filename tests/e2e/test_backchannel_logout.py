"""Back-channel logout (OIDC Back-Channel Logout 1.0) for every way a session ends.

A client registers a ``backchannel.logout.url`` pointing at a real HTTP receiver on a loopback
port; for each path that ends its session (RP-initiated logout, browser logout through the
confirmation page, the adapters' refresh-token
``POST logout``, revocation, admin user logout, admin session delete, logout-all, an upstream's
back-channel logout through the broker, a browser login as another user replacing the SSO
session, and the expiry sweep), the receiver must get a ``logout_token``
that an independent JOSE library (authlib) verifies against the realm's JWKS. Deliveries are
sent after the response, so the tests poll for them with a deadline. A receiver that is down or
answers 500 must not stop the logout."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import secrets
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.deprecate import AuthlibDeprecationWarning
from tests.e2e.broker.browser import Browser
from tests.e2e.broker.seed import ALIAS, APP_REDIRECT, Admin, configure, start_pair
from tests.e2e.broker.test_seed_scenario import code_of, sign_in_at_slave
from tests.e2e.harness import ServerProcess, free_port
from tests.e2e.oidc.browser import parse_login_form, submit_login

with warnings.catch_warnings():
    # authlib.jose is deprecated in favour of joserfc, which realmgate itself uses: its older,
    # separate implementation is the independent check wanted here. (authlib.deprecate installs
    # an "always" filter when imported, so ours must come after it.)
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.jose import JsonWebKey, JsonWebToken

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
PASSWORD = "alice-password"
REDIRECT = "http://127.0.0.1:9/rp/callback"
DELIVERY_WAIT = 10.0


@dataclass
class Received:
    path: str
    content_type: str
    token: str


class Receiver:
    """An RP's back-channel logout endpoint: records every POSTed ``logout_token``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
                token = parse_qs(body).get("logout_token", [""])[0]
                with receiver._lock:
                    receiver.received.append(Received(self.path, self.headers.get("content-type", ""), token))
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def wait(self, count: int) -> list[Received]:
        """The deliveries once ``count`` arrived (at most ``DELIVERY_WAIT`` seconds), and none more
        a moment later: each ended client session is told exactly once."""
        deadline = time.monotonic() + DELIVERY_WAIT
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        with self._lock:
            got = list(self.received)
        assert len(got) == count, got
        return got

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@dataclass
class Rp:
    """A realm of its own on the server, with confidential client ``client_id`` whose
    back-channel logout URL is ``{receiver}/{client_id}``, and user alice."""

    server: ServerProcess
    admin: Admin
    realm: str
    client_id: str
    secret: str
    user_id: str

    @property
    def issuer(self) -> str:
        return self.server.url(f"/realms/{self.realm}")

    def oidc(self, path: str) -> str:
        return f"{self.issuer}/protocol/openid-connect/{path}"

    def password_tokens(self, **extra: str) -> dict[str, Any]:
        data = {"grant_type": "password", "username": "alice", "password": PASSWORD, "scope": "openid", **extra}
        response = httpx.post(self.oidc("token"), data=data, auth=(self.client_id, self.secret))
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        return tokens

    def session_ids(self) -> set[str]:
        return {s["id"] for s in self.admin.call("GET", f"/{self.realm}/users/{self.user_id}/sessions", 200).json()}


def make_rp(server: ServerProcess, backchannel_base: str, **attributes: str) -> Rp:
    admin = Admin(server)
    realm = "bcl" + secrets.token_hex(4)
    client_id = "rp-" + secrets.token_hex(3)
    admin.realm(realm)
    attrs = {
        "post.logout.redirect.uris": "+",
        "backchannel.logout.url": f"{backchannel_base}/{client_id}",
        **attributes,
    }
    secret = admin.client(realm, client_id, [REDIRECT], directAccessGrantsEnabled=True, attributes=attrs)
    user_id = admin.user(realm, "alice", PASSWORD)
    return Rp(server, admin, realm, client_id, secret, user_id)


@pytest.fixture
def rp(any_server: ServerProcess, receiver: Receiver) -> Iterator[Rp]:
    made = make_rp(any_server, receiver.url)
    yield made
    made.admin.http.close()


def verify_logout_token(rp: Rp, item: Received, *, sid: str) -> dict[str, Any]:
    """Check ``item`` as an RP must (Back-Channel Logout 1.0 §2.6), with authlib and the
    realm's published JWKS; returns the claims."""
    assert item.path == f"/{rp.client_id}"
    assert item.content_type.startswith("application/x-www-form-urlencoded")
    jwks = httpx.get(rp.oidc("certs")).json()
    claims = JsonWebToken(["RS256"]).decode(item.token, JsonWebKey.import_key_set(jwks))
    claims.validate(leeway=5)
    assert claims.header["typ"] == "logout+jwt" and claims.header["alg"] == "RS256"
    assert claims["iss"] == rp.issuer
    assert claims["aud"] == rp.client_id
    assert claims["sub"] == rp.user_id
    assert claims["sid"] == sid
    assert claims["events"] == {LOGOUT_EVENT: {}}
    assert "nonce" not in claims
    assert claims["jti"] and claims["exp"] > claims["iat"]  # validate() checked both against now
    return dict(claims)


def refresh_fails(rp: Rp, refresh_token: str) -> bool:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    response = httpx.post(rp.oidc("token"), data=data, auth=(rp.client_id, rp.secret))
    return response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_discovery_says_back_channel_logout_is_supported_and_front_channel_is_not(rp: Rp) -> None:
    doc = httpx.get(rp.issuer + "/.well-known/openid-configuration").json()
    assert doc["backchannel_logout_supported"] is True
    assert doc["backchannel_logout_session_supported"] is True
    assert doc.get("frontchannel_logout_supported", False) is False
    assert doc.get("frontchannel_logout_session_supported", False) is False


def test_rp_initiated_logout(rp: Rp, receiver: Receiver) -> None:
    tokens = rp.password_tokens()
    params = {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": REDIRECT, "state": "s"}
    response = httpx.get(rp.oidc("logout"), params=params)
    assert response.status_code == 302 and response.headers["location"] == REDIRECT + "?state=s"
    verify_logout_token(rp, receiver.wait(1)[0], sid=tokens["session_state"])
    assert rp.session_ids() == set()


def test_refresh_token_logout_post(rp: Rp, receiver: Receiver) -> None:
    tokens = rp.password_tokens()
    data = {"refresh_token": tokens["refresh_token"]}
    response = httpx.post(rp.oidc("logout"), data=data, auth=(rp.client_id, rp.secret))
    assert response.status_code == 204
    verify_logout_token(rp, receiver.wait(1)[0], sid=tokens["session_state"])
    assert refresh_fails(rp, tokens["refresh_token"])


def test_revoking_the_only_clients_refresh_token(rp: Rp, receiver: Receiver) -> None:
    tokens = rp.password_tokens()
    data = {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"}
    assert httpx.post(rp.oidc("revoke"), data=data, auth=(rp.client_id, rp.secret)).status_code == 200
    verify_logout_token(rp, receiver.wait(1)[0], sid=tokens["session_state"])
    assert rp.session_ids() == set()


def test_revoking_an_offline_token(rp: Rp, receiver: Receiver) -> None:
    tokens = rp.password_tokens(scope="openid offline_access")
    assert unverified_claims(tokens["refresh_token"])["typ"] == "Offline"
    sid = unverified_sid(tokens["refresh_token"])  # the offline session's own id
    data = {"token": tokens["refresh_token"]}
    assert httpx.post(rp.oidc("revoke"), data=data, auth=(rp.client_id, rp.secret)).status_code == 200
    verify_logout_token(rp, receiver.wait(1)[0], sid=sid)
    assert refresh_fails(rp, tokens["refresh_token"])


def unverified_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def unverified_sid(token: str) -> str:
    sid: str = unverified_claims(token)["sid"]
    return sid


def test_admin_user_logout(rp: Rp, receiver: Receiver) -> None:
    first, second = rp.password_tokens(), rp.password_tokens()
    rp.admin.call("POST", f"/{rp.realm}/users/{rp.user_id}/logout", 204)
    got = receiver.wait(2)
    by_sid = {verify_logout_token(rp, item, sid=unverified_sid(item.token))["sid"] for item in got}
    assert by_sid == {first["session_state"], second["session_state"]}
    assert rp.session_ids() == set()


def test_admin_session_delete(rp: Rp, receiver: Receiver) -> None:
    ended, kept = rp.password_tokens(), rp.password_tokens()
    rp.admin.call("DELETE", f"/{rp.realm}/sessions/{ended['session_state']}", 204)
    verify_logout_token(rp, receiver.wait(1)[0], sid=ended["session_state"])
    assert rp.session_ids() == {kept["session_state"]}


def test_logout_all(rp: Rp, receiver: Receiver) -> None:
    bob = rp.admin.user(rp.realm, "bob", PASSWORD)
    alice_sessions = {rp.password_tokens()["session_state"] for _ in range(2)}
    data = {"grant_type": "password", "username": "bob", "password": PASSWORD, "scope": "openid"}
    bob_session = httpx.post(rp.oidc("token"), data=data, auth=(rp.client_id, rp.secret)).json()["session_state"]
    result = rp.admin.call("POST", f"/{rp.realm}/logout-all", 200).json()
    assert result["type"] == "GlobalRequestResult"
    got = receiver.wait(3)
    seen: dict[str, str] = {}
    for item in got:
        sid = unverified_sid(item.token)
        owner = bob if sid == bob_session else rp.user_id
        claims = verify_logout_token(dataclasses.replace(rp, user_id=owner), item, sid=sid)
        seen[claims["sid"]] = claims["sub"]
    assert seen == {**dict.fromkeys(alice_sessions, rp.user_id), bob_session: bob}


@pytest.mark.parametrize("down", [True, False], ids=["receiver-down", "receiver-500"])
def test_a_failing_receiver_does_not_stop_the_logout(any_server: ServerProcess, down: bool) -> None:
    failing = Receiver(status=500)
    try:
        rp = make_rp(any_server, f"http://127.0.0.1:{free_port()}" if down else failing.url)
        tokens = rp.password_tokens()
        params = {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": REDIRECT}
        assert httpx.get(rp.oidc("logout"), params=params).status_code == 302
        assert rp.session_ids() == set() and refresh_fails(rp, tokens["refresh_token"])
        sent = [] if down else [item.token for item in failing.wait(1)]
        rp.admin.http.close()
    finally:
        failing.close()
    warning = f"back-channel logout to client {rp.client_id}" + (" failed: ConnectError" if down else ": status 500")
    logs = any_server.wait_for_log(warning)
    lines = [line for line in logs.splitlines() if rp.client_id in line]
    assert any(warning in line and "WARNING" in line for line in lines), lines
    assert not any("eyJ" in line for line in lines)  # no JWT beside the client id
    assert not any(token in logs for token in sent)


def test_broker_back_channel_logout_reaches_the_brokered_sessions_clients(
    start_server: Callable[..., ServerProcess], receiver: Receiver
) -> None:
    """The slave (upstream) logs its user out and tells the master; the master ends the
    brokered session and tells ``app_client`` in turn."""
    master, slave = start_pair(start_server)
    seed = configure(master, slave)
    slave_base = f"http://localhost:{slave.port}/realms/slave_realm"
    idp_path = f"/master_realm/identity-provider/instances/{ALIAS}"
    idp = seed.master_admin.call("GET", idp_path, 200).json()
    idp["config"].update(
        issuer=slave_base, useJwksUrl="true", jwksUrl=slave.url("/realms/slave_realm/protocol/openid-connect/certs")
    )
    seed.master_admin.call("PUT", idp_path, 204, json=idp)
    upstream_client = seed.slave_admin.call("GET", "/slave_realm/clients", 200, params={"clientId": "idp_client"})
    idp_client = upstream_client.json()[0]
    idp_client["attributes"]["backchannel.logout.url"] = (
        seed.master_realm + "/protocol/openid-connect/logout/backchannel-logout"
    )
    seed.slave_admin.call("PUT", f"/slave_realm/clients/{idp_client['id']}", 204, json=idp_client)
    app = seed.master_admin.call("GET", "/master_realm/clients", 200, params={"clientId": "app_client"}).json()[0]
    app["attributes"]["backchannel.logout.url"] = f"{receiver.url}/app_client"
    seed.master_admin.call("PUT", f"/master_realm/clients/{app['id']}", 204, json=app)

    browser = Browser(stop_at=APP_REDIRECT.rsplit("/", 1)[0])
    try:
        review = sign_in_at_slave(seed, browser)
        browser.submit(review, "kc-idp-review-profile-form", email="s@example.org", firstName="S", lastName="U")
        tokens = seed.exchange(code_of(browser))
        confirm = browser.go(f"{slave_base}/protocol/openid-connect/logout")
        assert browser.submit(confirm, "kc-logout-form").status_code == 200
        user = seed.master_admin.find_user("master_realm", "slave_user")
        rp = Rp(master, seed.master_admin, "master_realm", "app_client", seed.app_secret, user["id"])
        verify_logout_token(rp, receiver.wait(1)[0], sid=tokens["session_state"])
        assert rp.session_ids() == set()
    finally:
        browser.close()
        seed.master_admin.http.close()
        seed.slave_admin.http.close()


def browser_login(rp: Rp, browser: httpx.Client, username: str, **params: str) -> str:
    """Log ``username`` in through the login form with ``browser``'s cookies; the session id."""
    query = {"client_id": rp.client_id, "response_type": "code", "scope": "openid", "redirect_uri": REDIRECT}
    page = browser.get(rp.oidc("auth"), params={**query, **params})
    assert page.status_code == 200, page.text
    done = submit_login(browser, parse_login_form(page.text), username, PASSWORD)
    assert done.status_code == 302 and done.headers["location"].startswith(REDIRECT), done.text
    return parse_qs(urlsplit(done.headers["location"]).query)["session_state"][0]


def test_a_login_as_another_user_ends_the_sso_session_and_tells_its_clients(rp: Rp, receiver: Receiver) -> None:
    bob = rp.admin.user(rp.realm, "bob", PASSWORD)
    with httpx.Client(timeout=10.0, follow_redirects=False) as browser:
        alice_session = browser_login(rp, browser, "alice")
        again = browser_login(rp, browser, "alice", prompt="login")  # the same user keeps her session
        assert again == alice_session and receiver.received == []
        bob_session = browser_login(rp, browser, "bob", prompt="login")
    assert bob_session != alice_session
    verify_logout_token(rp, receiver.wait(1)[0], sid=alice_session)
    assert rp.session_ids() == set()
    bob_sessions = rp.admin.call("GET", f"/{rp.realm}/users/{bob}/sessions", 200).json()
    assert [s["id"] for s in bob_sessions] == [bob_session]


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_an_expired_session_is_swept_and_its_clients_told(
    start_server: Callable[..., ServerProcess], receiver: Receiver, db: str
) -> None:
    server = start_server(db=db, args=["--expiry-sweep-interval", "1"])
    rp = make_rp(server, receiver.url)
    rp.admin.call("PUT", f"/{rp.realm}", 204, json={"ssoSessionIdleTimeout": 2})
    expiring, offline = rp.password_tokens(), rp.password_tokens(scope="openid offline_access")
    started = time.monotonic()
    got = receiver.wait(1)  # the online session only: the offline one has its own idle timeout
    assert time.monotonic() - started >= 1.0
    verify_logout_token(rp, got[0], sid=expiring["session_state"])
    assert rp.session_ids() == set()
    assert refresh_fails(rp, expiring["refresh_token"])
    data = {"grant_type": "refresh_token", "refresh_token": offline["refresh_token"]}
    assert httpx.post(rp.oidc("token"), data=data, auth=(rp.client_id, rp.secret)).status_code == 200
    assert "expiry sweep ended 1 session(s)" in server.wait_for_log("expiry sweep ended")
    rp.admin.http.close()


def test_browser_logout_after_the_confirmation_page(rp: Rp, receiver: Receiver) -> None:
    """A browser with the SSO cookie opens the logout URL without a hint and confirms."""
    with httpx.Client(timeout=10.0, follow_redirects=False) as browser:
        sid = browser_login(rp, browser, "alice")
        page = browser.get(rp.oidc("logout"))
        assert page.status_code == 200 and 'id="kc-logout-form"' in page.text
        code = re.search(r'name="session_code" value="([^"]+)"', page.text)
        assert code, page.text
        done = browser.post(rp.oidc("logout"), data={"session_code": code.group(1)})
        assert done.status_code == 200, done.text
    verify_logout_token(rp, receiver.wait(1)[0], sid=sid)
    assert rp.session_ids() == set()
