"""Realm keys: signing, encryption and symmetric keys, stored in the database as Keycloak does."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RealmKey:
    """One key of a realm.

    ``provider_id`` is Keycloak's key provider (``rsa-generated``, ``rsa-enc-generated``,
    ``hmac-generated``, ``aes-generated``, ``ecdsa-generated``). ``private_material`` is a PEM
    private key for asymmetric keys, or the base64url secret for HMAC/AES keys.
    """

    kid: str
    realm_id: str
    provider_id: str
    algorithm: str  # RS256, RSA-OAEP, HS512, AES, ES256
    use: str  # "sig" or "enc"
    key_type: str  # RSA, EC, OCT
    private_material: str
    public_pem: str | None = None
    certificate: str | None = None  # base64 DER self-signed certificate (x5c)
    priority: int = 100
    active: bool = True  # used for new signatures / encryptions
    enabled: bool = True  # published and accepted for verification
    created: int = 0  # epoch seconds
    name: str | None = None  # the key provider component's name (None: the provider id)
