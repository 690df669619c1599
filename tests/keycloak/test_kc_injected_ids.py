"""The ids and secrets of what keycloak/ builds come from the ``Randomness`` it is given: a realm
built twice from the same seed is the same realm, and each id is one the source handed out."""

from __future__ import annotations

from typing import Any

from tests.unit.ids import CountingRandomness

from realmgate.keycloak.defaults import create_realm
from realmgate.keycloak.realm_import import import_realm
from realmgate.model.realm import Realm
from realmgate.store.interface import Store, Tx

NOW = 1_700_000_000


class _Discard(Exception):
    """Raised to roll a build back once its snapshot is taken."""


async def _snapshot(tx: Tx, realm: Realm) -> dict[str, Any]:
    """Everything a fresh realm holds, keys without their material (that is the OS's)."""
    clients = list(await tx.clients.list(realm.id))
    return {
        "realm": realm,
        "clients": sorted(clients, key=lambda c: c.id),
        "roles": sorted(await tx.roles.list_all(realm.id), key=lambda r: r.id),
        "scopes": sorted(await tx.client_scopes.list(realm.id), key=lambda s: s.id),
        "components": sorted(await tx.components.list(realm.id), key=lambda c: c.id),
        "keys": sorted(
            (k.kid, k.provider_id, k.algorithm) for k in await tx.keys.list(realm.id) if k.key_type == "OCT"
        ),
    }


async def _build(store: Store, seed: int) -> tuple[dict[str, Any], CountingRandomness]:
    ids = CountingRandomness(seed)
    snapshot: dict[str, Any] = {}
    try:
        async with store.tx() as tx:
            realm = await create_realm(tx, "demo", now=NOW, ids=ids)
            snapshot = await _snapshot(tx, realm)
            raise _Discard
    except _Discard:
        pass
    return snapshot, ids


def _made_ids(snapshot: dict[str, Any]) -> list[str]:
    """Every id and generated secret in the snapshot (mappers included)."""
    made = [snapshot["realm"].id]
    for client in snapshot["clients"]:
        made += [client.id, *(m.id for m in client.protocol_mappers)]
        made += [client.secret] if client.secret else []
    for scope in snapshot["scopes"]:
        made += [scope.id, *(m.id for m in scope.protocol_mappers)]
    made += [role.id for role in snapshot["roles"]]
    made += [component.id for component in snapshot["components"]]
    made += [kid for kid, _, _ in snapshot["keys"]]
    return made


async def test_a_fresh_realm_takes_every_id_and_secret_from_the_injected_source(store: Store) -> None:
    snapshot, ids = await _build(store, seed=7)
    made = _made_ids(snapshot)
    assert snapshot["realm"].id == ids.nth_id(1)
    assert len(made) == len(set(made))
    assert sorted(made) == sorted(ids.issued)  # each value handed out is used once, nothing else is
    assert any(client.secret for client in snapshot["clients"])
    assert len(snapshot["keys"]) == 2  # HS512 and AES: random kids, from the source


async def test_same_seed_same_realm_other_seed_other_ids(store: Store) -> None:
    first, _ = await _build(store, seed=1)
    again, _ = await _build(store, seed=1)
    other, _ = await _build(store, seed=2)
    assert first == again
    assert first["realm"].id != other["realm"].id
    assert not set(_made_ids(first)) & set(_made_ids(other))


async def test_import_gives_ids_only_to_what_the_file_leaves_without(store: Store) -> None:
    ids = CountingRandomness(3)
    rep = {
        "realm": "imported",
        "id": "file-realm-id",
        "clients": [{"clientId": "kept", "id": "file-client-id"}, {"clientId": "fresh"}],
        "users": [{"username": "alice", "credentials": [{"type": "password", "value": "pw"}]}],
    }
    async with store.tx() as tx:
        realm = await import_realm(tx, rep, source="test", now=NOW, ids=ids)
        clients = {c.client_id: c for c in await tx.clients.list(realm.id)}
        alice = await tx.users.get_by_username(realm.id, "alice")
        assert alice is not None
        credentials = await tx.credentials.list(alice.id)
    assert realm.id == "file-realm-id"
    assert clients["kept"].id == "file-client-id"
    assert clients["fresh"].id in ids.issued
    assert clients["fresh"].secret in ids.issued and clients["kept"].secret in ids.issued
    assert alice.id in ids.issued
    assert [c.id for c in credentials] == [ids.issued[ids.issued.index(alice.id) + 1]]
