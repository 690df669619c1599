"""What Keycloak's own clients expect of the OpenID surface, on SQLite and PostgreSQL: Keycloak's
default for a client created through the admin API, the discovery fields Keycloak publishes
(each saying truthfully what realmgate offers), and signed UserInfo responses."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from tests.e2e.harness import ServerProcess
from tests.e2e.oidc.test_signature_algorithms import independently_verified

from realmgate.crypto.algorithms import SIGNATURE_ALGORITHMS

PASSWORD = "s3cret-pw"
USERINFO_ALG = "user.info.response.signature.alg"

# Every field of Keycloak's discovery document that python-keycloak 7.1.1's tests look for.
KEYCLOAK_FIELDS = [
    "acr_values_supported",
    "authorization_encryption_alg_values_supported",
    "authorization_encryption_enc_values_supported",
    "authorization_endpoint",
    "authorization_signing_alg_values_supported",
    "backchannel_authentication_endpoint",
    "backchannel_authentication_request_signing_alg_values_supported",
    "backchannel_logout_session_supported",
    "backchannel_logout_supported",
    "backchannel_token_delivery_modes_supported",
    "check_session_iframe",
    "claim_types_supported",
    "claims_parameter_supported",
    "claims_supported",
    "code_challenge_methods_supported",
    "device_authorization_endpoint",
    "end_session_endpoint",
    "frontchannel_logout_session_supported",
    "frontchannel_logout_supported",
    "grant_types_supported",
    "id_token_encryption_alg_values_supported",
    "id_token_encryption_enc_values_supported",
    "id_token_signing_alg_values_supported",
    "introspection_endpoint",
    "introspection_endpoint_auth_methods_supported",
    "introspection_endpoint_auth_signing_alg_values_supported",
    "issuer",
    "jwks_uri",
    "mtls_endpoint_aliases",
    "pushed_authorization_request_endpoint",
    "registration_endpoint",
    "request_object_encryption_alg_values_supported",
    "request_object_encryption_enc_values_supported",
    "request_object_signing_alg_values_supported",
    "request_parameter_supported",
    "request_uri_parameter_supported",
    "require_pushed_authorization_requests",
    "require_request_uri_registration",
    "response_modes_supported",
    "response_types_supported",
    "revocation_endpoint",
    "revocation_endpoint_auth_methods_supported",
    "revocation_endpoint_auth_signing_alg_values_supported",
    "scopes_supported",
    "subject_types_supported",
    "tls_client_certificate_bound_access_tokens",
    "token_endpoint",
    "token_endpoint_auth_methods_supported",
    "token_endpoint_auth_signing_alg_values_supported",
    "userinfo_encryption_alg_values_supported",
    "userinfo_encryption_enc_values_supported",
    "userinfo_endpoint",
    "userinfo_signing_alg_values_supported",
]


@pytest.fixture
def realm(admin: httpx.Client) -> str:
    """A realm with user ann, created as python-keycloak's fixtures do (admin API, bare reps)."""
    name = "kc" + secrets.token_hex(4)
    assert admin.post("/admin/realms", json={"realm": name, "enabled": True}).status_code == 201
    user = {
        "username": "ann",
        "enabled": True,
        "email": "ann@example.com",
        "emailVerified": True,
        "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}],
    }
    assert admin.post(f"/admin/realms/{name}/users", json=user).status_code == 201
    return name


def _oidc(server: ServerProcess, realm: str, path: str) -> str:
    return server.url(f"/realms/{realm}/protocol/openid-connect/{path}")


def _bare_client(admin: httpx.Client, realm: str, **fields: Any) -> str:
    """A confidential client with no ``directAccessGrantsEnabled``: Keycloak's default applies."""
    client_id = "c" + secrets.token_hex(4)
    rep = {"clientId": client_id, "secret": f"{client_id}-secret", "publicClient": False, **fields}
    assert admin.post(f"/admin/realms/{realm}/clients", json=rep).status_code == 201
    return client_id


def _password_grant(server: ServerProcess, realm: str, client_id: str) -> httpx.Response:
    return httpx.post(
        _oidc(server, realm, "token"),
        data={"grant_type": "password", "username": "ann", "password": PASSWORD, "scope": "openid"},
        auth=(client_id, f"{client_id}-secret"),
        timeout=30.0,
    )


def test_new_client_allows_the_password_grant_as_keycloak_does(
    any_server: ServerProcess, admin: httpx.Client, realm: str
) -> None:
    client_id = _bare_client(admin, realm)
    listed = admin.get(f"/admin/realms/{realm}/clients", params={"clientId": client_id}).json()
    assert listed[0]["directAccessGrantsEnabled"] is True
    assert _password_grant(any_server, realm, client_id).status_code == 200
    # Saying false still refuses it; the built-in clients keep Keycloak's own settings.
    refused = _bare_client(admin, realm, directAccessGrantsEnabled=False)
    response = _password_grant(any_server, realm, refused)
    assert response.status_code == 400 and response.json()["error"] == "unauthorized_client"
    builtin = {
        c["clientId"]: c["directAccessGrantsEnabled"] for c in admin.get(f"/admin/realms/{realm}/clients").json()
    }
    assert builtin["admin-cli"] is True
    assert not any(builtin[c] for c in ("account", "account-console", "broker", "realm-management"))


def test_discovery_has_keycloaks_fields_and_claims_only_what_is_served(any_server: ServerProcess, realm: str) -> None:
    doc = httpx.get(any_server.url(f"/realms/{realm}/.well-known/openid-configuration")).json()
    assert set(KEYCLOAK_FIELDS) <= set(doc)
    for endpoint in (
        "backchannel_authentication_endpoint",
        "pushed_authorization_request_endpoint",
        "registration_endpoint",
    ):
        assert doc[endpoint] is None  # not served here, so no URL a client could call
    for key, value in doc.items():
        if "encryption" in key or key.startswith(("request_object", "backchannel_authentication_request")):
            assert value == [], key  # no encryption, no request objects, no CIBA
    assert doc["require_pushed_authorization_requests"] is False and doc["mtls_endpoint_aliases"] == {}
    assert doc["userinfo_signing_alg_values_supported"] == [*SIGNATURE_ALGORITHMS, "none"]
    # Every URL published is one that answers.
    for key, value in doc.items():
        if key.endswith("_endpoint") and isinstance(value, str):
            answer = httpx.post(value, data={}) if "auth" not in key.split("_")[0] else httpx.get(value)
            assert answer.status_code < 500 and answer.status_code != 404, key


@pytest.mark.parametrize("alg", ["ES256", "RS512", "EdDSA"])
def test_userinfo_signed_as_the_client_asks(
    any_server: ServerProcess, admin: httpx.Client, realm: str, alg: str
) -> None:
    client_id = _bare_client(admin, realm, attributes={USERINFO_ALG: alg})
    tokens = _password_grant(any_server, realm, client_id).json()
    response = httpx.get(
        _oidc(any_server, realm, "userinfo"), headers={"authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.status_code == 200 and response.headers["content-type"] == "application/jwt"
    jwks = httpx.get(_oidc(any_server, realm, "certs")).json()
    header, claims = independently_verified(response.text, jwks)
    assert header["alg"] == alg
    assert claims["iss"] == any_server.url(f"/realms/{realm}") and claims["aud"] == client_id
    assert claims["preferred_username"] == "ann" and claims["email"] == "ann@example.com"


def test_userinfo_unsigned_is_json_and_a_bad_algorithm_is_refused(
    any_server: ServerProcess, admin: httpx.Client, realm: str
) -> None:
    client_id = _bare_client(admin, realm, attributes={USERINFO_ALG: "unsigned"})
    tokens = _password_grant(any_server, realm, client_id).json()
    response = httpx.get(
        _oidc(any_server, realm, "userinfo"), headers={"authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.headers["content-type"] == "application/json" and response.json()["preferred_username"] == "ann"
    bad = {"clientId": "bad", "attributes": {USERINFO_ALG: "HS256"}}
    refused = admin.post(f"/admin/realms/{realm}/clients", json=bad)
    assert refused.status_code == 400 and USERINFO_ALG in refused.json()["errorMessage"]
