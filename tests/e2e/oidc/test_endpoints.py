"""Discovery, JWKS, realm info, CORS, logout variants, revocation and keycloak-js helper pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from tests.e2e.harness import ServerProcess
from tests.e2e.oidc.browser import (
    CLIENT_ID,
    REALM,
    REDIRECT_URI,
    SECRET,
    auth_url,
    login,
    oidc_url,
    pkce_pair,
)
from tests.e2e.oidc.conftest import REALM_FILE

from realmgate.crypto import jws

SPA_ORIGIN = "http://localhost:3000"


def password_tokens(server: ServerProcess) -> dict[str, str]:
    response = httpx.post(
        oidc_url(server, "token"),
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "password", "username": "alice", "password": "alice-password", "scope": "openid"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def test_discovery_lists_only_what_is_supported(oidc_server: ServerProcess) -> None:
    for name in ("openid-configuration", "oauth-authorization-server"):
        response = httpx.get(oidc_server.url(f"/realms/{REALM}/.well-known/{name}"))
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        doc = response.json()
        assert doc["issuer"] == oidc_server.url(f"/realms/{REALM}")
        types = doc["response_types_supported"]
        assert types[:2] == ["code", "none"] and {"id_token token", "code id_token"} <= set(types)
        assert set(doc["grant_types_supported"]) == {
            "authorization_code",
            "refresh_token",
            "password",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code",
        }
        assert doc["code_challenge_methods_supported"] == ["plain", "S256"]
        assert doc["authorization_response_iss_parameter_supported"] is True
        assert "openid" in doc["scopes_supported"] and "RS256" in doc["id_token_signing_alg_values_supported"]
        assert doc["request_parameter_supported"] is False


def test_frontend_hostname_for_browser_endpoints_backend_for_the_rest(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server(import_realm=REALM_FILE, args=["--hostname", "https://sso.example.com"])
    doc = httpx.get(server.url(f"/realms/{REALM}/.well-known/openid-configuration")).json()
    assert doc["issuer"] == f"https://sso.example.com/realms/{REALM}"
    assert doc["authorization_endpoint"].startswith("https://sso.example.com/")
    assert doc["end_session_endpoint"].startswith("https://sso.example.com/")
    for key in ("token_endpoint", "userinfo_endpoint", "jwks_uri", "introspection_endpoint"):
        assert doc[key].startswith(server.base_url + "/"), key
    # Tokens fetched over the back channel still carry the public issuer.
    tokens = httpx.post(
        server.url(f"/realms/{REALM}/protocol/openid-connect/token"),
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "client_credentials"},
    ).json()
    assert jws.unverified_claims(tokens["access_token"])["iss"] == doc["issuer"]


def test_certs_are_exactly_the_enabled_public_keys(oidc_server: ServerProcess) -> None:
    response = httpx.get(oidc_url(oidc_server, "certs"))
    assert response.headers["content-type"] == "application/json"
    keys = response.json()["keys"]
    assert sorted((k["alg"], k["use"], k["kty"]) for k in keys) == [("RS256", "sig", "RSA"), ("RSA-OAEP", "enc", "RSA")]
    assert all(k["kid"] and "d" not in k for k in keys)
    token = password_tokens(oidc_server)["access_token"]
    assert jws.unverified_header(token)["kid"] in {k["kid"] for k in keys}


def test_realm_info(oidc_server: ServerProcess) -> None:
    info = httpx.get(oidc_server.url(f"/realms/{REALM}")).json()
    base = oidc_server.url(f"/realms/{REALM}")
    assert info["realm"] == REALM and info["tokens-not-before"] == 0
    assert info["token-service"] == f"{base}/protocol/openid-connect"
    assert info["account-service"] == f"{base}/account"
    assert re.fullmatch(r"[A-Za-z0-9+/]+=*", info["public_key"])


def test_cors_follows_the_clients_web_origins(oidc_server: ServerProcess) -> None:
    data = {"grant_type": "password", "client_id": "spa", "username": "alice", "password": "alice-password"}
    allowed = httpx.post(oidc_url(oidc_server, "token"), data=data, headers={"origin": SPA_ORIGIN})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == SPA_ORIGIN
    other = httpx.post(oidc_url(oidc_server, "token"), data=data, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = httpx.options(
        oidc_url(oidc_server, "token"), headers={"origin": SPA_ORIGIN, "access-control-request-method": "POST"}
    )
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
    info = httpx.get(
        oidc_url(oidc_server, "userinfo"),
        headers={"authorization": f"Bearer {allowed.json()['access_token']}", "origin": SPA_ORIGIN},
    )
    assert info.headers["access-control-allow-origin"] == SPA_ORIGIN


def test_introspection_needs_client_authentication(oidc_server: ServerProcess) -> None:
    token = password_tokens(oidc_server)["access_token"]
    response = httpx.post(oidc_url(oidc_server, "token/introspect"), data={"token": token})
    assert response.status_code in (400, 401) and response.json()["error"] == "invalid_client"
    wrong = httpx.post(oidc_url(oidc_server, "token/introspect"), data={"token": token}, auth=(CLIENT_ID, "nope"))
    assert wrong.status_code == 401


def test_revoking_a_refresh_token_ends_the_client_session(oidc_server: ServerProcess) -> None:
    tokens = password_tokens(oidc_server)
    revoked = httpx.post(
        oidc_url(oidc_server, "revoke"),
        auth=(CLIENT_ID, SECRET),
        data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
    )
    assert revoked.status_code == 200
    refresh = httpx.post(
        oidc_url(oidc_server, "token"),
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"
    info = httpx.get(oidc_url(oidc_server, "userinfo"), headers={"authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 401
    junk = httpx.post(oidc_url(oidc_server, "revoke"), auth=(CLIENT_ID, SECRET), data={"token": "junk"})
    assert junk.status_code == 200  # RFC 7009 §2.2: invalid tokens are not an error


def test_backchannel_post_logout(oidc_server: ServerProcess) -> None:
    tokens = password_tokens(oidc_server)
    response = httpx.post(
        oidc_url(oidc_server, "logout"), auth=(CLIENT_ID, SECRET), data={"refresh_token": tokens["refresh_token"]}
    )
    assert response.status_code == 204
    refresh = httpx.post(
        oidc_url(oidc_server, "token"),
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refresh.json() == {"error": "invalid_grant", "error_description": "Session not active"}


def test_logout_without_hint_asks_for_confirmation(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    _, challenge = pkce_pair()
    login(browser, auth_url(oidc_server.base_url, code_challenge=challenge, code_challenge_method="S256"))
    page = browser.get(oidc_url(oidc_server, "logout"))
    assert page.status_code == 200 and 'id="kc-logout"' in page.text
    code = re.search(r'name="session_code" value="([^"]+)"', page.text)
    assert code is not None
    # Still logged in until confirmed.
    silent = browser.get(
        auth_url(oidc_server.base_url, code_challenge=challenge, code_challenge_method="S256", prompt="none")
    )
    assert "code=" in silent.headers["location"]
    done = browser.post(oidc_url(oidc_server, "logout"), data={"session_code": code.group(1)})
    assert done.status_code == 200 and "You are logged out" in done.text
    after = browser.get(
        auth_url(oidc_server.base_url, code_challenge=challenge, code_challenge_method="S256", prompt="none")
    )
    assert "error=login_required" in after.headers["location"]


def test_logout_refuses_unregistered_post_logout_redirect(oidc_server: ServerProcess, browser: httpx.Client) -> None:
    response = browser.get(
        oidc_url(oidc_server, "logout"),
        params={"client_id": CLIENT_ID, "post_logout_redirect_uri": "https://evil.example/"},
    )
    assert response.status_code == 400 and "location" not in response.headers
    no_client = browser.get(oidc_url(oidc_server, "logout"), params={"post_logout_redirect_uri": REDIRECT_URI})
    assert no_client.status_code == 400


def test_keycloak_js_helper_pages(oidc_server: ServerProcess) -> None:
    for page in ("login-status-iframe.html", "3p-cookies/step1.html", "3p-cookies/step2.html"):
        response = httpx.get(oidc_url(oidc_server, page))
        assert response.status_code == 200 and "<script>" in response.text
        assert "script-src 'sha256-" in response.headers["content-security-policy"]
    init = oidc_url(oidc_server, "login-status-iframe.html/init")
    assert httpx.get(init, params={"client_id": "spa", "origin": SPA_ORIGIN}).status_code == 204
    assert httpx.get(init, params={"client_id": "spa", "origin": "https://evil.example"}).status_code == 403


def test_metrics_count_logins_and_tokens(oidc_server: ServerProcess) -> None:
    password_tokens(oidc_server)
    text = httpx.get(oidc_server.url("/metrics")).text
    assert re.search(r'realmgate_logins_total\{result="success"\} [1-9]', text)
    assert re.search(r'realmgate_tokens_issued_total\{grant_type="password"\} [1-9]', text)
