"""Read-modify-write from concurrent transactions (as from several server instances)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from realmgate.store.sql import SqlStore

from . import factories as f

WRITERS = 5


async def _session_counter_setup(store: SqlStore) -> tuple[str, str]:
    realm = f.realm()
    user = f.user(realm.id, "alice")
    session = f.session(realm.id, user.id, notes={"count": "0"})
    async with store.tx() as tx:
        await tx.realms.add(realm)
        await tx.users.add(user)
        await tx.sessions.add(session)
    return realm.id, session.id


async def _count(store: SqlStore, realm_id: str, session_id: str) -> int:
    async with store.tx() as tx:
        session = await tx.sessions.get(realm_id, session_id)
        assert session is not None
        return int(session.notes["count"])


async def test_for_update_loses_no_update(store: SqlStore) -> None:
    realm_id, session_id = await _session_counter_setup(store)

    async def increment() -> None:
        async with store.tx() as tx:
            session = await tx.sessions.get(realm_id, session_id, for_update=True)
            assert session is not None
            await asyncio.sleep(0.02)  # let the other writers reach their read
            notes = {**session.notes, "count": str(int(session.notes["count"]) + 1)}
            await tx.sessions.update(dataclasses.replace(session, notes=notes))

    await asyncio.gather(*(increment() for _ in range(WRITERS)))
    assert await _count(store, realm_id, session_id) == WRITERS


async def test_for_update_on_config_rows(store: SqlStore) -> None:
    realm = await f.add_realm(store, attributes={"count": "0"})

    async def increment() -> None:
        async with store.tx() as tx:
            loaded = await tx.realms.get(realm.id, for_update=True)
            assert loaded is not None
            await asyncio.sleep(0.02)
            attributes = {"count": str(int(loaded.attributes["count"]) + 1)}
            await tx.realms.update(dataclasses.replace(loaded, attributes=attributes))

    await asyncio.gather(*(increment() for _ in range(WRITERS)))
    async with store.tx() as tx:
        final = await tx.realms.get(realm.id)
        assert final is not None and final.attributes["count"] == str(WRITERS)


@pytest.mark.postgres
async def test_without_for_update_updates_are_lost(store: SqlStore) -> None:
    """The control experiment: it shows the test above would notice a missing row lock."""
    if store.dialect != "postgresql":
        pytest.skip("SQLite runs one transaction at a time; there is nothing to lose")
    realm_id, session_id = await _session_counter_setup(store)
    both_read = asyncio.Barrier(2)

    async def increment() -> None:
        async with store.tx() as tx:
            session = await tx.sessions.get(realm_id, session_id)
            assert session is not None
            await both_read.wait()
            notes = {**session.notes, "count": str(int(session.notes["count"]) + 1)}
            await tx.sessions.update(dataclasses.replace(session, notes=notes))

    await asyncio.gather(increment(), increment())
    assert await _count(store, realm_id, session_id) == 1
