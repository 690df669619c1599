"""The GitHub provider's pure parts: URLs from ``baseUrl``/``apiUrl``, save-time checks, the
authorization redirect, and reading the profile and the emails list."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from realmgate.broker.connector import ClientRequest
from realmgate.broker.errors import ConfigInvalid, UpstreamError
from realmgate.broker.github.config import parse_github_config, validate_github_config
from realmgate.broker.github.connector import identity_from_profile, primary_verified_email, profile_id
from realmgate.broker.oidc.login_request import build_login_request
from realmgate.broker.oidc.token_client import parse_token_response
from realmgate.crypto.secrets import SYSTEM
from realmgate.model.identity_provider import IdentityProvider


def test_github_com_defaults() -> None:
    cfg = parse_github_config("github", {"clientId": "c", "clientSecret": "s", "logoutUrl": "https://x/logout"})
    assert cfg.oauth2.authorization_url == "https://github.com/login/oauth/authorize"
    assert cfg.oauth2.token_url == "https://github.com/login/oauth/access_token"
    assert (cfg.profile_url, cfg.emails_url) == ("https://api.github.com/user", "https://api.github.com/user/emails")
    assert cfg.oauth2.default_scope == "user:email"
    assert cfg.oauth2.logout_url is None  # GitHub has no logout endpoint, whatever the map says


def test_enterprise_urls_drop_one_trailing_slash_and_scope_is_kept_as_set() -> None:
    config = {"clientId": "c", "baseUrl": "https://ghe.example/", "apiUrl": " https://ghe.example/api/v3/ "}
    cfg = parse_github_config("github", {**config, "defaultScope": "read:user user:email"})
    assert cfg.oauth2.token_url == "https://ghe.example/login/oauth/access_token"
    assert cfg.emails_url == "https://ghe.example/api/v3/user/emails"
    assert cfg.oauth2.default_scope == "read:user user:email"  # no "openid" added: not OIDC


def test_unusable_config() -> None:
    with pytest.raises(ConfigInvalid):
        parse_github_config("github", {})
    with pytest.raises(ConfigInvalid):
        parse_github_config("oidc", {"clientId": "c"})


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"baseUrl": "http://ghe.example.com"}, "The url [baseUrl] requires secure connections"),
        ({"apiUrl": "ghe"}, "The url [apiUrl] is malformed"),
        ({"syncMode": "SOMETIMES"}, "Invalid sync mode: SOMETIMES"),
        ({"clientAuthMethod": "tls"}, "Unsupported client authentication method: tls"),
    ],
)
def test_save_time_checks(config: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigInvalid) as err:
        validate_github_config("github", {"clientId": "c", **config})
    assert err.value.message == message


def test_save_accepts_local_http_and_no_client_id() -> None:
    validate_github_config("github", {"baseUrl": "http://127.0.0.1:8080", "apiUrl": ""})
    validate_github_config("github", {})


def test_authorization_redirect() -> None:
    cfg = parse_github_config("github", {"clientId": "Iv1.x", "baseUrl": "https://ghe.example"}).oauth2
    login = build_login_request(cfg, redirect_uri="https://rg/endpoint", client=ClientRequest(), ids=SYSTEM)
    assert login.url.startswith("https://ghe.example/login/oauth/authorize?")
    params = dict(parse_qsl(urlsplit(login.url).query))
    assert (params["scope"], params["client_id"], params["response_type"]) == ("user:email", "Iv1.x", "code")
    assert params["state"] == login.state and params["redirect_uri"] == "https://rg/endpoint"


def test_primary_verified_email() -> None:
    assert (
        primary_verified_email(
            [
                {"email": "a@x", "primary": False, "verified": True},
                {"email": "b@x", "primary": True, "verified": True},
            ]
        )
        == "b@x"
    )
    assert primary_verified_email([{"email": "b@x", "primary": True, "verified": False}]) is None
    assert primary_verified_email(["b@x", {"primary": "true", "verified": "true", "email": "c@x"}]) is None
    assert primary_verified_email([]) is None


def test_profile_id_is_text_and_required() -> None:
    assert profile_id({"id": 583231}) == "583231"
    for bad in ({}, {"id": True}, {"id": ""}, {"id": {"n": 1}}, {"id": None}):
        with pytest.raises(UpstreamError):
            profile_id(bad)


def test_identity_from_profile() -> None:
    idp = IdentityProvider(internal_id="i", realm_id="r", alias="gh", provider_id="github")
    tokens = parse_token_response({"access_token": "gho_x", "token_type": "bearer", "scope": "user:email"}, now=0)
    profile: dict[str, object] = {"id": 1, "login": "octocat", "name": "Mona Lisa Octocat"}
    identity = identity_from_profile(idp, profile, email="o@x", email_verified=True, tokens=tokens)
    assert (identity.id, identity.username, identity.broker_user_id) == ("1", "octocat", "gh.1")
    assert (identity.first_name, identity.last_name) == ("Mona Lisa", "Octocat")
    assert identity.userinfo_claims == profile and identity.id_token is None and identity.session_id is None
    assert identity.token is not None and "gho_x" in identity.token
    nameless = identity_from_profile(idp, {"id": 2}, email=None, email_verified=None, tokens=tokens)
    assert (nameless.username, nameless.first_name, nameless.last_name) == ("2", None, None)
