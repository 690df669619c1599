"""The typed config view, save-time validation and secret masking."""

from __future__ import annotations

import pytest

from realmgate.broker.errors import ConfigInvalid
from realmgate.broker.oidc.config import (
    SECRET_MASK,
    mask_config,
    merge_secret_on_update,
    parse_config,
    validate_config,
)

BASE = {
    "authorizationUrl": "http://localhost:8081/realms/slave_realm/protocol/openid-connect/auth",
    "tokenUrl": "http://127.0.0.1:8081/realms/slave_realm/protocol/openid-connect/token",
    "clientId": "idp_client",
    "clientSecret": "s3cret",
}


def test_defaults_are_keycloaks() -> None:
    cfg = parse_config("oidc", BASE)
    assert cfg.client_auth_method == "client_secret_post"
    assert cfg.default_scope == "openid"
    assert cfg.send_id_token_on_logout is True
    assert cfg.send_client_id_on_logout is False
    assert cfg.validate_signature is False
    assert cfg.forward_parameters == ("acr_values",)
    assert cfg.sync_mode == "LEGACY"
    assert cfg.min_validity_token == 5
    assert cfg.allowed_clock_skew == 0
    assert cfg.issuers == ()
    assert cfg.is_access_token_jwt is False
    assert cfg.disable_nonce is False


def test_strings_are_parsed_like_java_booleans_and_numbers() -> None:
    cfg = parse_config(
        "oidc",
        {
            **BASE,
            "validateSignature": "TRUE",
            "useJwksUrl": "yes",  # not "true": false, as Boolean.parseBoolean says
            "sendIdTokenOnLogout": "false",
            "allowedClockSkew": "abc",
            "minValidityToken": "30",
            "pkceEnabled": "true",
            "pkceMethod": "S256",
        },
    )
    assert cfg.validate_signature is True
    assert cfg.use_jwks_url is False
    assert cfg.send_id_token_on_logout is False
    assert cfg.allowed_clock_skew == 0
    assert cfg.min_validity_token == 30
    assert (cfg.pkce_enabled, cfg.pkce_method) == (True, "S256")


@pytest.mark.parametrize(
    ("scope", "expected"),
    [("", "openid"), ("profile email", "openid profile email"), ("email openid", "email openid")],
)
def test_default_scope_always_has_openid(scope: str, expected: str) -> None:
    assert parse_config("oidc", {**BASE, "defaultScope": scope}).default_scope == expected


def test_issuer_is_a_comma_list() -> None:
    cfg = parse_config("oidc", {**BASE, "issuer": "https://a.example/r, https://b.example/r ,"})
    assert cfg.issuers == ("https://a.example/r", "https://b.example/r")


def test_keycloak_oidc_forces_access_token_jwt() -> None:
    assert parse_config("keycloak-oidc", {**BASE, "isAccessTokenJWT": "false"}).is_access_token_jwt is True
    assert parse_config("oidc", {**BASE, "isAccessTokenJWT": "true"}).is_access_token_jwt is True


def test_forward_parameters_can_be_emptied() -> None:
    assert parse_config("oidc", {**BASE, "forwardParameters": ""}).forward_parameters == ()
    assert parse_config("oidc", {**BASE, "forwardParameters": "a, b"}).forward_parameters == ("a", "b")


def test_unusable_config_is_refused_at_runtime() -> None:
    with pytest.raises(ConfigInvalid):
        parse_config("oidc", {"clientId": "x"})
    with pytest.raises(ConfigInvalid):
        parse_config("saml", BASE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"authorizationUrl": ""}, "The url [authorization_url] is required"),
        ({"tokenUrl": ""}, "The url [token_url] is required"),
        ({"tokenUrl": "ftp://x/token"}, "Invalid protocol/scheme for url [token_url]"),
        ({"userInfoUrl": "not a url"}, "The url [userinfo_url] is malformed"),
        ({"jwksUrl": "http://idp.example.com/certs"}, "The url [jwks_url] requires secure connections"),
        ({"pkceEnabled": "true", "pkceMethod": "S512"}, "PKCE Method not supported: S512"),
        ({"pkceEnabled": "true"}, "PKCE Method not supported: None"),
        (
            {"validateSignature": "true", "useJwksUrl": "true"},
            "JWKS URL is required when 'Validate signatures' enabled and 'Use JWKS URL' enabled",
        ),
        (
            {"validateSignature": "true"},
            "The 'Validating public key' is required when 'Validate signatures' enabled and 'Use JWKS URL' disabled",
        ),
        (
            {"clientAuthMethod": "tls_client_auth"},
            "Unsupported client authentication method: tls_client_auth",
        ),
        ({"syncMode": "SOMETIMES"}, "Invalid sync mode: SOMETIMES"),
    ],
)
def test_save_validation_messages(change: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigInvalid) as err:
        validate_config("oidc", {**BASE, **change})
    assert err.value.message == message


def test_valid_configs_pass() -> None:
    validate_config("keycloak-oidc", BASE)
    # Seed 000: the token URL is an internal single-label host name, plain http.
    validate_config("keycloak-oidc", {**BASE, "tokenUrl": "http://keycloak-slave:8080/realms/s/token"})
    validate_config(
        "oidc",
        {
            **BASE,
            "validateSignature": "true",
            "useJwksUrl": "true",
            "jwksUrl": "https://idp.example.com/certs",
        },
    )
    validate_config("oidc", {**BASE, "pkceEnabled": "true", "pkceMethod": "plain"})
    validate_config("oidc", {**BASE, "jwksUrl": "http://idp.example.com/certs"}, ssl_required="none")
    with pytest.raises(ConfigInvalid):
        validate_config("oidc", BASE, ssl_required="all")


def test_secret_is_masked_but_vault_references_are_not() -> None:
    assert mask_config(BASE)["clientSecret"] == SECRET_MASK
    assert mask_config({**BASE, "clientSecret": "${vault.idp}"})["clientSecret"] == "${vault.idp}"
    assert "clientSecret" not in mask_config({"clientId": "x"})
    assert BASE["clientSecret"] == "s3cret"  # the input is not modified


def test_mask_on_update_keeps_the_stored_secret() -> None:
    merged = merge_secret_on_update(BASE, {**BASE, "clientSecret": SECRET_MASK, "prompt": "login"})
    assert merged["clientSecret"] == "s3cret"
    assert merged["prompt"] == "login"
    assert merge_secret_on_update(BASE, {**BASE, "clientSecret": "new"})["clientSecret"] == "new"


@pytest.mark.parametrize("key", ["tokenUrl", "clientId", "clientAuthMethod", "tokenIntrospectionUrl"])
def test_mask_is_refused_when_the_secret_would_go_elsewhere(key: str) -> None:
    with pytest.raises(ConfigInvalid) as err:
        merge_secret_on_update(BASE, {**BASE, key: "https://attacker.example/token", "clientSecret": SECRET_MASK})
    assert key in err.value.message
    # A new secret typed with the new destination is fine.
    merged = merge_secret_on_update(BASE, {**BASE, key: "https://new.example/token", "clientSecret": "typed"})
    assert merged["clientSecret"] == "typed"


def test_mask_without_a_stored_secret_stores_nothing() -> None:
    old = {k: v for k, v in BASE.items() if k != "clientSecret"}
    assert "clientSecret" not in merge_secret_on_update(old, {**old, "clientSecret": SECRET_MASK})
