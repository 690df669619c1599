"""Realms, realm keys and the configuration version."""

from __future__ import annotations

import dataclasses

import pytest

from realmgate.model.keys import RealmKey
from realmgate.store.interface import Conflict, NotFound
from realmgate.store.sql import SqlStore

from . import factories as f


async def test_realm_round_trip_and_lookup(store: SqlStore) -> None:
    realm = f.realm(
        "demo",
        display_name="Démo",
        attributes={"frontendUrl": "https://x"},
        default_default_client_scopes=("profile", "email"),
    )
    async with store.tx() as tx:
        await tx.realms.add(realm)
    async with store.tx() as tx:
        assert await tx.realms.get(realm.id) == realm
        assert await tx.realms.get_by_name("demo") == realm
        assert await tx.realms.get_by_name("other") is None
        assert [r.name for r in await tx.realms.list()] == ["demo"]


async def test_realm_name_is_unique(store: SqlStore) -> None:
    first = await f.add_realm(store, name="demo")
    second = await f.add_realm(store, name="other")
    async with store.tx() as tx:
        with pytest.raises(Conflict):
            await tx.realms.add(f.realm("demo"))
        with pytest.raises(Conflict):
            await tx.realms.update(dataclasses.replace(second, name="demo"))
        # The transaction is still usable after a Conflict (PostgreSQL aborts on errors).
        await tx.realms.update(dataclasses.replace(first, enabled=False))
    async with store.tx() as tx:
        loaded = await tx.realms.get(first.id)
        assert loaded is not None and not loaded.enabled


async def test_update_and_delete_of_missing_realm(store: SqlStore) -> None:
    async with store.tx() as tx:
        with pytest.raises(NotFound):
            await tx.realms.update(f.realm("ghost"))
        with pytest.raises(NotFound):
            await tx.realms.delete("ghost")


async def test_rollback_on_error(store: SqlStore) -> None:
    realm = f.realm("demo")
    with pytest.raises(RuntimeError):
        async with store.tx() as tx:
            await tx.realms.add(realm)
            raise RuntimeError("boom")
    async with store.tx() as tx:
        assert await tx.realms.get(realm.id) is None


def _key(realm_id: str, kid: str, priority: int = 100) -> RealmKey:
    return RealmKey(
        kid=kid,
        realm_id=realm_id,
        provider_id="rsa-generated",
        algorithm="RS256",
        use="sig",
        key_type="RSA",
        private_material="-----BEGIN PRIVATE KEY-----",
        priority=priority,
    )


async def test_keys_crud_ordered_by_priority(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    async with store.tx() as tx:
        await tx.keys.add(_key(realm.id, "low", 10))
        await tx.keys.add(_key(realm.id, "high", 200))
        with pytest.raises(Conflict):
            await tx.keys.add(_key(realm.id, "low"))
    async with store.tx() as tx:
        assert [k.kid for k in await tx.keys.list(realm.id)] == ["high", "low"]
        await tx.keys.update(dataclasses.replace(_key(realm.id, "low", 10), active=False))
        await tx.keys.delete(realm.id, "high")
        with pytest.raises(NotFound):
            await tx.keys.delete(realm.id, "high")
        with pytest.raises(NotFound):
            await tx.keys.update(_key(realm.id, "nope"))
    async with store.tx() as tx:
        assert [(k.kid, k.active) for k in await tx.keys.list(realm.id)] == [("low", False)]


async def test_config_version_changes_on_config_writes_only(store: SqlStore) -> None:
    realm = await f.add_realm(store)

    async def version() -> int:
        async with store.tx() as tx:
            return await tx.realms.config_version(realm.id)

    seen = [await version()]

    async def changed() -> None:
        seen.append(await version())
        assert seen[-1] != seen[-2]

    async def unchanged() -> None:
        assert await version() == seen[-1]

    client = f.client(realm.id, "app")
    async with store.tx() as tx:
        await tx.realms.update(dataclasses.replace(realm, display_name="x"))
    await changed()
    async with store.tx() as tx:
        await tx.clients.add(client)
    await changed()
    async with store.tx() as tx:
        await tx.clients.update(dataclasses.replace(client, enabled=False))
    await changed()
    role = f.role(realm.id, "r")
    async with store.tx() as tx:
        await tx.roles.add(role)
    await changed()
    async with store.tx() as tx:
        await tx.groups.add(f.group(realm.id, "g"))
    await changed()
    async with store.tx() as tx:
        await tx.keys.add(_key(realm.id, "k"))
    await changed()

    # User data is not configuration.
    user = f.user(realm.id, "alice")
    async with store.tx() as tx:
        await tx.users.add(user)
        await tx.users.grant_roles(realm.id, user.id, [role.id])
        await tx.sessions.add(f.session(realm.id, user.id))
        await tx.single_use.put("code", "v", 10**10)
    await unchanged()

    # Within one transaction, a read after a write sees the new version.
    async with store.tx() as tx:
        before = await tx.realms.config_version(realm.id)
        await tx.roles.delete(realm.id, role.id)
        after = await tx.realms.config_version(realm.id)
        assert after != before
    assert await version() == after


async def test_config_version_of_missing_realm(store: SqlStore) -> None:
    async with store.tx() as tx:
        with pytest.raises(NotFound):
            await tx.realms.config_version("ghost")
