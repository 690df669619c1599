"""Realm keys as Keycloak generates them, and their public JWKs.

A fresh Keycloak realm has four generated keys: ``rsa-generated`` (RS256 signing),
``rsa-enc-generated`` (RSA-OAEP encryption), ``hmac-generated`` (HS512) and ``aes-generated``
(AES, 16 bytes). ES256 keys (``ecdsa-generated``) are made when a client first asks for that
algorithm. RSA keys carry a self-signed certificate with the realm name as CN, because Keycloak
publishes ``x5c`` and some clients pin it.

Asymmetric kids are RFC 7638 thumbprints of the public key, so the kid is stable for a key and
two instances agree on it; symmetric kids are random (they are never published).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from joserfc.jwk import ECKey, RSAKey

from realmgate.crypto.secrets import new_id, new_secret
from realmgate.model.keys import RealmKey

_RSA_BITS = 2048
_HMAC_BYTES = 64  # Keycloak's default secret size for HS512
_AES_BYTES = 16
_CERT_DAYS = 3650  # Keycloak's generated certificates are valid for ten years
_EC_CURVES: dict[str, tuple[ec.EllipticCurve, str]] = {
    "ES256": (ec.SECP256R1(), "P-256"),
    "ES384": (ec.SECP384R1(), "P-384"),
    "ES512": (ec.SECP521R1(), "P-521"),
}


def _private_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def _public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
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
    return ECKey.import_key(public_pem).thumbprint()


def keycloak_key_id(public_pem: str) -> str:
    """The kid Keycloak derives for a key pair: base64url SHA-256 of the public key's DER
    (SubjectPublicKeyInfo). Used for keys imported from Keycloak, so tokens it issued still
    name a key we publish."""
    public = serialization.load_pem_public_key(public_pem.encode("ascii"))
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode("ascii")


def _rsa_key(realm_id: str, realm_name: str, *, now: int, algorithm: str, use: str, provider: str) -> RealmKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    public_pem = _public_pem(private)
    return RealmKey(
        kid=thumbprint(public_pem),
        realm_id=realm_id,
        provider_id=provider,
        algorithm=algorithm,
        use=use,
        key_type="RSA",
        private_material=_private_pem(private),
        public_pem=public_pem,
        certificate=_self_signed_certificate(private, realm_name, now),
        created=now,
    )


def _secret_key(realm_id: str, *, now: int, algorithm: str, provider: str, nbytes: int) -> RealmKey:
    return RealmKey(
        kid=new_id(),
        realm_id=realm_id,
        provider_id=provider,
        algorithm=algorithm,
        use="sig" if algorithm.startswith("HS") else "enc",
        key_type="OCT",
        private_material=new_secret(nbytes),
        created=now,
    )


def generate_default_keys(realm_id: str, *, now: int, realm_name: str | None = None) -> list[RealmKey]:
    """The four keys of a fresh Keycloak realm; certificates name ``realm_name`` (or the id)."""
    cn = realm_name or realm_id
    return [
        _rsa_key(realm_id, cn, now=now, algorithm="RS256", use="sig", provider="rsa-generated"),
        _rsa_key(realm_id, cn, now=now, algorithm="RSA-OAEP", use="enc", provider="rsa-enc-generated"),
        _secret_key(realm_id, now=now, algorithm="HS512", provider="hmac-generated", nbytes=_HMAC_BYTES),
        _secret_key(realm_id, now=now, algorithm="AES", provider="aes-generated", nbytes=_AES_BYTES),
    ]


def generate_ec_key(realm_id: str, *, now: int, algorithm: str = "ES256", realm_name: str | None = None) -> RealmKey:
    """An ``ecdsa-generated`` signing key for ES256/ES384/ES512."""
    if algorithm not in _EC_CURVES:
        raise ValueError(f"unsupported EC algorithm {algorithm}")
    private = ec.generate_private_key(_EC_CURVES[algorithm][0])
    public_pem = _public_pem(private)
    return RealmKey(
        kid=thumbprint(public_pem),
        realm_id=realm_id,
        provider_id="ecdsa-generated",
        algorithm=algorithm,
        use="sig",
        key_type="EC",
        private_material=_private_pem(private),
        public_pem=public_pem,
        certificate=_self_signed_certificate(private, realm_name or realm_id, now),
        created=now,
    )


def _x5t(certificate: str, digest: str) -> str:
    der = base64.b64decode(certificate)
    raw = hashlib.new(digest, der).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def public_jwk(key: RealmKey) -> dict[str, object]:
    """The key's JWKS entry (RSA or EC only): never includes private parameters."""
    if key.public_pem is None or key.key_type not in ("RSA", "EC"):
        raise ValueError("only RSA and EC keys have a public JWK")
    jwk: dict[str, object] = {"kid": key.kid, "kty": key.key_type, "alg": key.algorithm, "use": key.use}
    if key.key_type == "RSA":
        params = RSAKey.import_key(key.public_pem).as_dict(private=False)
        jwk.update(n=params["n"], e=params["e"])
    else:
        params = ECKey.import_key(key.public_pem).as_dict(private=False)
        jwk.update(crv=params["crv"], x=params["x"], y=params["y"])
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
