"""Password hashing: Keycloak's JSON shapes, RFC PBKDF2 vectors, argon2 parameters, policies."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from argon2 import PasswordHasher

from realmgate.crypto.password_policy import PolicyError, check_policy, parse_policy
from realmgate.crypto.passwords import (
    PasswordDataError,
    hash_password,
    needs_rehash,
    new_password_credential,
    parse_stored,
    verify_password,
)
from realmgate.crypto.secrets import SYSTEM


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _stored(algorithm: str, iterations: int, value: bytes, salt: bytes) -> tuple[str, str]:
    secret = json.dumps({"value": _b64(value), "salt": _b64(salt), "additionalParameters": {}})
    cred = json.dumps({"hashIterations": iterations, "algorithm": algorithm, "additionalParameters": {}})
    return secret, cred


# RFC 6070 (PBKDF2-HMAC-SHA1) and RFC 7914 section 11 (PBKDF2-HMAC-SHA256) known answers.
@pytest.mark.parametrize(
    ("algorithm", "password", "salt", "iterations", "hex_digest"),
    [
        ("pbkdf2", "password", b"salt", 1, "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
        ("pbkdf2", "password", b"salt", 4096, "4b007901b765489abead49d926f721d065a429c1"),
        (
            "pbkdf2",
            "passwordPASSWORDpassword",
            b"saltSALTsaltSALTsaltSALTsaltSALTsalt",
            4096,
            "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038",
        ),
        (
            "pbkdf2-sha256",
            "passwd",
            b"salt",
            1,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
        ),
    ],
)
def test_rfc_pbkdf2_vectors_verify_with_key_length_of_stored_hash(
    algorithm: str, password: str, salt: bytes, iterations: int, hex_digest: str
) -> None:
    secret, cred = _stored(algorithm, iterations, bytes.fromhex(hex_digest), salt)
    assert verify_password(password, secret, cred)
    assert not verify_password(password + "x", secret, cred)


def test_keycloak_pbkdf2_sha256_hash_format_verifies() -> None:
    # A credential exactly as a Keycloak realm export holds it (compact JSON, 512-bit key).
    salt = bytes(range(16))
    digest = hashlib.pbkdf2_hmac("sha256", b"s3cret-pass", salt, 27500, dklen=64)
    secret = '{"value":"' + _b64(digest) + '","salt":"' + _b64(salt) + '","additionalParameters":{}}'
    cred = '{"hashIterations":27500,"algorithm":"pbkdf2-sha256","additionalParameters":{}}'
    assert verify_password("s3cret-pass", secret, cred)
    assert not verify_password("s3cret-Pass", secret, cred)


def test_pbkdf2_sha512_and_nul_padded_legacy_hashes_verify() -> None:
    salt = b"0123456789abcdef"
    digest = hashlib.pbkdf2_hmac("sha512", b"pw", salt, 10, dklen=64)
    assert verify_password("pw", *_stored("pbkdf2-sha512", 10, digest, salt))
    # Keycloak 21/22 padded passwords shorter than 14 characters with NULs.
    padded = hashlib.pbkdf2_hmac("sha256", b"short" + b"\0" * 9, salt, 10, dklen=64)
    assert verify_password("short", *_stored("pbkdf2-sha256", 10, padded, salt))
    assert not verify_password("shor", *_stored("pbkdf2-sha256", 10, padded, salt))


def test_default_hash_is_argon2id_in_keycloak_format() -> None:
    secret_data, credential_data = hash_password("correct horse")
    secret = json.loads(secret_data)
    cred = json.loads(credential_data)
    assert set(secret) == {"value", "salt", "additionalParameters"}
    assert secret["additionalParameters"] == {}
    assert len(base64.b64decode(secret["salt"])) == 16
    assert len(base64.b64decode(secret["value"])) == 32
    assert cred == {
        "hashIterations": 5,
        "algorithm": "argon2",
        "additionalParameters": {
            "hashLength": ["32"],
            "memory": ["7168"],
            "type": ["id"],
            "version": ["1.3"],
            "parallelism": ["1"],
        },
    }
    assert verify_password("correct horse", secret_data, credential_data)
    assert not verify_password("correct horsf", secret_data, credential_data)


def test_argon2_hash_uses_the_parameters_it_records() -> None:
    # Re-encode as a PHC string and let argon2-cffi's independent decoder check it.
    secret = json.loads(hash_password("pw")[0])
    salt = base64.b64encode(base64.b64decode(secret["salt"])).decode().rstrip("=")
    value = secret["value"].rstrip("=")
    phc = f"$argon2id$v=19$m=7168,t=5,p=1${salt}${value}"
    assert PasswordHasher().verify(phc, "pw")


def test_argon2_verify_uses_stored_parameters() -> None:
    salt = b"fedcba9876543210"
    phc = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=2, hash_len=24).hash("pw", salt=salt)
    raw = base64.b64decode(phc.rsplit("$", 1)[1] + "==")
    secret = json.dumps({"value": _b64(raw), "salt": _b64(salt), "additionalParameters": {}})
    params = {
        "hashLength": ["24"],
        "memory": ["1024"],
        "type": ["id"],
        "version": ["1.3"],
        "parallelism": ["2"],
    }
    cred = json.dumps({"hashIterations": 2, "algorithm": "argon2", "additionalParameters": params})
    assert verify_password("pw", secret, cred)
    assert needs_rehash(cred)


def test_policy_selects_pbkdf2_and_iterations() -> None:
    policy = "hashAlgorithm(pbkdf2-sha256) and hashIterations(1000)"
    secret_data, credential_data = hash_password("pw", policy=policy)
    cred = json.loads(credential_data)
    assert cred == {"hashIterations": 1000, "algorithm": "pbkdf2-sha256", "additionalParameters": {}}
    value = base64.b64decode(json.loads(secret_data)["value"])
    salt = base64.b64decode(json.loads(secret_data)["salt"])
    assert value == hashlib.pbkdf2_hmac("sha256", b"pw", salt, 1000, dklen=64)
    assert verify_password("pw", secret_data, credential_data)


def test_needs_rehash_follows_policy() -> None:
    pbkdf2 = '{"hashIterations":27500,"algorithm":"pbkdf2-sha256","additionalParameters":{}}'
    assert needs_rehash(pbkdf2)  # default policy is argon2
    assert not needs_rehash(pbkdf2, policy="hashAlgorithm(pbkdf2-sha256) and hashIterations(27500)")
    assert needs_rehash(pbkdf2, policy="hashAlgorithm(pbkdf2-sha256) and hashIterations(1000)")
    assert needs_rehash(pbkdf2, policy="hashAlgorithm(pbkdf2-sha256)")  # default 600000
    assert not needs_rehash(hash_password("pw")[1])
    assert needs_rehash("not json")


def test_malformed_or_unknown_stored_data_never_verifies() -> None:
    secret, _ = _stored("pbkdf2", 1, b"x" * 20, b"salt")
    assert not verify_password("pw", secret, '{"hashIterations":1,"algorithm":"md5"}')
    assert not verify_password("pw", "{", '{"hashIterations":1,"algorithm":"pbkdf2"}')
    with pytest.raises(PasswordDataError, match="unsupported"):
        parse_stored(secret, '{"hashIterations":1,"algorithm":"bcrypt"}')
    with pytest.raises(PasswordDataError):
        parse_stored('{"value":"***","salt":"c2FsdA=="}', '{"hashIterations":1,"algorithm":"pbkdf2"}')


def test_new_password_credential() -> None:
    cred = new_password_credential("u1", "pw", now_ms=1700000000000, policy="hashIterations(1)", ids=SYSTEM)
    assert (cred.user_id, cred.type, cred.created_date) == ("u1", "password", 1700000000000)
    assert verify_password("pw", cred.secret_data, cred.credential_data)


@pytest.mark.parametrize(
    ("password", "policy", "message"),
    [
        ("short", "length(8)", "Invalid password: minimum length 8."),
        ("short", "length", "Invalid password: minimum length 8."),
        ("x" * 70, "maxLength", "Invalid password: maximum length 64."),
        (
            "abcdefgh1",
            "length(8) and digits(2)",
            "Invalid password: must contain at least 2 numerical digits.",
        ),
        ("ABC", "lowerCase(1)", "Invalid password: must contain at least 1 lower case characters."),
        ("abc", "upperCase(1)", "Invalid password: must contain at least 1 upper case characters."),
        ("abc1", "specialChars(1)", "Invalid password: must contain at least 1 special characters."),
        ("abc", "regexPattern([a-z]+[0-9])", "Invalid password: fails to match regex pattern(s)."),
    ],
)
def test_check_policy_messages(password: str, policy: str, message: str) -> None:
    assert check_policy(password, policy) == message


def test_check_policy_passes_and_username_email_rules() -> None:
    policy = "hashAlgorithm(pbkdf2-sha256) and length(8) and digits(1) and specialChars(1) and notUsername"
    assert check_policy("Abcdef1!", policy, username="alice") is None
    assert check_policy("Alice123!", "notUsername", username="alice123!") == (
        "Invalid password: must not be equal to the username."
    )
    assert check_policy("a@b.c", "notEmail", email="A@B.C") == ("Invalid password: must not be equal to the email.")
    assert check_policy("anything", None) is None


def test_parse_policy() -> None:
    parsed = parse_policy(" hashAlgorithm(pbkdf2-sha512)  and hashIterations(210000) and length(12) ")
    assert parsed.hash_algorithm == "pbkdf2-sha512"
    assert parsed.hash_iterations == 210000
    assert parsed.get("length") == "12"
    assert parse_policy(None).hash_algorithm == "argon2"
    with pytest.raises(PolicyError):
        parse_policy("length(8")
    with pytest.raises(PolicyError):
        check_policy("pw", "length(eight)")


def test_validate_policy_and_unsupported_algorithms() -> None:
    from realmgate.crypto.passwords import validate_policy

    validate_policy("hashAlgorithm(pbkdf2-sha512) and length(12) and notUsername")
    validate_policy(None)
    with pytest.raises(PolicyError, match="Password hashing provider not found"):
        validate_policy("hashAlgorithm(bcrypt)")
    with pytest.raises(PolicyError, match="length"):
        validate_policy("length(twelve)")
    # A stored policy we cannot hash to never triggers a rehash (which would fail).
    assert not needs_rehash(hash_password("pw")[1], policy="hashAlgorithm(bcrypt)")
