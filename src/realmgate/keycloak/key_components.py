"""Realm keys <-> Keycloak's ``components["org.keycloak.keys.KeyProvider"]`` in realm files.

Keycloak's own exports carry the realm keys as key-provider components (private key and
certificate as base64 DER, HMAC/AES secrets base64url, every config value a one-element list).
Importing them keeps tokens issued before a migration verifiable. Asymmetric kids follow
Keycloak's derivation unless the config names one (we write ``kid`` only when ours differs).
An ``algorithm`` the key cannot sign or encrypt with is refused, so a key never claims an
algorithm it would not deliver. ``eddsa-generated`` keys carry ``eddsaPrivateKey`` (PKCS#8) and
``eddsaPublicKey`` (SubjectPublicKeyInfo), base64 DER, and ``eddsaEllipticCurveKey`` (Ed25519).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from realmgate.crypto.algorithms import EDDSA, HMAC_ALGORITHMS, RSA_ALGORITHMS
from realmgate.crypto.realm_keys import GENERATED_PROVIDERS, generate_provider_key, keycloak_key_id
from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.realm_file import MASKED_SECRET, ImportContext, join_path, log
from realmgate.model.keys import RealmKey
from realmgate.model.realm import Realm
from realmgate.store.interface import Tx

KEY_PROVIDER = "org.keycloak.keys.KeyProvider"
_EDDSA_PROVIDER = "eddsa-generated"
_ED25519 = "Ed25519"
_RSA_ENC_ALGORITHMS = ("RSA-OAEP", "RSA-OAEP-256", "RSA1_5")
# provider -> (default algorithm, use, algorithms its keys can serve)
_RSA_PROVIDERS = {
    "rsa-generated": ("RS256", "sig", RSA_ALGORITHMS),
    "rsa": ("RS256", "sig", RSA_ALGORITHMS),
    "rsa-enc-generated": ("RSA-OAEP", "enc", _RSA_ENC_ALGORITHMS),
}
_SECRET_PROVIDERS = {
    "hmac-generated": ("HS512", "sig", HMAC_ALGORITHMS),
    "aes-generated": ("AES", "enc", ("AES",)),
}
_EC_ALGORITHMS = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
_EC_CURVES = {v: k for k, v in _EC_ALGORITHMS.items()}
_PRIVATE_KEY_FIELDS = ("privateKey", "ecPrivateKey", "eddsaPrivateKey", "secret")


def _first(config: Mapping[str, object], key: str) -> str | None:
    value = config.get(key)
    if isinstance(value, list) and value and isinstance(value[0], str | int | bool):
        return str(value[0])
    return None


def _flag(config: Mapping[str, object], key: str) -> bool:
    return (_first(config, key) or "true").lower() == "true"


_KEY_CLASSES = {"RSA": rsa.RSAPrivateKey, "EC": ec.EllipticCurvePrivateKey, "OKP": ed25519.Ed25519PrivateKey}


def _pem_from_der(der_b64: str, key_type: str) -> tuple[str, str]:
    """(private PKCS#8 PEM, public SPKI PEM) from a base64 DER private key (PKCS#8 or PKCS#1)
    that must be of ``key_type``."""
    key = serialization.load_der_private_key(base64.b64decode(der_b64), password=None)
    if not isinstance(key, _KEY_CLASSES[key_type]):
        raise ValueError(f"the private key is not a {key_type} key")
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private, public


def _key_from_component(
    realm: Realm, provider: str, config: Mapping[str, object], now: int, ids: Randomness
) -> RealmKey | None:
    key = _key_material(realm, provider, config, ids)
    if key is None:
        return None
    return dataclasses.replace(
        key,
        priority=int(_first(config, "priority") or "100"),
        active=_flag(config, "active"),
        enabled=_flag(config, "enabled"),
        created=now,
    )


def _algorithm(config: Mapping[str, object], default: str, allowed: Sequence[str]) -> str:
    algorithm = _first(config, "algorithm") or default
    if algorithm not in allowed:
        raise ValueError(f"algorithm {algorithm} is not one of {', '.join(allowed)}")
    return algorithm


def _asymmetric(provider: str, config: Mapping[str, object]) -> tuple[str, str, str, str] | None:
    """(private key field, algorithm, use, key type) of an asymmetric provider, else None."""
    if provider in _RSA_PROVIDERS:
        default, use, allowed = _RSA_PROVIDERS[provider]
        return "privateKey", _algorithm(config, default, allowed), use, "RSA"
    if provider == "ecdsa-generated":
        curve = _first(config, "ecdsaEllipticCurveKey") or "P-256"
        if curve not in _EC_ALGORITHMS:
            raise ValueError(f"unsupported curve {curve}")
        return "ecPrivateKey", _EC_ALGORITHMS[curve], "sig", "EC"
    if provider == _EDDSA_PROVIDER:
        curve = _first(config, "eddsaEllipticCurveKey") or _ED25519
        if curve != _ED25519:
            raise ValueError(f"unsupported curve {curve}")
        return "eddsaPrivateKey", EDDSA, "sig", "OKP"
    return None


def _generated_algorithm(provider: str, config: Mapping[str, object]) -> str:
    asymmetric = _asymmetric(provider, config)
    if asymmetric is not None:
        return asymmetric[1]
    default, _, allowed = _SECRET_PROVIDERS[provider]
    return _algorithm(config, default, allowed)


def key_from_component(
    realm: Realm, provider: str, config: Mapping[str, object], *, now: int, ids: Randomness
) -> RealmKey:
    """The key a key-provider component added through the admin API stands for: a generated
    provider without key material generates one (as Keycloak does on creation), otherwise the
    material given is imported. Raises ``ValueError`` for an unknown provider or bad config."""
    if provider in GENERATED_PROVIDERS and not any(_first(config, f) for f in _PRIVATE_KEY_FIELDS):
        key = generate_provider_key(
            realm.id, provider, _generated_algorithm(provider, config), now=now, ids=ids, realm_name=realm.name
        )
        return dataclasses.replace(
            key,
            priority=int(_first(config, "priority") or "0"),
            active=_flag(config, "active"),
            enabled=_flag(config, "enabled"),
        )
    imported = _key_from_component(realm, provider, config, now, ids)
    if imported is None:
        raise ValueError(f"unknown key provider {provider}")
    return imported


def key_with_settings(key: RealmKey, config: Mapping[str, object], name: str | None) -> RealmKey:
    """``key`` with the settings an update of its component may change (priority, active,
    enabled, name); the key material stays."""
    priority = _first(config, "priority")
    return dataclasses.replace(
        key,
        priority=key.priority if priority is None else int(priority),
        active=_flag(config, "active") if "active" in config else key.active,
        enabled=_flag(config, "enabled") if "enabled" in config else key.enabled,
        name=name if name is not None else key.name,
    )


def _key_material(realm: Realm, provider: str, config: Mapping[str, object], ids: Randomness) -> RealmKey | None:
    asymmetric = _asymmetric(provider, config)
    if asymmetric is not None:
        field, algorithm, use, key_type = asymmetric
        der = _first(config, field)
        if der is None:
            raise ValueError("missing private key")
        private, public = _pem_from_der(der, key_type)
        return RealmKey(
            kid=_first(config, "kid") or keycloak_key_id(public),
            algorithm=algorithm,
            use=use,
            key_type=key_type,
            private_material=private,
            public_pem=public,
            certificate=_first(config, "certificate"),
            realm_id=realm.id,
            provider_id=provider,
        )
    if provider in _SECRET_PROVIDERS:
        secret = _first(config, "secret")
        if secret is None:
            raise ValueError("missing secret")
        default, use, allowed = _SECRET_PROVIDERS[provider]
        return RealmKey(
            kid=_first(config, "kid") or ids.new_id(),
            algorithm=_algorithm(config, default, allowed),
            use=use,
            key_type="OCT",
            private_material=secret,
            realm_id=realm.id,
            provider_id=provider,
        )
    return None


async def import_key_components(
    ctx: ImportContext, tx: Tx, realm: Realm, rep: Mapping[str, object], *, now: int
) -> None:
    """Add the realm keys listed as key-provider components; other components are ignored."""
    components = ctx.mapping(rep, "components", "$")
    for path, item in ctx.objects(components, KEY_PROVIDER, "$.components"):
        provider = item.get("providerId")
        config = item.get("config") or {}
        if not isinstance(provider, str) or not isinstance(config, dict):
            raise ctx.error(path, "a key provider needs providerId and config")
        if any(_first(config, name) == MASKED_SECRET for name in _PRIVATE_KEY_FIELDS):
            log.warning("%s: %s: masked key (partial export) skipped", ctx.source, path)
            continue
        try:
            key = _key_from_component(realm, provider, config, now, ctx.ids)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise ctx.error(join_path(path, "config"), f"invalid key: {exc}") from None
        if key is None:
            ctx.warn_unknown(path, [f"providerId={provider}"])
            continue
        await ctx.store(path, tx.keys.add(key))


def _der_b64(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return base64.b64encode(der).decode("ascii")


def _public_der_b64(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def _component_config(key: RealmKey) -> dict[str, list[str]]:
    config = {
        "priority": [str(key.priority)],
        "active": ["true" if key.active else "false"],
        "enabled": ["true" if key.enabled else "false"],
        "algorithm": [key.algorithm],
    }
    if key.key_type == "OCT":
        config.update(kid=[key.kid], secret=[key.private_material])
        return config
    if key.key_type == "RSA":
        config["privateKey"] = [_der_b64(key.private_material)]
        if key.use == "enc":
            config["keyUse"] = ["ENC"]
    elif key.key_type == "OKP":
        config.pop("algorithm")
        config["eddsaPrivateKey"] = [_der_b64(key.private_material)]
        config["eddsaPublicKey"] = [_public_der_b64(key.private_material)]
        config["eddsaEllipticCurveKey"] = [_ED25519]
    else:
        config.pop("algorithm")
        config["ecPrivateKey"] = [_der_b64(key.private_material)]
        config["ecdsaEllipticCurveKey"] = [_EC_CURVES.get(key.algorithm, "P-256")]
    if key.certificate:
        config["certificate"] = [key.certificate]
    if key.public_pem and key.kid != keycloak_key_id(key.public_pem):
        config["kid"] = [key.kid]
    return config


def export_key_components(keys: Sequence[RealmKey]) -> list[dict[str, object]]:
    """The realm's keys as Keycloak key-provider components, in a stable order."""
    return [
        {
            "id": key.kid,
            "name": key.name or key.provider_id,
            "providerId": key.provider_id,
            "subComponents": {},
            "config": _component_config(key),
        }
        for key in sorted(keys, key=lambda k: (k.provider_id, k.kid))
    ]


def key_component_rep(key: RealmKey) -> dict[str, object]:
    """A key as the admin API's ``components`` show it: its id is the kid, private material is
    Keycloak's mask (``ComponentRepresentation.SECRET_VALUE``)."""
    config = _component_config(key)
    for name in _PRIVATE_KEY_FIELDS:
        if name in config:
            config[name] = [MASKED_SECRET]
    return {
        "id": key.kid,
        "name": key.name or key.provider_id,
        "providerId": key.provider_id,
        "providerType": KEY_PROVIDER,
        "parentId": key.realm_id,
        "config": config,
    }
