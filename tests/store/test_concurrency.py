"""Read-modify-write from concurrent transactions (as from several server instances)."""

from __future__ import annotations

import asyncio
import dataclasses
import sys

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


_INCREMENT_IN_PROCESS = """
import asyncio, dataclasses, sys
from realmgate.store.sql import open_store

async def main(url: str, realm_id: str, session_id: str, times: int) -> None:
    store = await open_store(url, migrate=False)
    try:
        for _ in range(times):
            async with store.tx() as tx:
                session = await tx.sessions.get(realm_id, session_id, for_update=True)
                notes = {**session.notes, "count": str(int(session.notes["count"]) + 1)}
                await tx.sessions.update(dataclasses.replace(session, notes=notes))
    finally:
        await store.close()

print("ready", flush=True)
sys.stdin.readline()
asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
"""


async def test_server_processes_lose_no_update(store: SqlStore, store_url: str) -> None:
    """Two server processes on one database (SQLite file or PostgreSQL) incrementing one counter."""
    realm_id, session_id = await _session_counter_setup(store)
    times, pipe = 25, asyncio.subprocess.PIPE
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _INCREMENT_IN_PROCESS,
            store_url,
            realm_id,
            session_id,
            str(times),
            stdin=pipe,
            stdout=pipe,
            stderr=pipe,
        )
        for _ in range(2)
    ]
    for process in processes:  # both imported and ready: release them together
        assert process.stdout is not None
        assert await process.stdout.readline() == b"ready\n"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(b"go\n")
    for process in processes:
        _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()[-2000:]
    assert await _count(store, realm_id, session_id) == 2 * times
