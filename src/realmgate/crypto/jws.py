"""Compact JWS signing and verification for realm tokens and upstream tokens (joserfc).

Rules that keep this safe against the classic JWT attacks:

- the caller passes an allow-list of algorithms; ``none`` is refused whatever the list says;
- the key's own algorithm/type must fit the header's ``alg`` (an RSA key never verifies an
  ``HS256`` token, so a public key can never be reused as an HMAC secret);
- upstream JWKS entries of type ``oct`` are ignored: HMAC keys are never taken from a JWKS;
- ``EdDSA`` (RFC 8037, the name Keycloak uses) only ever runs on Ed25519 keys. RFC 9864
  deprecates that name because it leaves the curve open; pinning the curve here closes that gap,
  so joserfc's deprecation warning for it is answered by this registry rather than ignored.

Only the signature is checked here; expiry, audience and issuer belong to the caller.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Collection, Mapping, Sequence

from joserfc import jws
from joserfc.errors import InvalidKeyCurveError, JoseError
from joserfc.jwa import EdDSAAlgorithm, JWSAlgModel
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

from realmgate.crypto.algorithms import EC_ALGORITHMS, EDDSA, HMAC_ALGORITHMS, RSA_ALGORITHMS
from realmgate.model.keys import RealmKey

_Key = RSAKey | ECKey | OctKey | OKPKey

# Header alg -> the JWK key type that can carry it.
_KTY_FOR_ALG: Mapping[str, str] = {
    **dict.fromkeys(RSA_ALGORITHMS, "RSA"),
    **dict.fromkeys(EC_ALGORITHMS, "EC"),
    **dict.fromkeys(HMAC_ALGORITHMS, "oct"),
    EDDSA: "OKP",
}


class _Ed25519EdDSA(JWSAlgModel):
    """``EdDSA`` restricted to Ed25519 keys: the fully specified algorithm RFC 9864 asks for,
    under the name Keycloak and its clients use. Signing itself is joserfc's RFC 8037 code."""

    name = EDDSA
    description = "EdDSA on Ed25519 keys only"
    key_type = "OKP"
    _rfc8037 = EdDSAAlgorithm()

    def check_key(self, key: OKPKey) -> None:
        super().check_key(key)
        if key.curve_name != "Ed25519":
            raise InvalidKeyCurveError("EdDSA keys must be Ed25519")

    def sign(self, msg: bytes, key: OKPKey) -> bytes:
        return self._rfc8037.sign(msg, key)

    def verify(self, msg: bytes, sig: bytes, key: OKPKey) -> bool:
        return self._rfc8037.verify(msg, sig, key)


class _Registry(jws.JWSRegistry):
    algorithms = {**jws.JWSRegistry.algorithms, EDDSA: _Ed25519EdDSA()}


def _registry(alg: str) -> jws.JWSRegistry:
    return _Registry(algorithms=[alg])


class BadSignature(Exception):
    """The token is malformed, uses a refused algorithm, or its signature does not verify."""


class UnknownKey(BadSignature):
    """No key has the token's ``kid``: the caller may refresh the upstream JWKS and retry."""


def _b64decode(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadSignature("malformed token") from exc


def _json_object(raw: bytes) -> dict[str, object]:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise BadSignature("malformed token") from exc
    if not isinstance(value, dict):
        raise BadSignature("malformed token")
    return value


def _parts(token: str) -> list[str]:
    parts = token.split(".")
    if len(parts) != 3:
        raise BadSignature("malformed token")
    return parts


def unverified_header(token: str) -> dict[str, object]:
    """The JOSE header, without any verification (to choose a key)."""
    return _json_object(_b64decode(_parts(token)[0]))


def unverified_claims(token: str) -> dict[str, object]:
    """The payload as a JSON object, without any verification (never trust it for decisions)."""
    return _json_object(_b64decode(_parts(token)[1]))


def _checked_alg(token: str, algorithms: Collection[str]) -> tuple[str, str | None]:
    if isinstance(algorithms, str):  # "RS256" is a Collection[str] too: never match substrings
        algorithms = (algorithms,)
    header = unverified_header(token)
    alg, kid = header.get("alg"), header.get("kid")
    if not isinstance(alg, str) or alg.lower() == "none" or alg not in algorithms or alg not in _KTY_FOR_ALG:
        raise BadSignature("token algorithm not allowed")
    if kid is not None and not isinstance(kid, str):
        raise BadSignature("malformed kid")
    return alg, kid


def _realm_signing_key(key: RealmKey, *, private: bool) -> _Key:
    material = key.private_material if private else (key.public_pem or key.private_material)
    return _import_realm_key(key.key_type, material)


@functools.lru_cache(maxsize=256)
def _import_realm_key(key_type: str, material: str) -> _Key:
    """Parsed once per process: loading a PEM RSA private key checks it (~30 ms), which would
    otherwise be paid on every token signed."""
    if key_type == "OCT":
        return OctKey.import_key(_b64decode(material))
    if key_type == "RSA":
        return RSAKey.import_key(material)
    if key_type == "EC":
        return ECKey.import_key(material)
    if key_type == "OKP":
        return OKPKey.import_key(material)
    raise ValueError(f"key type {key_type} cannot sign")


def sign(claims: Mapping[str, object], key: RealmKey, *, typ: str = "JWT") -> str:
    """Sign ``claims`` with a realm key; the header carries ``alg``, ``typ`` and ``kid``."""
    if key.algorithm not in _KTY_FOR_ALG:
        raise ValueError(f"{key.algorithm} is not a signature algorithm")
    header = {"alg": key.algorithm, "typ": typ, "kid": key.kid}
    payload = json.dumps(claims, separators=(",", ":")).encode("utf-8")
    return jws.serialize_compact(
        header, payload, _realm_signing_key(key, private=True), registry=_registry(key.algorithm)
    )


def _verify_with(token: str, key: _Key, alg: str) -> dict[str, object] | None:
    try:
        result = jws.deserialize_compact(token, key, registry=_registry(alg))
    except (JoseError, ValueError):
        return None
    return _json_object(result.payload)


def verify(token: str, keys: Sequence[RealmKey], *, algorithms: Collection[str]) -> dict[str, object]:
    """Verify a token signed by one of the realm's own keys; returns its claims."""
    alg, kid = _checked_alg(token, algorithms)
    candidates = [k for k in keys if k.enabled and k.algorithm == alg and (kid is None or k.kid == kid)]
    for candidate in candidates:
        claims = _verify_with(token, _realm_signing_key(candidate, private=False), alg)
        if claims is not None:
            return claims
    raise BadSignature("invalid token signature")


def _jwk_fits(jwk: Mapping[str, object], alg: str) -> bool:
    return jwk.get("kty") == _KTY_FOR_ALG[alg] and jwk.get("alg") in (None, alg) and jwk.get("use") in (None, "sig")


def _import_public_jwk(jwk: Mapping[str, object]) -> _Key | None:
    public = {k: v for k, v in jwk.items() if isinstance(v, str | list)}
    try:
        if jwk.get("kty") == "RSA":
            return RSAKey.import_key(public)
        if jwk.get("kty") == "EC":
            return ECKey.import_key(public)
        if jwk.get("kty") == "OKP":
            return OKPKey.import_key(public)
    except (JoseError, ValueError, TypeError):
        return None
    return None


def verify_with_jwks(
    token: str, jwks: Sequence[Mapping[str, object]], *, algorithms: Collection[str]
) -> dict[str, object]:
    """Verify an upstream token against its provider's published keys.

    Raises ``UnknownKey`` when the token names a ``kid`` the set does not contain (the keys
    may have rotated), ``BadSignature`` otherwise.
    """
    alg, kid = _checked_alg(token, [a for a in algorithms if not a.startswith("HS")])
    if kid is not None:
        named = [j for j in jwks if j.get("kid") == kid and j.get("kty") != "oct"]
        if not named:
            raise UnknownKey("no key with this kid")
        candidates = [j for j in named if _jwk_fits(j, alg)]
    else:
        candidates = [j for j in jwks if _jwk_fits(j, alg)]
    for jwk in candidates:
        key = _import_public_jwk(jwk)
        claims = None if key is None else _verify_with(token, key, alg)
        if claims is not None:
            return claims
    raise BadSignature("invalid token signature")


def verify_with_secret(token: str, secret: str, *, algorithms: Collection[str]) -> dict[str, object]:
    """Verify an HMAC-signed token (an upstream ID token signed with our client secret)."""
    alg, _ = _checked_alg(token, [a for a in algorithms if a.startswith("HS")])
    claims = _verify_with(token, OctKey.import_key(secret.encode("utf-8")), alg)
    if claims is None:
        raise BadSignature("invalid token signature")
    return claims
