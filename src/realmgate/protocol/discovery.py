"""The discovery document, realm info and JWKS: what we publish about a realm.

Only what is really implemented is claimed. The other fields Keycloak publishes are present
too, since Keycloak clients look for them (python-keycloak's tests do), but say "none here":
an empty list of algorithms or modes, ``null`` for an endpoint realmgate does not serve (CIBA,
pushed authorization requests, dynamic registration), ``false`` for what it does not require.
As Keycloak does, browser-facing endpoints use the
frontend URL and back-channel endpoints (token, userinfo, introspection, JWKS) the URL the
request came in on, so a broker on an internal network reaches us directly.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

from cryptography.hazmat.primitives import serialization

from realmgate.crypto import realm_keys
from realmgate.crypto.algorithms import SIGNATURE_ALGORITHMS
from realmgate.protocol import authorize, device
from realmgate.protocol.realm_cache import RealmConfig

OIDC_PATH = "/protocol/openid-connect"


def realm_url(base: str, realm_name: str) -> str:
    return f"{base}/realms/{quote(realm_name, safe='')}"


def discovery_document(config: RealmConfig, *, frontend: str, backend: str) -> dict[str, object]:
    issuer = realm_url(frontend, config.realm.name)
    front = issuer + OIDC_PATH
    back = realm_url(backend, config.realm.name) + OIDC_PATH
    scopes = sorted({"openid", *config.scopes})
    claims = [
        "aud",
        "sub",
        "iss",
        "auth_time",
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        "email",
        "email_verified",
        "acr",
        "sid",
        "nonce",
        "at_hash",
    ]
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{front}/auth",
        "token_endpoint": f"{back}/token",
        "introspection_endpoint": f"{back}/token/introspect",
        "userinfo_endpoint": f"{back}/userinfo",
        "end_session_endpoint": f"{front}/logout",
        "frontchannel_logout_session_supported": False,
        "frontchannel_logout_supported": False,
        "jwks_uri": f"{back}/certs",
        "check_session_iframe": f"{front}/login-status-iframe.html",
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "password",
            "client_credentials",
            device.GRANT_TYPE,
        ],
        "device_authorization_endpoint": f"{back}/auth/device",
        "acr_values_supported": ["0", "1"],
        "response_types_supported": list(authorize.RESPONSE_TYPE_COMBINATIONS),
        "subject_types_supported": ["public"],
        "prompt_values_supported": ["none", "login"],
        "id_token_signing_alg_values_supported": list(SIGNATURE_ALGORITHMS),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "claims_supported": claims,
        "claim_types_supported": ["normal"],
        "claims_parameter_supported": False,
        "scopes_supported": scopes,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "require_request_uri_registration": False,
        "code_challenge_methods_supported": ["plain", "S256"],
        "tls_client_certificate_bound_access_tokens": False,
        "revocation_endpoint": f"{front}/revoke",
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "authorization_response_iss_parameter_supported": True,
        "userinfo_signing_alg_values_supported": [*SIGNATURE_ALGORITHMS, "none"],
        **_not_offered(),
    }


# Keycloak's remaining metadata, each saying that realmgate offers none of it.
_NOTHING_LISTED = (
    "authorization_signing_alg_values_supported",  # no JARM
    "authorization_encryption_alg_values_supported",
    "authorization_encryption_enc_values_supported",
    "id_token_encryption_alg_values_supported",
    "id_token_encryption_enc_values_supported",
    "userinfo_encryption_alg_values_supported",
    "userinfo_encryption_enc_values_supported",
    "request_object_signing_alg_values_supported",  # no request objects
    "request_object_encryption_alg_values_supported",
    "request_object_encryption_enc_values_supported",
    "token_endpoint_auth_signing_alg_values_supported",  # no JWT client authentication
    "introspection_endpoint_auth_signing_alg_values_supported",
    "revocation_endpoint_auth_signing_alg_values_supported",
    "backchannel_authentication_request_signing_alg_values_supported",  # no CIBA
    "backchannel_token_delivery_modes_supported",
)
_NOT_SERVED = ("backchannel_authentication_endpoint", "pushed_authorization_request_endpoint", "registration_endpoint")


def _not_offered() -> dict[str, object]:
    return {
        **{name: [] for name in _NOTHING_LISTED},
        **dict.fromkeys(_NOT_SERVED),
        "require_pushed_authorization_requests": False,
        "mtls_endpoint_aliases": {},  # no mutual TLS
    }


def published_keys(config: RealmConfig) -> list[dict[str, object]]:
    """Exactly the enabled asymmetric (RSA, EC, OKP) public keys."""
    return [
        realm_keys.public_jwk(k)
        for k in config.keys
        if k.enabled and k.key_type in realm_keys.PUBLISHED_KEY_TYPES and k.public_pem is not None
    ]


def jwks(config: RealmConfig) -> dict[str, object]:
    return {"keys": published_keys(config)}


def _public_key_der_b64(pem: str) -> str:
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def realm_info(config: RealmConfig, *, frontend: str) -> dict[str, object]:
    """``GET /realms/{realm}``: the active RS256 key as base64 DER, and the service URLs."""
    realm_base = realm_url(frontend, config.realm.name)
    key = realm_keys.active_key(config.keys, "RS256")
    return {
        "realm": config.realm.name,
        "public_key": _public_key_der_b64(key.public_pem) if key and key.public_pem else None,
        "token-service": realm_base + OIDC_PATH,
        "account-service": realm_base + "/account",
        "tokens-not-before": config.realm.not_before,
    }
