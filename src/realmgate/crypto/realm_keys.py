"""Realm keys as Keycloak generates them, and their public JWKs.

A fresh Keycloak realm has four generated keys: ``rsa-generated`` (RS256 signing),
``rsa-enc-generated`` (RSA-OAEP encryption), ``hmac-generated`` (HS512) and ``aes-generated``
(AES, 16 bytes). A signature algorithm with no active key gets a fallback key on first need,
as Keycloak's ``createFallbackKeys`` makes them: ``rsa-generated`` for RS*/PS*,
``ecdsa-generated`` for ES*, ``eddsa-generated`` (Ed25519, key type ``OKP``) for EdDSA, all of
priority -100. RSA and EC keys carry a self-signed certificate with the realm name as CN,
because Keycloak publishes ``x5c`` and some clients pin it; EdDSA keys have none, as in Keycloak.

Asymmetric kids are RFC 7638 thumbprints of the public key, so the kid is stable for a key and
two instances agree on it; symmetric kids are ids from the caller's ``Randomness`` (they are
never published). Key material (private keys, HMAC/AES secrets) always comes from the operating
system's randomness: a test source must never weaken a real key.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import secrets
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from joserfc.jwk import ECKey, OKPKey, RSAKey

from realmgate.crypto.algorithms import EC_ALGORITHMS, EDDSA, RSA_ALGORITHMS
from realmgate.crypto.secrets import Randomness
from realmgate.model.keys import RealmKey

_RSA_BITS = 2048
_HMAC_BYTES = 64  # Keycloak's default secret size for HS512
_AES_BYTES = 16
_CERT_DAYS = 3650  # Keycloak's generated certificates are valid for ten years
_FALLBACK_PRIORITY = -100  # Keycloak's priority for keys made on first need
_EC_CURVES: dict[str, ec.EllipticCurve] = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}


_PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


def _private_pem(key: _PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def _public_pem(key: _PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def _self_signed_certificate(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, common_name: str, now: int) -> str:
    """Base64 DER certificate, as Keycloak shows it in ``x5c`` and the admin ``/keys`` list."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=_CERT_DAYS))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")


def thumbprint(public_pem: str) -> str:
    """RFC 7638 SHA-256 JWK thumbprint of a public key, base64url without padding."""
    loaded = serialization.load_pem_public_key(public_pem.encode("ascii"))
    if isinstance(loaded, rsa.RSAPublicKey):
        return RSAKey.import_key(public_pem).thumbprint()
    if isinstance(loaded, ed25519.Ed25519PublicKey):
        return OKPKey.import_key(public_pem).thumbprint()
    return ECKey.import_key(public_pem).thumbprint()


def keycloak_key_id(public_pem: str) -> str:
    """The kid Keycloak derives for a key pair: base64url SHA-256 of the public key's DER
    (SubjectPublicKeyInfo). Used for keys imported from Keycloak, so tokens it issued still
    name a key we publish."""
    public = serialization.load_pem_public_key(public_pem.encode("ascii"))
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode("ascii")


def _asymmetric_key(
    realm_id: str,
    private: _PrivateKey,
    *,
    algorithm: str,
    use: str,
    provider: str,
    realm_name: str,
    now: int,
    priority: int = 100,
) -> RealmKey:
    public_pem = _public_pem(private)
    if isinstance(private, ed25519.Ed25519PrivateKey):
        key_type, certificate = "OKP", None
    else:
        key_type = "RSA" if isinstance(private, rsa.RSAPrivateKey) else "EC"
        certificate = _self_signed_certificate(private, realm_name, now)
    return RealmKey(
        kid=thumbprint(public_pem),
        realm_id=realm_id,
        provider_id=provider,
        algorithm=algorithm,
        use=use,
        key_type=key_type,
        private_material=_private_pem(private),
        public_pem=public_pem,
        certificate=certificate,
        priority=priority,
        created=now,
    )


def _new_rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)


def _secret_key(realm_id: str, *, now: int, algorithm: str, provider: str, nbytes: int, ids: Randomness) -> RealmKey:
    return RealmKey(
        kid=ids.new_id(),
        realm_id=realm_id,
        provider_id=provider,
        algorithm=algorithm,
        use="sig" if algorithm.startswith("HS") else "enc",
        key_type="OCT",
        private_material=secrets.token_urlsafe(nbytes),
        created=now,
    )


def generate_default_keys(realm_id: str, *, now: int, ids: Randomness, realm_name: str | None = None) -> list[RealmKey]:
    """The four keys of a fresh Keycloak realm; certificates name ``realm_name`` (or the id)."""
    cn = realm_name or realm_id
    return [
        _asymmetric_key(
            realm_id, _new_rsa(), algorithm="RS256", use="sig", provider="rsa-generated", realm_name=cn, now=now
        ),
        _asymmetric_key(
            realm_id, _new_rsa(), algorithm="RSA-OAEP", use="enc", provider="rsa-enc-generated", realm_name=cn, now=now
        ),
        _secret_key(realm_id, now=now, algorithm="HS512", provider="hmac-generated", nbytes=_HMAC_BYTES, ids=ids),
        _secret_key(realm_id, now=now, algorithm="AES", provider="aes-generated", nbytes=_AES_BYTES, ids=ids),
    ]


GENERATED_PROVIDERS = frozenset(
    {"rsa-generated", "rsa-enc-generated", "hmac-generated", "aes-generated", "ecdsa-generated", "eddsa-generated"}
)


def generate_provider_key(
    realm_id: str, provider: str, algorithm: str, *, now: int, ids: Randomness, realm_name: str | None = None
) -> RealmKey:
    """A new key as Keycloak's ``provider`` (one of ``GENERATED_PROVIDERS``) generates it when
    an administrator adds that key provider; ``algorithm`` is the one its config asks for."""
    if provider == "hmac-generated":
        return _secret_key(realm_id, now=now, algorithm=algorithm, provider=provider, nbytes=_HMAC_BYTES, ids=ids)
    if provider == "aes-generated":
        return _secret_key(realm_id, now=now, algorithm="AES", provider=provider, nbytes=_AES_BYTES, ids=ids)
    if provider == "rsa-enc-generated":
        cn = realm_name or realm_id
        return _asymmetric_key(
            realm_id, _new_rsa(), algorithm=algorithm, use="enc", provider=provider, realm_name=cn, now=now
        )
    if provider not in GENERATED_PROVIDERS:
        raise ValueError(f"unknown key provider {provider}")
    return generate_signing_key(realm_id, algorithm, now=now, realm_name=realm_name)


def _new_signing_key(algorithm: str) -> tuple[_PrivateKey, str]:
    """A fresh private key for ``algorithm`` and the Keycloak provider that generates such keys."""
    if algorithm in RSA_ALGORITHMS:
        return _new_rsa(), "rsa-generated"
    if algorithm in _EC_CURVES:
        return ec.generate_private_key(_EC_CURVES[algorithm]), "ecdsa-generated"
    if algorithm == EDDSA:
        return ed25519.Ed25519PrivateKey.generate(), "eddsa-generated"
    raise ValueError(f"unsupported signature algorithm {algorithm}")


def generate_signing_key(
    realm_id: str, algorithm: str, *, now: int, realm_name: str | None = None, priority: int = 100
) -> RealmKey:
    """A generated signing key for any algorithm of ``algorithms.SIGNATURE_ALGORITHMS``."""
    private, provider = _new_signing_key(algorithm)
    return _asymmetric_key(
        realm_id,
        private,
        algorithm=algorithm,
        use="sig",
        provider=provider,
        realm_name=realm_name or realm_id,
        now=now,
        priority=priority,
    )


def generate_fallback_key(realm_id: str, algorithm: str, *, now: int, realm_name: str | None = None) -> RealmKey:
    """The key Keycloak's ``createFallbackKeys`` makes when a realm first needs ``algorithm``."""
    return generate_signing_key(realm_id, algorithm, now=now, realm_name=realm_name, priority=_FALLBACK_PRIORITY)


def generate_ec_key(realm_id: str, *, now: int, algorithm: str = "ES256", realm_name: str | None = None) -> RealmKey:
    """An ``ecdsa-generated`` signing key for ES256/ES384/ES512."""
    if algorithm not in EC_ALGORITHMS:
        raise ValueError(f"unsupported EC algorithm {algorithm}")
    return generate_signing_key(realm_id, algorithm, now=now, realm_name=realm_name)


def _x5t(certificate: str, digest: str) -> str:
    der = base64.b64decode(certificate)
    raw = hashlib.new(digest, der).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


PUBLISHED_KEY_TYPES = ("RSA", "EC", "OKP")


def public_jwk(key: RealmKey) -> dict[str, object]:
    """The key's JWKS entry (RSA, EC or OKP only): never includes private parameters."""
    if key.public_pem is None or key.key_type not in PUBLISHED_KEY_TYPES:
        raise ValueError("only RSA, EC and OKP keys have a public JWK")
    jwk: dict[str, object] = {"kid": key.kid, "kty": key.key_type, "alg": key.algorithm, "use": key.use}
    if key.key_type == "RSA":
        params = RSAKey.import_key(key.public_pem).as_dict(private=False)
        jwk.update(n=params["n"], e=params["e"])
    elif key.key_type == "EC":
        params = ECKey.import_key(key.public_pem).as_dict(private=False)
        jwk.update(crv=params["crv"], x=params["x"], y=params["y"])
    else:
        params = OKPKey.import_key(key.public_pem).as_dict(private=False)
        jwk.update(crv=params["crv"], x=params["x"])
    if key.certificate is not None:
        jwk["x5c"] = [key.certificate]
        jwk["x5t"] = _x5t(key.certificate, "sha1")
        jwk["x5t#S256"] = _x5t(key.certificate, "sha256")
    return jwk


def active_key(keys: Sequence[RealmKey], algorithm: str) -> RealmKey | None:
    """The key to use for new signatures/encryptions: active, enabled, highest priority, newest."""
    candidates = [k for k in keys if k.algorithm == algorithm and k.active and k.enabled]
    if not candidates:
        return None
    return max(candidates, key=lambda k: (k.priority, k.created))
