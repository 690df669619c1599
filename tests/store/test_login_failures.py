"""Brute-force failure records: concurrent failures of one user are all counted, and the
records go with their user and realm."""

from __future__ import annotations

import asyncio
import dataclasses

from realmgate.model.login_failure import LoginFailure
from realmgate.store.sql import SqlStore

from . import factories as f

WRITERS = 5


def _one_more(record: LoginFailure) -> LoginFailure:
    return dataclasses.replace(record, num_failures=record.num_failures + 1, last_ip_failure="127.0.0.1")


async def _realm_with_users(store: SqlStore, *names: str) -> tuple[str, list[str]]:
    realm = f.realm()
    users = [f.user(realm.id, name) for name in names]
    async with store.tx() as tx:
        await tx.realms.add(realm)
        for user in users:
            await tx.users.add(user)
    return realm.id, [user.id for user in users]


async def test_concurrent_failures_are_all_counted(store: SqlStore) -> None:
    """Every writer starts without a row: the first insert and the row lock order them all."""
    realm_id, (alice,) = await _realm_with_users(store, "alice")

    async def fail() -> None:
        async with store.tx() as tx:
            await tx.login_failures.change(realm_id, alice, _one_more)

    await asyncio.gather(*(fail() for _ in range(WRITERS)))
    async with store.tx() as tx:
        record = await tx.login_failures.get(realm_id, alice)
    assert record == LoginFailure(realm_id, alice, num_failures=WRITERS, last_ip_failure="127.0.0.1")


async def test_records_are_read_deleted_and_go_with_their_user(store: SqlStore) -> None:
    realm_id, (alice, bob, carol) = await _realm_with_users(store, "alice", "bob", "carol")
    async with store.tx() as tx:
        for user_id in (alice, bob):
            await tx.login_failures.change(realm_id, user_id, _one_more)
    async with store.tx() as tx:
        assert set(await tx.login_failures.get_many(realm_id, [alice, bob, carol])) == {alice, bob}
        assert await tx.login_failures.get(realm_id, carol) is None
        assert await tx.login_failures.delete(realm_id, alice) is True
        assert await tx.login_failures.delete(realm_id, alice) is False
        await tx.users.delete(realm_id, bob)
    async with store.tx() as tx:
        assert await tx.login_failures.get_many(realm_id, [alice, bob]) == {}
