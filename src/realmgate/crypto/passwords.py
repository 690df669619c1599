"""Password hashing in Keycloak's stored format: argon2id by default, pbkdf2 family verified.

A credential is two JSON documents, exactly as Keycloak keeps them, so realm exports move
between Keycloak and realmgate unchanged:

- ``secretData``: ``{"value": "<base64 hash>", "salt": "<base64 salt>", "additionalParameters": {}}``
- ``credentialData``: ``{"hashIterations": N, "algorithm": "argon2", "additionalParameters": {...}}``

Imported pbkdf2 hashes are verified with the derived-key length of the stored hash, and
``needs_rehash`` tells the login code to upgrade them to the realm policy once the plain
password is at hand.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from argon2.low_level import Type, hash_secret_raw

from realmgate.crypto.password_policy import PolicyError, check_policy, parse_policy
from realmgate.crypto.secrets import Randomness, constant_time_equals
from realmgate.model.user import Credential

__all__ = [
    "PasswordDataError",
    "PolicyError",
    "check_policy",
    "hash_password",
    "needs_rehash",
    "new_password_credential",
    "parse_stored",
    "stored_password_credential",
    "validate_policy",
    "verify_password",
]

PASSWORD_TYPE = "password"

# Keycloak's argon2 defaults (Argon2Parameters): argon2id, v1.3, 32-byte hash, 7 MiB, t=5, p=1.
ARGON2_DEFAULTS: Mapping[str, str] = {
    "hashLength": "32",
    "memory": "7168",
    "type": "id",
    "version": "1.3",
    "parallelism": "1",
}
ARGON2_ITERATIONS = 5
_ARGON2_TYPES = {"id": Type.ID, "i": Type.I, "d": Type.D}
_ARGON2_VERSIONS = {"1.3": 0x13, "1.0": 0x10}

# pbkdf2 provider id -> (hashlib digest, Keycloak's default iterations for new hashes).
_PBKDF2: Mapping[str, tuple[str, int]] = {
    "pbkdf2": ("sha1", 1_300_000),
    "pbkdf2-sha224": ("sha224", 600_000),
    "pbkdf2-sha256": ("sha256", 600_000),
    "pbkdf2-sha384": ("sha384", 600_000),
    "pbkdf2-sha512": ("sha512", 210_000),
}
_PBKDF2_KEY_BYTES = 64  # Keycloak derives 512-bit keys for new pbkdf2 hashes
# Some Keycloak versions padded short passwords with NULs to 14 characters before pbkdf2.
_PBKDF2_PAD_TO = 14
_SALT_BYTES = 16


SUPPORTED_ALGORITHMS = frozenset({"argon2", *_PBKDF2})


def validate_policy(policy: str | None) -> None:
    """Raise ``PolicyError`` (Keycloak's text) for a policy realmgate cannot apply."""
    parsed = parse_policy(policy)
    if parsed.hash_algorithm not in SUPPORTED_ALGORITHMS:
        raise PolicyError("Invalid config for hashAlgorithm: Password hashing provider not found")
    for name, _ in parsed.terms:
        if name in (
            "hashIterations",
            "length",
            "maxLength",
            "digits",
            "lowerCase",
            "upperCase",
            "specialChars",
            "passwordHistory",
        ):
            parsed.get_int(name)


class PasswordDataError(ValueError):
    """Stored credential JSON that is malformed or names an unsupported algorithm."""


def _dumps(value: object) -> str:
    # Keycloak stores compact JSON; keep byte-identical shapes so exports diff cleanly.
    return json.dumps(value, separators=(",", ":"))


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PasswordDataError("hash or salt is not base64") from exc


@dataclass(frozen=True, slots=True)
class StoredPassword:
    """The parts of a stored password credential needed to verify it."""

    algorithm: str
    iterations: int
    value: bytes
    salt: bytes
    params: Mapping[str, str] = field(default_factory=dict)


def _first_values(raw: object) -> dict[str, str]:
    """Keycloak's ``additionalParameters`` is a multivalued map: ``{"k": ["v"]}``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PasswordDataError("additionalParameters must be an object")
    out: dict[str, str] = {}
    for key, values in raw.items():
        if isinstance(values, list) and values:
            out[str(key)] = str(values[0])
        elif isinstance(values, str | int):
            out[str(key)] = str(values)
    return out


def _load_object(text: str, what: str) -> dict[str, object]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise PasswordDataError(f"{what} is not JSON") from exc
    if not isinstance(data, dict):
        raise PasswordDataError(f"{what} must be a JSON object")
    return data


def parse_stored(secret_data: str, credential_data: str) -> StoredPassword:
    """Parse and validate stored credential JSON; raises ``PasswordDataError``."""
    secret = _load_object(secret_data, "secretData")
    cred = _load_object(credential_data, "credentialData")
    algorithm = cred.get("algorithm")
    iterations = cred.get("hashIterations")
    value, salt = secret.get("value"), secret.get("salt")
    if not isinstance(algorithm, str):
        raise PasswordDataError("credentialData.algorithm is missing")
    if algorithm != "argon2" and algorithm not in _PBKDF2:
        raise PasswordDataError(f"unsupported password hash algorithm {algorithm!r}")
    if not isinstance(iterations, int) or isinstance(iterations, bool) or iterations < 1:
        raise PasswordDataError("credentialData.hashIterations must be a positive integer")
    if not isinstance(value, str) or not isinstance(salt, str):
        raise PasswordDataError("secretData needs value and salt")
    params = _first_values(cred.get("additionalParameters"))
    if algorithm == "argon2":
        _argon2_settings(params)
    return StoredPassword(algorithm, iterations, _unb64(value), _unb64(salt), params)


@dataclass(frozen=True, slots=True)
class _Argon2Settings:
    type: Type
    version: int
    hash_length: int
    memory: int
    parallelism: int


def _argon2_settings(params: Mapping[str, str]) -> _Argon2Settings:
    merged = {**ARGON2_DEFAULTS, **params}
    try:
        return _Argon2Settings(
            type=_ARGON2_TYPES[merged["type"]],
            version=_ARGON2_VERSIONS[merged["version"]],
            hash_length=int(merged["hashLength"]),
            memory=int(merged["memory"]),
            parallelism=int(merged["parallelism"]),
        )
    except (KeyError, ValueError) as exc:
        raise PasswordDataError("invalid argon2 parameters") from exc


def _argon2(password: str, salt: bytes, iterations: int, s: _Argon2Settings) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=iterations,
        memory_cost=s.memory,
        parallelism=s.parallelism,
        hash_len=s.hash_length,
        type=s.type,
        version=s.version,
    )


def _pbkdf2(algorithm: str, password: str, salt: bytes, iterations: int, key_bytes: int) -> bytes:
    digest = _PBKDF2[algorithm][0]
    return hashlib.pbkdf2_hmac(digest, password.encode("utf-8"), salt, iterations, dklen=key_bytes)


def hash_password(password: str, *, policy: str | None = None) -> tuple[str, str]:
    """Hash with the policy's algorithm (argon2id by default); returns (secretData, credentialData)."""
    parsed = parse_policy(policy)
    algorithm = parsed.hash_algorithm
    salt = os.urandom(_SALT_BYTES)
    additional: dict[str, list[str]] = {}
    if algorithm == "argon2":
        # Like Keycloak, the policy's hashIterations does not apply to argon2.
        iterations = ARGON2_ITERATIONS
        digest = _argon2(password, salt, iterations, _argon2_settings(ARGON2_DEFAULTS))
        additional = {key: [value] for key, value in ARGON2_DEFAULTS.items()}
    elif algorithm in _PBKDF2:
        iterations = parsed.hash_iterations or _PBKDF2[algorithm][1]
        digest = _pbkdf2(algorithm, password, salt, iterations, _PBKDF2_KEY_BYTES)
    else:
        raise PasswordDataError(f"unsupported password hash algorithm {algorithm!r}")
    secret = {"value": _b64(digest), "salt": _b64(salt), "additionalParameters": {}}
    cred = {"hashIterations": iterations, "algorithm": algorithm, "additionalParameters": additional}
    return _dumps(secret), _dumps(cred)


def verify_password(password: str, secret_data: str, credential_data: str) -> bool:
    """True when ``password`` matches; malformed or unsupported stored data never matches."""
    try:
        stored = parse_stored(secret_data, credential_data)
    except PasswordDataError:
        return False
    if stored.algorithm == "argon2":
        settings = _argon2_settings(stored.params)
        return constant_time_equals(_argon2(password, stored.salt, stored.iterations, settings), stored.value)
    key_bytes = len(stored.value)
    candidate = _pbkdf2(stored.algorithm, password, stored.salt, stored.iterations, key_bytes)
    if constant_time_equals(candidate, stored.value):
        return True
    if len(password) < _PBKDF2_PAD_TO:
        padded = password + "\0" * (_PBKDF2_PAD_TO - len(password))
        candidate = _pbkdf2(stored.algorithm, padded, stored.salt, stored.iterations, key_bytes)
        return constant_time_equals(candidate, stored.value)
    return False


def needs_rehash(credential_data: str, *, policy: str | None = None) -> bool:
    """True when the stored hash does not use the policy's algorithm and parameters."""
    try:
        cred = _load_object(credential_data, "credentialData")
    except PasswordDataError:
        return True
    parsed = parse_policy(policy)
    algorithm = parsed.hash_algorithm
    if algorithm not in SUPPORTED_ALGORITHMS:
        return False  # cannot hash to it; ``validate_policy`` keeps such policies out
    if cred.get("algorithm") != algorithm:
        return True
    if algorithm == "argon2":
        params = _first_values(cred.get("additionalParameters"))
        return cred.get("hashIterations") != ARGON2_ITERATIONS or any(
            params.get(key) != value for key, value in ARGON2_DEFAULTS.items()
        )
    wanted = parsed.hash_iterations or _PBKDF2.get(algorithm, ("", 0))[1]
    return cred.get("hashIterations") != wanted


def new_password_credential(
    user_id: str, password: str, *, now_ms: int, ids: Randomness, policy: str | None = None
) -> Credential:
    """A fresh ``password`` credential for ``user_id`` hashed per the realm policy; its id comes
    from ``ids``, its salt from the operating system (``os.urandom``), whatever ``ids`` is."""
    secret_data, credential_data = hash_password(password, policy=policy)
    return stored_password_credential(user_id, secret_data, credential_data, now_ms=now_ms, ids=ids)


def stored_password_credential(
    user_id: str, secret_data: str, credential_data: str, *, now_ms: int, ids: Randomness
) -> Credential:
    """A new ``password`` credential around an already hashed secret (ours, or one imported from
    Keycloak, which the caller has checked with ``parse_stored``)."""
    return Credential(
        id=ids.new_id(),
        user_id=user_id,
        type=PASSWORD_TYPE,
        secret_data=secret_data,
        credential_data=credential_data,
        created_date=now_ms,
    )
