"""Two server instances on one database act as one server.

A round-robin "load balancer" (an httpx transport) sends each request to the next instance in
turn, while the request keeps the one public address both answer for (its ``Host`` header, as a
proxy forwards it): the login page comes from one instance, the form post goes to the other, the
code is exchanged at the first, and so on through refresh, userinfo, introspection, ``prompt=none``,
admin writes and reads, client and realm changes, a new realm key and logout. Every test checks
that the requests did alternate. On PostgreSQL and on one SQLite file (two processes, one host).

A token names the public URL it was issued through (``iss``); like Keycloak, an instance refuses
a token whose issuer is not the URL it is reached by, so instances that serve together share one
public URL (``--hostname``, or a proxy that forwards the same ``Host``): the last test shows it.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tests.e2e.harness import ADMIN_PASSWORD, ADMIN_USER, ServerProcess, start_server
from tests.e2e.oidc.browser import (
    CLIENT_ID,
    REALM,
    REDIRECT_URI,
    SECRET,
    auth_url,
    callback_params,
    parse_login_form,
    pkce_pair,
    submit_login,
)
from tests.e2e.oidc.conftest import REALM_FILE

from realmgate.crypto import jws


class RoundRobin(httpx.BaseTransport):
    """Each request to the next instance's port; the URL's host (and so ``Host``) is kept."""

    def __init__(self, servers: tuple[ServerProcess, ...]) -> None:
        self._ports = [s.port for s in servers]
        self._inner = httpx.HTTPTransport()
        self._lock = threading.Lock()  # requests may come from several threads
        self.served: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            port = self._ports[len(self.served) % len(self._ports)]
            self.served.append(port)
        request.url = request.url.copy_with(port=port)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@dataclass
class Pair:
    first: ServerProcess
    second: ServerProcess

    @property
    def public(self) -> str:
        """The one public URL (the first instance's address, which the balancer answers on)."""
        return self.first.base_url

    def oidc(self, path: str) -> str:
        return f"{self.public}/realms/{REALM}/protocol/openid-connect/{path}"

    def admin(self, path: str) -> str:
        return f"{self.public}/admin/realms/{REALM}{path}"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def pair(request: pytest.FixtureRequest) -> Iterator[Pair]:
    first = start_server(db=request.param, import_realm=REALM_FILE)
    second = start_server(db_url=first.db_url)
    yield Pair(first, second)
    second.stop(drop_database=False)
    first.stop()


@pytest.fixture
def balancer(pair: Pair) -> Iterator[tuple[httpx.Client, RoundRobin]]:
    transport = RoundRobin((pair.first, pair.second))
    with httpx.Client(transport=transport, timeout=15.0) as client:  # cookies: one host
        yield client, transport
    ports = transport.served
    assert len(ports) >= 2 and all(a != b for a, b in itertools.pairwise(ports)), ports


def _login(client: httpx.Client, pair: Pair, **extra: str) -> dict[str, Any]:
    """Auth page, form post, code exchange: three requests, so three instance switches."""
    verifier, challenge = pkce_pair()
    page = client.get(auth_url(pair.public, code_challenge=challenge, code_challenge_method="S256", **extra))
    assert page.status_code == 200, page.text
    params = callback_params(submit_login(client, parse_login_form(page.text), "alice", "alice-password"))
    return _exchange(client, pair, params["code"], verifier)


def _exchange(client: httpx.Client, pair: Pair, code: str, verifier: str) -> dict[str, Any]:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": verifier}
    response = client.post(pair.oidc("token"), auth=(CLIENT_ID, SECRET), data=data)
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def _twice(call: Any) -> list[httpx.Response]:
    """The same request at both instances (the balancer alternates)."""
    return [call(), call()]


def _admin_headers(client: httpx.Client, pair: Pair) -> dict[str, str]:
    response = client.post(
        f"{pair.public}/realms/master/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "admin-cli", "username": ADMIN_USER, "password": ADMIN_PASSWORD},
    )
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['access_token']}"}


def test_login_refresh_userinfo_introspection_sso_and_logout_alternate(
    pair: Pair, balancer: tuple[httpx.Client, RoundRobin]
) -> None:
    client, _ = balancer
    tokens = _login(client, pair)
    bearer = {"authorization": f"Bearer {tokens['access_token']}"}
    for answer in _twice(lambda: client.get(pair.oidc("userinfo"), headers=bearer)):
        assert answer.status_code == 200 and answer.json()["preferred_username"] == "alice", answer.text

    def refresh(token: str) -> httpx.Response:
        data = {"grant_type": "refresh_token", "refresh_token": token}
        return client.post(pair.oidc("token"), auth=(CLIENT_ID, SECRET), data=data)

    refreshed = refresh(tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    again = refresh(refreshed.json()["refresh_token"])  # the token the other instance issued
    assert again.status_code == 200, again.text

    def introspect(token: str) -> httpx.Response:
        return client.post(pair.oidc("token/introspect"), auth=(CLIENT_ID, SECRET), data={"token": token})

    for token in (again.json()["access_token"], again.json()["refresh_token"]):
        for answer in _twice(lambda t=token: introspect(t)):
            assert answer.json()["active"] is True, answer.text

    # The SSO session made through one instance lets the other answer prompt=none.
    verifier, challenge = pkce_pair()
    silent = client.get(auth_url(pair.public, prompt="none", code_challenge=challenge, code_challenge_method="S256"))
    sso = _exchange(client, pair, callback_params(silent)["code"], verifier)
    assert jws.unverified_claims(sso["id_token"])["sid"] == jws.unverified_claims(tokens["id_token"])["sid"]

    # RP-initiated logout at one instance ends the session at both.
    logout = client.get(pair.oidc("logout"), params={"id_token_hint": sso["id_token"]})
    assert logout.status_code == 200, logout.text
    for answer in _twice(lambda: client.get(pair.oidc("userinfo"), headers=bearer)):
        assert answer.status_code == 401
    for answer in _twice(lambda: refresh(again.json()["refresh_token"])):
        assert answer.json()["error"] == "invalid_grant"
    for answer in _twice(lambda: introspect(again.json()["access_token"])):
        assert answer.json() == {"active": False}
    for answer in _twice(
        lambda: client.get(auth_url(pair.public, prompt="none", code_challenge=challenge, code_challenge_method="S256"))
    ):
        assert callback_params(answer)["error"] == "login_required"


def test_admin_writes_at_one_instance_are_read_and_enforced_at_the_other(
    pair: Pair, balancer: tuple[httpx.Client, RoundRobin]
) -> None:
    client, _ = balancer
    headers = _admin_headers(client, pair)
    created = client.post(pair.admin("/users"), headers=headers, json={"username": "carol", "enabled": True})
    assert created.status_code == 201, created.text
    user_url = created.headers["location"]
    assert client.get(user_url, headers=headers).json()["username"] == "carol"
    update = client.put(user_url, headers=headers, json={"firstName": "Carol"})
    assert update.status_code == 204, update.text
    assert client.get(user_url, headers=headers).json()["firstName"] == "Carol"
    assert client.delete(user_url, headers=headers).status_code == 204
    assert client.get(user_url, headers=headers).status_code == 404

    found = client.get(pair.admin("/clients"), headers=headers, params={"clientId": CLIENT_ID}).json()
    client_url = pair.admin(f"/clients/{found[0]['id']}")
    original = client.get(client_url, headers=headers).json()
    moved = "http://127.0.0.1:9999/moved"
    try:
        changed = {**original, "redirectUris": [moved]}
        assert client.put(client_url, headers=headers, json=changed).status_code == 204
        _, challenge = pkce_pair()
        for answer in _twice(
            lambda: client.get(auth_url(pair.public, code_challenge=challenge, code_challenge_method="S256"))
        ):
            assert answer.status_code == 400 and "location" not in answer.headers  # the error page
        for answer in _twice(
            lambda: client.get(
                auth_url(pair.public, redirect_uri=moved, code_challenge=challenge, code_challenge_method="S256")
            )
        ):
            assert answer.status_code == 200 and "kc-form-login" in answer.text

        disabled = {**original, "enabled": False}
        assert client.put(client_url, headers=headers, json=disabled).status_code == 204
        grant = {"grant_type": "client_credentials"}
        for answer in _twice(lambda: client.post(pair.oidc("token"), auth=(CLIENT_ID, SECRET), data=grant)):
            assert answer.status_code in (400, 401) and answer.json()["error"], answer.text
    finally:
        assert client.put(client_url, headers=headers, json=original).status_code == 204
    for answer in _twice(lambda: client.post(pair.oidc("token"), auth=(CLIENT_ID, SECRET), data=grant)):
        assert answer.status_code == 200, answer.text


def test_a_realm_key_made_at_one_instance_is_published_and_used_by_the_other(
    pair: Pair, balancer: tuple[httpx.Client, RoundRobin]
) -> None:
    client, _ = balancer
    headers = _admin_headers(client, pair)
    realm_url = pair.admin("")
    before = {k["kid"] for k in client.get(pair.oidc("certs")).json()["keys"]}
    try:
        # No ES256 key yet: the next token makes one (at whichever instance serves it).
        assert client.put(realm_url, headers=headers, json={"defaultSignatureAlgorithm": "ES256"}).status_code == 204
        grant = {"grant_type": "client_credentials"}
        with ThreadPoolExecutor(max_workers=8) as pool:  # first tokens at both instances at once
            issued = list(
                pool.map(lambda _: client.post(pair.oidc("token"), auth=(CLIENT_ID, SECRET), data=grant), range(8))
            )
        kids = {jws.unverified_header(r.json()["access_token"])["kid"] for r in issued}
        assert len(kids) == 1 and not kids & before, kids  # one new key, used by both instances
        for certs in _twice(lambda: client.get(pair.oidc("certs"))):
            published = {k["kid"]: k for k in certs.json()["keys"]}
            assert kids <= published.keys() and published[next(iter(kids))]["alg"] == "ES256"
        token = issued[-1].json()["access_token"]
        for answer in _twice(
            lambda: client.post(pair.oidc("token/introspect"), auth=(CLIENT_ID, SECRET), data={"token": token})
        ):
            assert answer.json()["active"] is True
        realm_keys = client.get(realm_url + "/keys", headers=headers).json()["keys"]
        assert [k["algorithm"] for k in realm_keys].count("ES256") == 1
    finally:
        assert client.put(realm_url, headers=headers, json={"defaultSignatureAlgorithm": "RS256"}).status_code == 204


def test_concurrent_logins_at_both_instances_all_succeed(pair: Pair, balancer: tuple[httpx.Client, RoundRobin]) -> None:
    """Writes from both processes at once (on SQLite they take turns on the file's write lock):
    none fails, and every session they made is seen at both."""
    client, _ = balancer
    headers = _admin_headers(client, pair)
    password = [{"type": "password", "value": "dora-password", "temporary": False}]
    rep = {"username": "dora", "enabled": True, "credentials": password}
    user_url = client.post(pair.admin("/users"), headers=headers, json=rep).headers["location"]
    data = {"grant_type": "password", "username": "dora", "password": "dora-password", "scope": "openid"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: client.post(pair.oidc("token"), auth=(CLIENT_ID, SECRET), data=data), range(24))
        )
    assert [a.status_code for a in answers] == [200] * 24, [a.text for a in answers if a.status_code != 200]
    for listed in _twice(lambda: client.get(f"{user_url}/sessions", headers=headers)):
        assert len(listed.json()) == 24


def test_instances_reached_by_different_urls_refuse_each_others_tokens(pair: Pair) -> None:
    """What the issue saw: each instance on its own address issues tokens naming that address,
    and the other refuses them (Keycloak checks the issuer the same way)."""
    data = {"grant_type": "password", "username": "alice", "password": "alice-password", "scope": "openid"}
    tokens = httpx.post(
        pair.second.url(f"/realms/{REALM}/protocol/openid-connect/token"), auth=(CLIENT_ID, SECRET), data=data
    ).json()
    assert jws.unverified_claims(tokens["access_token"])["iss"] == pair.second.url(f"/realms/{REALM}")
    bearer = {"authorization": f"Bearer {tokens['access_token']}"}
    own = httpx.get(pair.second.url(f"/realms/{REALM}/protocol/openid-connect/userinfo"), headers=bearer)
    other = httpx.get(pair.first.url(f"/realms/{REALM}/protocol/openid-connect/userinfo"), headers=bearer)
    assert own.status_code == 200 and other.status_code == 401
    assert "instances serving together need one public URL" in pair.first.wait_for_log("one public URL")
