"""The one list of signature algorithms and the one check of settings naming one, and that every
algorithm on the list really signs and verifies (with fallback keys as Keycloak makes them)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed448
from joserfc.errors import InvalidKeyCurveError

from realmgate.crypto import algorithms
from realmgate.crypto.algorithms import (
    ACCESS_TOKEN_ALG,
    ID_TOKEN_ALG,
    SIGNATURE_ALGORITHMS,
    USERINFO_ALG,
    UnsupportedAlgorithm,
    check_client_attributes,
    check_realm_default,
    token_algorithm,
)
from realmgate.crypto.jws import BadSignature, sign, unverified_header, verify, verify_with_jwks
from realmgate.crypto.realm_keys import generate_default_keys, generate_fallback_key, public_jwk, thumbprint
from realmgate.crypto.secrets import SYSTEM

NOW = 1_700_000_000


def test_the_list_is_what_keycloak_offers_for_tokens_minus_hmac() -> None:
    assert set(SIGNATURE_ALGORITHMS) == {
        *(f"{family}{bits}" for family in ("RS", "PS", "ES") for bits in (256, 384, 512)),
        "EdDSA",
    }
    assert not set(SIGNATURE_ALGORITHMS) & {"none", "HS256", "HS384", "HS512"}


@pytest.mark.parametrize("attribute", [ACCESS_TOKEN_ALG, ID_TOKEN_ALG, algorithms.AUTHORIZATION_ALG])
@pytest.mark.parametrize("value", [*SIGNATURE_ALGORITHMS, ""])
def test_token_attributes_take_every_produced_algorithm(attribute: str, value: str) -> None:
    check_client_attributes({attribute: value})


@pytest.mark.parametrize("attribute", [ACCESS_TOKEN_ALG, ID_TOKEN_ALG, algorithms.AUTHORIZATION_ALG])
@pytest.mark.parametrize("value", ["XX999", "none", "HS256", "rs256", "EdDSA ", "Ed25519"])
def test_token_attributes_refuse_anything_else_naming_the_attribute(attribute: str, value: str) -> None:
    with pytest.raises(UnsupportedAlgorithm) as err:
        check_client_attributes({attribute: value, "other.attribute": "x"})
    assert err.value.setting == attribute
    assert attribute in str(err.value) and repr(value) in str(err.value) and "PS256" in str(err.value)


def test_userinfo_takes_unsigned_or_an_algorithm_we_sign_with() -> None:
    check_client_attributes({USERINFO_ALG: "unsigned"})
    check_client_attributes({USERINFO_ALG: ""})
    check_client_attributes({USERINFO_ALG: "ES256"})
    check_client_attributes({USERINFO_ALG: "EdDSA"})
    for value in ("none", "HS256", "rs256"):
        with pytest.raises(UnsupportedAlgorithm, match=USERINFO_ALG.replace(".", r"\.")):
            check_client_attributes({USERINFO_ALG: value})


def test_verification_side_attributes_take_keycloak_values() -> None:
    check_client_attributes({algorithms.REQUEST_OBJECT_ALG: "any"})
    check_client_attributes({algorithms.REQUEST_OBJECT_ALG: "none"})
    check_client_attributes({algorithms.TOKEN_ENDPOINT_AUTH_ALG: "HS256"})
    check_client_attributes({algorithms.TOKEN_ENDPOINT_AUTH_ALG: "PS256"})
    with pytest.raises(UnsupportedAlgorithm):
        check_client_attributes({algorithms.TOKEN_ENDPOINT_AUTH_ALG: "none"})
    with pytest.raises(UnsupportedAlgorithm):
        check_client_attributes({algorithms.REQUEST_OBJECT_ALG: "XX999"})


def test_non_string_values_are_refused() -> None:
    with pytest.raises(UnsupportedAlgorithm, match="int"):
        check_client_attributes({ACCESS_TOKEN_ALG: 256})


def test_realm_default() -> None:
    for value in (*SIGNATURE_ALGORITHMS, "", None):
        check_realm_default(value)
    with pytest.raises(UnsupportedAlgorithm, match="defaultSignatureAlgorithm"):
        check_realm_default("HS512")


def test_token_algorithm_follows_keycloak_precedence_and_never_substitutes() -> None:
    assert token_algorithm("PS256", "ES256", setting=ACCESS_TOKEN_ALG) == "PS256"
    assert token_algorithm("", "ES256", setting=ACCESS_TOKEN_ALG) == "ES256"
    assert token_algorithm(None, "", setting=ACCESS_TOKEN_ALG) == "RS256"
    with pytest.raises(UnsupportedAlgorithm, match=ACCESS_TOKEN_ALG.replace(".", r"\.")):
        token_algorithm("XX999", "RS256", setting=ACCESS_TOKEN_ALG)
    with pytest.raises(UnsupportedAlgorithm, match="defaultSignatureAlgorithm"):
        token_algorithm(None, "XX999", setting=ACCESS_TOKEN_ALG)


@pytest.mark.parametrize("alg", SIGNATURE_ALGORITHMS)
def test_every_algorithm_signs_and_verifies_with_its_fallback_key(alg: str) -> None:
    key = generate_fallback_key("realm-id", alg, now=NOW, realm_name="acme")
    provider = {"RS": "rsa-generated", "PS": "rsa-generated", "ES": "ecdsa-generated", "Ed": "eddsa-generated"}
    assert (key.provider_id, key.priority, key.use, key.algorithm) == (provider[alg[:2]], -100, "sig", alg)
    token = sign({"sub": "a"}, key)
    assert unverified_header(token) == {"alg": alg, "typ": "JWT", "kid": key.kid}
    assert verify(token, [key], algorithms=SIGNATURE_ALGORITHMS) == {"sub": "a"}
    assert verify_with_jwks(token, [public_jwk(key)], algorithms=[alg]) == {"sub": "a"}
    assert key.kid == thumbprint(key.public_pem or "")


def test_eddsa_keys_are_okp_ed25519_without_certificate() -> None:
    key = generate_fallback_key("realm-id", "EdDSA", now=NOW)
    jwk = public_jwk(key)
    assert key.key_type == "OKP" and key.certificate is None
    assert set(jwk) == {"kid", "kty", "crv", "x", "alg", "use"}
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert len(base64.urlsafe_b64decode(str(jwk["x"]) + "=")) == 32


def test_eddsa_on_ed448_is_refused() -> None:
    private = ed448.Ed448PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    ed25519_key = generate_fallback_key("realm-id", "EdDSA", now=NOW)
    ed448_key = replace(ed25519_key, private_material=pem, public_pem=None)
    with pytest.raises(InvalidKeyCurveError):
        sign({"sub": "a"}, ed448_key)


def _forge(header: Mapping[str, object], signature: bytes) -> str:
    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return ".".join([part(json.dumps(header).encode()), part(b'{"sub":"a"}'), part(signature)])


def test_own_token_verification_refuses_none_and_hmac_keyed_by_a_public_key() -> None:
    keys = generate_default_keys("realm-id", now=NOW, ids=SYSTEM)
    rsa_key = next(k for k in keys if k.algorithm == "RS256")
    unsigned = _forge({"alg": "none", "kid": rsa_key.kid}, b"")
    with pytest.raises(BadSignature):
        verify(unsigned, keys, algorithms=[*SIGNATURE_ALGORITHMS, "none"])
    header = {"alg": "HS256", "kid": rsa_key.kid}
    signing_input = _forge(header, b"").rsplit(".", 1)[0]
    mac = hmac.new((rsa_key.public_pem or "").encode(), signing_input.encode(), hashlib.sha256).digest()
    for allowed in (SIGNATURE_ALGORITHMS, ["HS256", "RS256"]):
        with pytest.raises(BadSignature):
            verify(_forge(header, mac), keys, algorithms=allowed)
