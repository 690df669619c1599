"""The upstream authorization redirect."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

from realmgate.broker.connector import ClientRequest, UpstreamLogin
from realmgate.broker.oidc.config import parse_config
from realmgate.broker.oidc.login_request import broker_endpoint_url, build_login_request
from realmgate.crypto.secrets import SYSTEM

BASE = {
    "authorizationUrl": "http://localhost:8081/realms/slave_realm/protocol/openid-connect/auth",
    "tokenUrl": "http://127.0.0.1:8081/token",
    "clientId": "idp_client",
}
REDIRECT = broker_endpoint_url("http://localhost:8080/", "master_realm", "slave")


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_redirect_uri_is_the_broker_endpoint() -> None:
    assert REDIRECT == "http://localhost:8080/realms/master_realm/broker/slave/endpoint"


def test_minimal_request_has_keycloaks_parameters() -> None:
    login = build_login_request(parse_config("oidc", BASE), redirect_uri=REDIRECT, client=ClientRequest(), ids=SYSTEM)
    assert login.url.startswith(BASE["authorizationUrl"] + "?")
    q = _query(login.url)
    assert q == {
        "scope": "openid",
        "state": login.state,
        "response_type": "code",
        "client_id": "idp_client",
        "redirect_uri": REDIRECT,
        "nonce": login.nonce,
    }
    assert login.code_verifier is None and login.max_age is None
    assert len(login.state) >= 40 and len(login.nonce or "") >= 40


def test_each_login_gets_fresh_secrets() -> None:
    cfg = parse_config("oidc", BASE)
    a = build_login_request(cfg, redirect_uri=REDIRECT, client=ClientRequest(), ids=SYSTEM)
    b = build_login_request(cfg, redirect_uri=REDIRECT, client=ClientRequest(), ids=SYSTEM)
    assert a.state != b.state and a.nonce != b.nonce


def test_disable_nonce_and_short_state() -> None:
    cfg = parse_config("oidc", {**BASE, "disableNonce": "true", "requiresShortStateParameter": "true"})
    login = build_login_request(cfg, redirect_uri=REDIRECT, client=ClientRequest(), ids=SYSTEM)
    assert "nonce" not in _query(login.url) and login.nonce is None
    assert len(login.state) < 30


def test_pkce_s256_and_plain() -> None:
    cfg = parse_config("oidc", {**BASE, "pkceEnabled": "true", "pkceMethod": "S256"})
    login = build_login_request(cfg, redirect_uri=REDIRECT, client=ClientRequest(), ids=SYSTEM)
    q = _query(login.url)
    assert login.code_verifier is not None and 43 <= len(login.code_verifier) <= 128
    digest = hashlib.sha256(login.code_verifier.encode()).digest()
    assert q["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert q["code_challenge_method"] == "S256"
    plain = build_login_request(
        parse_config("oidc", {**BASE, "pkceEnabled": "true", "pkceMethod": "plain"}),
        redirect_uri=REDIRECT,
        client=ClientRequest(),
        ids=SYSTEM,
    )
    assert _query(plain.url)["code_challenge"] == plain.code_verifier


def test_client_hints_travel_only_when_configured() -> None:
    client = ClientRequest(
        login_hint="alice",
        max_age=60,
        prompt="login",
        locale="de",
        parameters={"acr_values": "gold", "claims": "{}", "state": "evil"},
    )
    off = _query(build_login_request(parse_config("oidc", BASE), redirect_uri=REDIRECT, client=client, ids=SYSTEM).url)
    assert off["prompt"] == "login"  # the client's prompt is forwarded when none is configured
    assert off["acr_values"] == "gold"  # forwardParameters defaults to acr_values
    assert "login_hint" not in off and "max_age" not in off and "ui_locales" not in off
    assert "claims" not in off
    cfg = parse_config(
        "oidc",
        {
            **BASE,
            "loginHint": "true",
            "passMaxAge": "true",
            "uiLocales": "true",
            "prompt": "consent",
            "defaultScope": "profile email",
            "forwardParameters": "claims,state",
        },
    )
    login = build_login_request(cfg, redirect_uri=REDIRECT, client=client, ids=SYSTEM)
    on = _query(login.url)
    assert on["login_hint"] == "alice" and on["max_age"] == "60" and on["ui_locales"] == "de"
    assert on["prompt"] == "consent"  # configured prompt wins
    assert on["scope"] == "openid profile email"
    assert on["claims"] == "{}"
    assert on["state"] == login.state  # a forwarded parameter never overrides the broker's own
    assert "acr_values" not in on
    assert login.max_age == 60


def test_existing_query_in_authorization_url_is_kept() -> None:
    cfg = parse_config("oidc", {**BASE, "authorizationUrl": "https://idp.example/auth?tenant=7"})
    login = build_login_request(cfg, redirect_uri=REDIRECT, client=ClientRequest(), ids=SYSTEM)
    assert login.url.startswith("https://idp.example/auth?tenant=7&")
    assert _query(login.url)["tenant"] == "7"


def test_login_secrets_round_trip_through_json() -> None:
    cfg = parse_config("oidc", {**BASE, "pkceEnabled": "true", "pkceMethod": "S256", "passMaxAge": "true"})
    login = build_login_request(cfg, redirect_uri=REDIRECT, client=ClientRequest(max_age=5), ids=SYSTEM)
    assert UpstreamLogin.from_json(login.to_json()) == login


def test_prompt_none_travels_only_when_the_provider_accepts_it() -> None:
    client = ClientRequest(prompt="none")
    refused = build_login_request(parse_config("oidc", BASE), redirect_uri=REDIRECT, client=client, ids=SYSTEM)
    assert "prompt" not in _query(refused.url)
    accepts = parse_config("oidc", {**BASE, "acceptsPromptNoneForwardFromClient": "true"})
    assert (
        _query(build_login_request(accepts, redirect_uri=REDIRECT, client=client, ids=SYSTEM).url)["prompt"] == "none"
    )
