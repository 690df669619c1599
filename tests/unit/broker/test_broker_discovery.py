"""import-config: discovery documents to Keycloak's config map; the provider registry."""

from __future__ import annotations

import httpx
import pytest
from tests.unit.broker.broker_testkit import Upstream

from realmgate.broker.connector import CallbackOutcome, classify_callback_error
from realmgate.broker.errors import ConfigInvalid, UnknownProvider, UpstreamError
from realmgate.broker.oidc.discovery import import_from_url, parse_discovery
from realmgate.broker.registry import PROVIDER_TYPES, provider_type

DOC = {
    "issuer": "https://idp.example/realms/r",
    "authorization_endpoint": "https://idp.example/realms/r/protocol/openid-connect/auth",
    "token_endpoint": "https://idp.example/realms/r/protocol/openid-connect/token",
    "userinfo_endpoint": "https://idp.example/realms/r/protocol/openid-connect/userinfo",
    "end_session_endpoint": "https://idp.example/realms/r/protocol/openid-connect/logout",
    "jwks_uri": "https://idp.example/realms/r/protocol/openid-connect/certs",
    "introspection_endpoint": "https://idp.example/realms/r/protocol/openid-connect/token/introspect",
}


def test_full_document() -> None:
    assert parse_discovery(DOC) == {
        "issuer": DOC["issuer"],
        "authorizationUrl": DOC["authorization_endpoint"],
        "tokenUrl": DOC["token_endpoint"],
        "userInfoUrl": DOC["userinfo_endpoint"],
        "logoutUrl": DOC["end_session_endpoint"],
        "jwksUrl": DOC["jwks_uri"],
        "validateSignature": "true",
        "useJwksUrl": "true",
        "tokenIntrospectionUrl": DOC["introspection_endpoint"],
    }


def test_absent_endpoints_are_null_and_no_jwks_means_no_signature_keys() -> None:
    minimal = {k: DOC[k] for k in ("issuer", "authorization_endpoint", "token_endpoint")}
    config = parse_discovery(__import__("json").dumps(minimal).encode())
    assert config["userInfoUrl"] is None and config["logoutUrl"] is None
    assert "validateSignature" not in config and "jwksUrl" not in config and "tokenIntrospectionUrl" not in config


@pytest.mark.parametrize("bad", [b"not json", b"[1]", '"text"'])
def test_unreadable_document(bad: bytes | str) -> None:
    with pytest.raises(ConfigInvalid) as err:
        parse_discovery(bad)
    assert err.value.message == "failed to load openid connect metadata"


async def test_import_from_url_records_where_it_came_from(upstream: Upstream, http: httpx.AsyncClient) -> None:
    upstream.reply("/.well-known/openid-configuration", DOC)
    url = upstream.url("/.well-known/openid-configuration")
    config = await import_from_url(http, url)
    assert config["metadataDescriptorUrl"] == url and config["tokenUrl"] == DOC["token_endpoint"]
    upstream.reply("/.well-known/openid-configuration", "gone", status=404)
    with pytest.raises(UpstreamError):
        await import_from_url(http, url)


def test_registry_names_keycloaks_provider_types() -> None:
    assert sorted(PROVIDER_TYPES) == ["github", "keycloak-oidc", "oidc"]
    assert provider_type("oidc").info() == {"id": "oidc", "name": "OpenID Connect v1.0"}
    assert provider_type("keycloak-oidc").info() == {"id": "keycloak-oidc", "name": "Keycloak OpenID Connect"}
    assert provider_type("github").server_info() == {"groupName": "Social", "name": "GitHub", "id": "github"}
    assert provider_type("oidc").server_info()["groupName"] == "User-defined"
    with pytest.raises(UnknownProvider) as err:
        provider_type("saml")
    assert err.value.message == "Invalid identity provider id [saml]"


@pytest.mark.parametrize(
    ("error", "description", "outcome"),
    [
        ("access_denied", None, CallbackOutcome.CANCELLED),
        ("login_required", None, CallbackOutcome.TO_CLIENT),
        ("interaction_required", None, CallbackOutcome.TO_CLIENT),
        ("temporarily_unavailable", "authentication_expired", CallbackOutcome.RETRY),
        ("temporarily_unavailable", None, CallbackOutcome.FAILED),
        ("server_error", None, CallbackOutcome.FAILED),
    ],
)
def test_callback_errors(error: str, description: str | None, outcome: CallbackOutcome) -> None:
    assert classify_callback_error(error, description) is outcome
