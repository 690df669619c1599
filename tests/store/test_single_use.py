"""Single-use values: codes and broker state, consumed exactly once."""

from __future__ import annotations

import asyncio

from realmgate.store.sql import SqlStore

NOW = 1_000_000


async def test_put_get_consume(store: SqlStore) -> None:
    async with store.tx() as tx:
        await tx.single_use.put("code", "v1", NOW + 60)
        await tx.single_use.put("code", "v2", NOW + 60)  # replaces
    async with store.tx() as tx:
        assert await tx.single_use.get("code", NOW) == "v2"
        assert await tx.single_use.get("missing", NOW) is None
        assert await tx.single_use.consume("code", NOW) == "v2"
        assert await tx.single_use.consume("code", NOW) is None
        assert await tx.single_use.get("code", NOW) is None


async def test_expired_values_are_invisible_and_purged(store: SqlStore) -> None:
    async with store.tx() as tx:
        await tx.single_use.put("old", "a", NOW)
        await tx.single_use.put("older", "b", NOW - 5)
        await tx.single_use.put("fresh", "c", NOW + 1)
    async with store.tx() as tx:
        assert await tx.single_use.get("old", NOW) is None
        assert await tx.single_use.consume("older", NOW) is None
        assert await tx.single_use.get("fresh", NOW) == "c"
        assert await tx.single_use.purge_expired(NOW) == 1  # "old"; "older" was consumed
        assert await tx.single_use.get("fresh", NOW) == "c"
        await tx.single_use.delete("fresh")
        await tx.single_use.delete("fresh")
        assert await tx.single_use.get("fresh", NOW) is None


async def test_concurrent_consume_has_one_winner(store: SqlStore) -> None:
    async with store.tx() as tx:
        await tx.single_use.put("code", "secret", NOW + 60)
    contenders = 8
    # On PostgreSQL every transaction first sees the value, so all are in flight at once;
    # SQLite serializes transactions, so there they simply race for the lock.
    both_saw_it = asyncio.Barrier(contenders) if store.dialect == "postgresql" else None

    async def attempt() -> str | None:
        async with store.tx() as tx:
            if both_saw_it is not None:
                assert await tx.single_use.get("code", NOW) == "secret"
                await both_saw_it.wait()
            return await tx.single_use.consume("code", NOW)

    results = await asyncio.gather(*(attempt() for _ in range(contenders)))
    assert results.count("secret") == 1
    assert results.count(None) == contenders - 1
