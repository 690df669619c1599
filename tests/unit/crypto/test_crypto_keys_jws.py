"""Realm keys (RFC 7638 kids, JWKS entries, certificates) and JWS sign/verify rules."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import replace

import pytest
from cryptography import x509
from joserfc import jws as jose_jws
from joserfc.jwk import OctKey, RSAKey

from realmgate.crypto.jws import (
    BadSignature,
    UnknownKey,
    sign,
    unverified_claims,
    unverified_header,
    verify,
    verify_with_jwks,
    verify_with_secret,
)
from realmgate.crypto.realm_keys import (
    active_key,
    generate_default_keys,
    generate_ec_key,
    public_jwk,
    thumbprint,
)
from realmgate.crypto.secrets import SYSTEM, constant_time_equals
from realmgate.model.keys import RealmKey

NOW = 1_700_000_000
RFC7638_N = (
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
    "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgd"
    "AZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCu"
    "r-kEgU8awapJzKnqDKgw"
)


@pytest.fixture(scope="module")
def keys() -> list[RealmKey]:
    return generate_default_keys("realm-id", now=NOW, realm_name="demo", ids=SYSTEM)


def _by_alg(keys: list[RealmKey], alg: str) -> RealmKey:
    key = active_key(keys, alg)
    assert key is not None
    return key


def test_rfc7638_thumbprint_vector() -> None:
    pem = RSAKey.import_key({"kty": "RSA", "n": RFC7638_N, "e": "AQAB"}).as_pem(private=False).decode()
    assert thumbprint(pem) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_default_keys_are_keycloaks_four(keys: list[RealmKey]) -> None:
    summary = sorted((k.provider_id, k.algorithm, k.use, k.key_type) for k in keys)
    assert summary == [
        ("aes-generated", "AES", "enc", "OCT"),
        ("hmac-generated", "HS512", "sig", "OCT"),
        ("rsa-enc-generated", "RSA-OAEP", "enc", "RSA"),
        ("rsa-generated", "RS256", "sig", "RSA"),
    ]
    hmac_key = _by_alg(keys, "HS512")
    aes_key = _by_alg(keys, "AES")
    assert len(base64.urlsafe_b64decode(hmac_key.private_material + "==")) == 64
    assert len(base64.urlsafe_b64decode(aes_key.private_material + "==")) == 16
    assert all(k.realm_id == "realm-id" and k.created == NOW for k in keys)
    assert len({k.kid for k in keys}) == 4


def test_rsa_public_jwk_and_certificate(keys: list[RealmKey]) -> None:
    key = _by_alg(keys, "RS256")
    jwk = public_jwk(key)
    assert set(jwk) == {"kid", "kty", "alg", "use", "n", "e", "x5c", "x5t", "x5t#S256"}
    assert (jwk["kty"], jwk["alg"], jwk["use"], jwk["e"]) == ("RSA", "RS256", "sig", "AQAB")
    assert jwk["kid"] == key.kid == RSAKey.import_key(dict(jwk)).thumbprint()  # type: ignore[arg-type]
    der = base64.b64decode(key.certificate or "")
    cert = x509.load_der_x509_certificate(der)
    assert cert.subject.rfc4514_string() == "CN=demo"
    assert cert.issuer == cert.subject
    expected_x5t = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
    assert jwk["x5t#S256"] == expected_x5t
    assert "d" not in jwk
    assert public_jwk(_by_alg(keys, "RSA-OAEP"))["use"] == "enc"
    with pytest.raises(ValueError):
        public_jwk(_by_alg(keys, "HS512"))


def test_ec_key_jwk_and_signature() -> None:
    key = generate_ec_key("realm-id", now=NOW)
    jwk = public_jwk(key)
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("EC", "P-256", "ES256")
    assert {"x", "y"} <= set(jwk) and "d" not in jwk
    token = sign({"sub": "a"}, key)
    assert verify(token, [key], algorithms={"ES256"}) == {"sub": "a"}
    assert verify_with_jwks(token, [jwk], algorithms={"ES256"}) == {"sub": "a"}


def test_active_key_prefers_priority_then_newest(keys: list[RealmKey]) -> None:
    rs = _by_alg(keys, "RS256")
    newer = replace(rs, kid="newer", created=NOW + 10)
    high = replace(rs, kid="high", priority=200)
    passive = replace(rs, kid="passive", priority=999, active=False)
    assert active_key([rs, newer], "RS256") is newer
    assert active_key([rs, newer, high, passive], "RS256") is high
    assert active_key([passive], "RS256") is None


def test_sign_and_verify_realm_tokens(keys: list[RealmKey]) -> None:
    rs = _by_alg(keys, "RS256")
    token = sign({"sub": "u", "n": 1}, rs, typ="Refresh")
    assert unverified_header(token) == {"alg": "RS256", "typ": "Refresh", "kid": rs.kid}
    assert unverified_claims(token) == {"sub": "u", "n": 1}
    assert verify(token, keys, algorithms={"RS256"}) == {"sub": "u", "n": 1}
    assert verify(token, keys, algorithms="RS256") == {"sub": "u", "n": 1}
    with pytest.raises(BadSignature):
        verify(token, keys, algorithms="xRS256x")  # a string is one name, not a set of substrings
    hs_token = sign({"sub": "u"}, _by_alg(keys, "HS512"))
    assert verify(hs_token, keys, algorithms={"HS512"}) == {"sub": "u"}
    with pytest.raises(BadSignature):
        verify(token, keys, algorithms={"HS512"})  # alg not allowed
    with pytest.raises(BadSignature):
        verify(token, [replace(rs, enabled=False)], algorithms={"RS256"})
    other = generate_default_keys("other", now=NOW, ids=SYSTEM)
    with pytest.raises(BadSignature):
        verify(token, [replace(_by_alg(other, "RS256"), kid=rs.kid)], algorithms={"RS256"})


def test_tampered_and_malformed_tokens_are_refused(keys: list[RealmKey]) -> None:
    rs = _by_alg(keys, "RS256")
    header, payload, sig = sign({"sub": "u"}, rs).split(".")
    forged = base64.urlsafe_b64encode(b'{"sub":"admin"}').rstrip(b"=").decode()
    for bad in (f"{header}.{forged}.{sig}", f"{header}.{payload}", "a.b.c", "", f"{header}.{payload}.x"):
        with pytest.raises(BadSignature):
            verify(bad, keys, algorithms={"RS256"})


def _b64url(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_alg_none_is_never_accepted(keys: list[RealmKey]) -> None:
    rs = _by_alg(keys, "RS256")
    token = f"{_b64url({'alg': 'none', 'kid': rs.kid})}.{_b64url({'sub': 'u'})}."
    with pytest.raises(BadSignature):
        verify(token, keys, algorithms={"none", "RS256"})
    with pytest.raises(BadSignature):
        verify_with_jwks(token, [public_jwk(rs)], algorithms={"none", "RS256"})


def test_public_key_is_never_used_as_hmac_secret(keys: list[RealmKey]) -> None:
    # The classic confusion attack: HS256 keyed with the RSA public key bytes.
    rs = _by_alg(keys, "RS256")
    jwk = public_jwk(rs)
    signing_input = f"{_b64url({'alg': 'HS256', 'kid': rs.kid})}.{_b64url({'sub': 'admin'})}"
    for secret in ((rs.public_pem or "").encode(), json.dumps(jwk).encode()):
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        forged = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
        with pytest.raises(BadSignature):
            verify_with_jwks(forged, [jwk], algorithms={"RS256", "HS256"})
        with pytest.raises(BadSignature):
            verify(forged, keys, algorithms={"RS256", "HS256"})


def test_verify_with_jwks_picks_key_by_kid(keys: list[RealmKey]) -> None:
    rs = _by_alg(keys, "RS256")
    other = _by_alg(generate_default_keys("other", now=NOW, ids=SYSTEM), "RS256")
    jwks = [public_jwk(other), public_jwk(_by_alg(keys, "RSA-OAEP")), public_jwk(rs)]
    token = sign({"iss": "up"}, rs)
    assert verify_with_jwks(token, jwks, algorithms={"RS256"}) == {"iss": "up"}
    with pytest.raises(UnknownKey):
        verify_with_jwks(token, [public_jwk(other)], algorithms={"RS256"})
    with pytest.raises(BadSignature):
        verify_with_jwks(token, [{**public_jwk(other), "kid": rs.kid}], algorithms={"RS256"})
    with pytest.raises(BadSignature):
        verify_with_jwks(token, jwks, algorithms={"ES256"})


def test_verify_with_jwks_without_kid_tries_matching_keys(keys: list[RealmKey]) -> None:
    rs = _by_alg(keys, "RS256")
    other = _by_alg(generate_default_keys("other", now=NOW, ids=SYSTEM), "RS256")
    no_kid = jose_jws.serialize_compact(
        {"alg": "RS256"}, b'{"sub":"x"}', RSAKey.import_key(rs.private_material), algorithms=["RS256"]
    )
    jwks = [public_jwk(other), {**public_jwk(rs), "kid": "whatever"}]
    assert verify_with_jwks(no_kid, jwks, algorithms={"RS256"}) == {"sub": "x"}
    with pytest.raises(BadSignature):
        verify_with_jwks(no_kid, [public_jwk(other)], algorithms={"RS256"})


def test_verify_with_secret() -> None:
    secret = "a-client-secret-of-32-characters!!"
    token = jose_jws.serialize_compact(
        {"alg": "HS256"}, b'{"sub":"x"}', OctKey.import_key(secret.encode()), algorithms=["HS256"]
    )
    assert verify_with_secret(token, secret, algorithms={"HS256"}) == {"sub": "x"}
    with pytest.raises(BadSignature):
        verify_with_secret(token, secret + "x", algorithms={"HS256"})
    with pytest.raises(BadSignature):
        verify_with_secret(token, secret, algorithms={"RS256"})


def test_secrets_helpers() -> None:
    assert SYSTEM.new_id() != SYSTEM.new_id() and len(SYSTEM.new_id()) == 36
    assert len(base64.urlsafe_b64decode(SYSTEM.new_secret(32) + "=")) == 32
    assert constant_time_equals("abc", b"abc")
    assert not constant_time_equals("abc", "abd")
