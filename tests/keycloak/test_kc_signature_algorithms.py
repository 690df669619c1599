"""Signature algorithms in realm files against a real store: fallback keys of every kind survive
export -> import (EdDSA as Keycloak's ``eddsa-generated`` component), and a client or realm
naming an algorithm realmgate cannot produce is refused with its JSON path, keeping nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from realmgate.crypto import jws
from realmgate.crypto.realm_keys import generate_fallback_key
from realmgate.crypto.secrets import SYSTEM
from realmgate.keycloak.defaults import create_realm
from realmgate.keycloak.realm_export import export_realm
from realmgate.keycloak.realm_import import RealmFileError, import_realm
from realmgate.store.interface import Store

NOW = 1_700_000_000
ALGS = ("PS256", "RS512", "ES384", "EdDSA")


async def _import(store: Store, rep: dict[str, Any]) -> None:
    async with store.tx() as tx:
        await import_realm(tx, rep, source="algs.json", now=NOW, ids=SYSTEM)


async def _export(store: Store, name: str) -> dict[str, Any]:
    async with store.tx() as tx:
        exported: dict[str, Any] = await export_realm(tx, name, include_users=False)
    return exported


async def test_fallback_keys_of_every_kind_survive_export_and_import(store: Store) -> None:
    async with store.tx() as tx:
        realm = await create_realm(tx, "algs", now=NOW, ids=SYSTEM)
        for alg in ALGS:
            await tx.keys.add(generate_fallback_key(realm.id, alg, now=NOW, realm_name="algs"))
        before = {k.kid: k for k in await tx.keys.list(realm.id)}
    tokens = {alg: jws.sign({"sub": alg}, next(k for k in before.values() if k.algorithm == alg)) for alg in ALGS}
    exported = await _export(store, "algs")
    components = exported["components"]["org.keycloak.keys.KeyProvider"]
    eddsa = next(c for c in components if c["providerId"] == "eddsa-generated")
    assert eddsa["config"]["eddsaEllipticCurveKey"] == ["Ed25519"]
    assert {"eddsaPrivateKey", "eddsaPublicKey", "priority"} <= set(eddsa["config"])
    assert eddsa["config"]["kid"] == [next(k.kid for k in before.values() if k.algorithm == "EdDSA")]
    async with store.tx() as tx:
        await tx.realms.delete(realm.id)
    await _import(store, json.loads(json.dumps(exported)))
    assert await _export(store, "algs") == exported
    async with store.tx() as tx:
        after = {k.kid: k for k in await tx.keys.list(realm.id)}
    assert set(after) == set(before)
    for kid, key in before.items():
        assert (after[kid].algorithm, after[kid].key_type, after[kid].priority, after[kid].private_material) == (
            key.algorithm,
            key.key_type,
            key.priority,
            key.private_material,
        )
    for alg, token in tokens.items():
        assert jws.verify(token, list(after.values()), algorithms=[alg]) == {"sub": alg}


def _key_component(provider: str, config: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "realm": "keyed",
        "components": {"org.keycloak.keys.KeyProvider": [{"providerId": provider, "config": config}]},
    }


async def test_key_component_must_fit_its_algorithm(store: Store) -> None:
    async with store.tx() as tx:
        realm = await create_realm(tx, "donor", now=NOW, ids=SYSTEM)
        await tx.keys.add(generate_fallback_key(realm.id, "EdDSA", now=NOW))
    exported = await _export(store, "donor")
    components = exported["components"]["org.keycloak.keys.KeyProvider"]
    eddsa_der = next(c for c in components if c["providerId"] == "eddsa-generated")["config"]["eddsaPrivateKey"]
    rsa_der = next(c for c in components if c["providerId"] == "rsa-generated")["config"]["privateKey"]
    bad = {
        "rsa-generated with an EC algorithm": _key_component(
            "rsa-generated", {"privateKey": rsa_der, "algorithm": ["ES256"]}
        ),
        "hmac with an RSA algorithm": _key_component(
            "hmac-generated", {"secret": ["c2VjcmV0"], "algorithm": ["RS256"]}
        ),
        "unknown EC curve": _key_component(
            "ecdsa-generated", {"ecPrivateKey": rsa_der, "ecdsaEllipticCurveKey": ["P-256K"]}
        ),
        "Ed448": _key_component("eddsa-generated", {"eddsaPrivateKey": eddsa_der, "eddsaEllipticCurveKey": ["Ed448"]}),
        "RSA key as EdDSA": _key_component("eddsa-generated", {"eddsaPrivateKey": rsa_der}),
    }
    for label, rep in bad.items():
        with pytest.raises(RealmFileError) as err:
            await _import(store, rep)
        assert err.value.json_path == "$.components.org.keycloak.keys.KeyProvider[0].config", label
    async with store.tx() as tx:
        assert await tx.realms.get_by_name("keyed") is None


@pytest.mark.parametrize(
    ("rep", "path"),
    [
        (
            {
                "clients": [
                    {"clientId": "ok"},
                    {"clientId": "c", "attributes": {"access.token.signed.response.alg": "XX999"}},
                ]
            },
            "$.clients[1].attributes['access.token.signed.response.alg']",
        ),
        (
            {"clients": [{"clientId": "c", "attributes": {"user.info.response.signature.alg": "HS256"}}]},
            "$.clients[0].attributes['user.info.response.signature.alg']",
        ),
        ({"defaultSignatureAlgorithm": "HS256"}, "$.defaultSignatureAlgorithm"),
    ],
)
async def test_unsupported_algorithms_refuse_the_whole_file(store: Store, rep: dict[str, Any], path: str) -> None:
    with pytest.raises(RealmFileError) as err:
        await _import(store, {"realm": "refused", **rep})
    assert err.value.json_path == path
    assert "unsupported algorithm" in err.value.message
    async with store.tx() as tx:
        assert await tx.realms.get_by_name("refused") is None


async def test_supported_algorithms_are_kept(store: Store) -> None:
    attributes = {
        "access.token.signed.response.alg": "PS256",
        "id.token.signed.response.alg": "EdDSA",
        "user.info.response.signature.alg": "unsigned",
        "request.object.signature.alg": "any",
        "token.endpoint.auth.signing.alg": "",
    }
    await _import(
        store,
        {
            "realm": "kept",
            "defaultSignatureAlgorithm": "ES256",
            "clients": [{"clientId": "c", "attributes": attributes}],
        },
    )
    async with store.tx() as tx:
        realm = await tx.realms.get_by_name("kept")
        assert realm is not None and realm.default_signature_algorithm == "ES256"
        client = await tx.clients.get_by_client_id(realm.id, "c")
    assert client is not None and {k: client.attributes[k] for k in attributes} == attributes
