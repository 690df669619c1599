"""``Store.config_epoch()`` and the realm cache built on it: a configuration change committed
through one store (standing for another instance on the same database) moves the epoch the
other store reads, other writes do not, and a snapshot is served with no statement at all
while the epoch stays."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event

from realmgate.model.realm import Realm
from realmgate.model.role import Role
from realmgate.model.user import User
from realmgate.protocol.errors import RealmNotFound
from realmgate.protocol.realm_cache import RealmCache
from realmgate.store.sql import SqlStore, open_store

from . import factories as f

NOTICE_TIMEOUT_S = 5.0


@pytest.fixture
async def other(store_url: str) -> AsyncIterator[SqlStore]:
    """A second store on the same database: what another instance would open."""
    opened = await open_store(store_url, migrate=False)
    try:
        yield opened
    finally:
        await opened.close()


async def moved_from(store: SqlStore, reading: int) -> bool:
    """Whether ``store``'s epoch leaves ``reading`` within the notice timeout (PostgreSQL
    delivers notices asynchronously; SQLite's file counter moves at the writer's commit)."""
    deadline = time.monotonic() + NOTICE_TIMEOUT_S
    while time.monotonic() < deadline:
        if store.config_epoch() != reading:
            return True
        await asyncio.sleep(0.01)
    return False


async def steady_reading(store: SqlStore) -> int:
    """A reading that repeats: on PostgreSQL, once the listening connection is up."""
    deadline = time.monotonic() + NOTICE_TIMEOUT_S
    while time.monotonic() < deadline:
        reading = store.config_epoch()
        if store.config_epoch() == reading:
            return reading
        await asyncio.sleep(0.01)
    raise AssertionError("the config epoch never settled")


def count_statements(store: SqlStore) -> list[str]:
    executed: list[str] = []

    @event.listens_for(store.engine.sync_engine, "before_cursor_execute")
    def _count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        executed.append(statement)

    return executed


async def test_a_config_change_at_one_store_moves_the_epoch_of_the_other(store: SqlStore, other: SqlStore) -> None:
    realm = await f.add_realm(store)
    reading = await steady_reading(other)
    async with store.tx() as tx:
        await tx.realms.touch(realm.id)
    assert await moved_from(other, reading)


async def test_a_user_write_moves_the_epoch_of_the_other(store: SqlStore, other: SqlStore) -> None:
    realm = await f.add_realm(store)
    async with store.tx() as tx:
        await tx.users.add(f.user(realm.id, "alice"))
    reading = await steady_reading(other)
    async with store.tx() as tx:
        user = await tx.users.get_by_username(realm.id, "alice")
        assert user is not None
        await tx.users.grant_roles(realm.id, user.id, [])
    assert await moved_from(other, reading)


async def test_a_write_of_neither_configuration_nor_users_leaves_the_epoch(store: SqlStore, other: SqlStore) -> None:
    realm = await f.add_realm(store)
    alice = f.user(realm.id, "alice")
    async with store.tx() as tx:
        await tx.users.add(alice)
    reading = await steady_reading(other)
    async with store.tx() as tx:
        await tx.sessions.add(f.session(realm.id, alice.id))
        await tx.single_use.put("k", "v", 2_000_000_000)
    assert not await moved_from(other, reading)


async def reader_and_alice(store: SqlStore) -> tuple[Realm, Role, User]:
    """A realm with a role "reader" and a user "alice" who does not hold it yet."""
    realm = await f.add_realm(store)
    role = f.role(realm.id, "reader")
    alice = f.user(realm.id, "alice")
    async with store.tx() as tx:
        await tx.roles.add(role)
        await tx.users.add(alice)
    return realm, role, alice


async def test_a_cached_user_is_the_one_another_store_changed_last(store: SqlStore, other: SqlStore) -> None:
    realm, role, alice = await reader_and_alice(store)
    await steady_reading(store)
    async with store.tx() as tx:  # fills the cache
        assert await tx.users.role_ids(realm.id, alice.id) == []
        assert (await tx.users.get(realm.id, alice.id)) == alice
    reading = store.config_epoch()
    executed = count_statements(store)
    async with store.tx() as tx:  # served from it
        assert await tx.users.role_ids(realm.id, alice.id) == []
    assert not [s for s in executed if "user_roles" in s]

    async with other.tx() as tx:
        await tx.users.grant_roles(realm.id, alice.id, [role.id])
        await tx.users.update(replace(alice, enabled=False))
    assert await moved_from(store, reading)
    async with store.tx() as tx:
        assert await tx.users.role_ids(realm.id, alice.id) == [role.id]
        found = await tx.users.get(realm.id, alice.id)
        assert found is not None and not found.enabled


async def test_a_transaction_reads_its_own_user_writes(store: SqlStore) -> None:
    realm, role, alice = await reader_and_alice(store)
    async with store.tx() as tx:
        assert await tx.users.role_ids(realm.id, alice.id) == []
    async with store.tx() as tx:
        await tx.users.grant_roles(realm.id, alice.id, [role.id])
        assert await tx.users.role_ids(realm.id, alice.id) == [role.id]


async def test_a_rolled_back_change_leaves_the_epoch(store: SqlStore, other: SqlStore) -> None:
    realm = await f.add_realm(store)
    reading = await steady_reading(other)
    with pytest.raises(RuntimeError):
        async with store.tx() as tx:
            await tx.realms.touch(realm.id)
            await tx.realms.config_version(realm.id)  # the bump is written, then rolled back
            raise RuntimeError("abort")
    assert not await moved_from(other, reading)


async def test_a_trusted_snapshot_costs_no_statement_until_another_store_changes_the_realm(
    store: SqlStore, other: SqlStore
) -> None:
    realm = await f.add_realm(store, name="acme")
    cache = RealmCache(store.config_epoch)
    reading = await steady_reading(store)
    assert cache.cached("acme") is None
    async with store.tx() as tx:
        first = await cache.load(tx, "acme")
    executed = count_statements(store)
    assert cache.cached("acme") is first
    async with store.tx() as tx:
        assert await cache.load(tx, "acme") is first
    assert [s for s in executed if "realms" in s] == []

    async with other.tx() as tx:
        await tx.clients.add(f.client(realm.id, "new-app"))
    assert await moved_from(store, reading)
    assert cache.cached("acme") is None
    async with store.tx() as tx:
        assert "new-app" in (await cache.load(tx, "acme")).clients


async def test_a_realm_deleted_at_another_store_is_gone_from_the_cache(store: SqlStore, other: SqlStore) -> None:
    realm = await f.add_realm(store, name="gone")
    cache = RealmCache(store.config_epoch)
    reading = await steady_reading(store)
    async with store.tx() as tx:
        await cache.load(tx, "gone")
    async with other.tx() as tx:
        await tx.realms.delete(realm.id)
    assert await moved_from(store, reading)
    assert cache.cached("gone") is None
    with pytest.raises(RealmNotFound):
        async with store.tx() as tx:
            await cache.load(tx, "gone")
