"""python-keycloak's ``KeycloakOpenID`` against realmgate: discovery, grants, validation, logout."""

from __future__ import annotations

import httpx
import pytest
from keycloak.exceptions import KeycloakAuthenticationError, KeycloakPostError
from tests.e2e.harness import ServerProcess
from tests.e2e.oidc.browser import CLIENT_ID, REALM, REDIRECT_URI, SECRET, login, pkce_pair

from keycloak import KeycloakOpenID


@pytest.fixture
def kc(oidc_server: ServerProcess) -> KeycloakOpenID:
    return KeycloakOpenID(
        server_url=oidc_server.base_url + "/", realm_name=REALM, client_id=CLIENT_ID, client_secret_key=SECRET
    )


def test_password_grant_userinfo_refresh_introspect_logout(kc: KeycloakOpenID, oidc_server: ServerProcess) -> None:
    well_known = kc.well_known()
    assert well_known["issuer"] == oidc_server.url(f"/realms/{REALM}")
    tokens = kc.token("alice", "alice-password")
    assert tokens["token_type"] == "Bearer" and tokens["scope"] == "openid profile email"
    decoded = kc.decode_token(tokens["access_token"], validate=True)  # signature and exp against certs
    assert decoded["preferred_username"] == "alice" and decoded["azp"] == CLIENT_ID
    id_token = kc.decode_token(tokens["id_token"], validate=True)
    assert id_token["aud"] == CLIENT_ID
    info = kc.userinfo(tokens["access_token"])
    assert isinstance(info, dict)
    assert info == {**info, "sub": decoded["sub"], "email": "alice@example.com", "name": "Alice Liddell"}
    refreshed = kc.refresh_token(tokens["refresh_token"])
    assert refreshed["session_state"] == tokens["session_state"]
    assert kc.introspect(refreshed["access_token"])["active"] is True
    kc.logout(refreshed["refresh_token"])
    assert kc.introspect(refreshed["access_token"]) == {"active": False}
    with pytest.raises(KeycloakPostError) as caught:
        kc.refresh_token(refreshed["refresh_token"])
    assert "Session not active" in str(caught.value)


def test_public_key_is_the_realm_rs256_key(kc: KeycloakOpenID) -> None:
    assert kc.public_key().startswith("MII")
    keys = kc.certs()["keys"]
    assert {(k["alg"], k["use"]) for k in keys} >= {("RS256", "sig"), ("RSA-OAEP", "enc")}
    assert all("d" not in k and "k" not in k for k in keys)


def test_client_credentials(kc: KeycloakOpenID) -> None:
    tokens = kc.token(grant_type="client_credentials")
    assert "refresh_token" not in tokens and tokens["refresh_expires_in"] == 0
    assert kc.decode_token(tokens["access_token"])["preferred_username"] == "service-account-web-app"


def test_wrong_credentials(oidc_server: ServerProcess, kc: KeycloakOpenID) -> None:
    with pytest.raises(KeycloakAuthenticationError):
        kc.token("alice", "wrong")
    bad = KeycloakOpenID(
        server_url=oidc_server.base_url + "/", realm_name=REALM, client_id=CLIENT_ID, client_secret_key="wrong"
    )
    with pytest.raises(KeycloakAuthenticationError):
        bad.token("alice", "alice-password")


def test_authorization_code_via_auth_url(kc: KeycloakOpenID, browser: httpx.Client) -> None:
    verifier, challenge = pkce_pair()
    url = kc.auth_url(
        REDIRECT_URI,
        scope="openid email",
        state="kc-state",
        nonce="kc-nonce",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    params = login(browser, url)
    assert params["state"] == "kc-state"
    tokens = kc.token(
        grant_type="authorization_code", code=params["code"], redirect_uri=REDIRECT_URI, code_verifier=verifier
    )
    assert kc.decode_token(tokens["id_token"])["nonce"] == "kc-nonce"
