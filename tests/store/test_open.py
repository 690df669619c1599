"""Opening a store: URL forms, unreachable databases, migrations."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from realmgate.store.interface import Unavailable
from realmgate.store.sql import DatabaseUrlError, SqlStore, open_store
from realmgate.store.sql.tables import metadata
from realmgate.store.sql.url import normalize_url

from . import factories as f
from .conftest import admin_sql, database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
        ("postgres://u:pw@h:5433/db", "postgresql+asyncpg://u:pw@h:5433/db"),
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("PostgreSQL://u@h/db?sslmode=require", "postgresql+asyncpg://u@h/db?ssl=require"),
    ],
)
def test_url_forms_are_normalised(given: str, expected: str) -> None:
    assert normalize_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("not a url", "malformed"),
        ("mysql://u@h/db", "unsupported database 'mysql'"),
        ("postgresql+psycopg2://u@h/db", "unsupported"),
        ("sqlite://", "needs a file path"),
        ("sqlite:///:memory:", "in-memory"),
        ("sqlite:////", "needs a file path"),
        ("postgresql://u@h:port/db", "malformed"),
        ("postgresql://u@h", "needs a database name"),
    ],
)
async def test_bad_urls_are_rejected_clearly(given: str, message: str) -> None:
    with pytest.raises(DatabaseUrlError, match=message) as caught:
        await open_store(given)
    assert "\n" not in str(caught.value)


async def test_password_never_in_messages() -> None:
    with pytest.raises(Unavailable) as caught:
        await open_store("postgresql://u:hunter2@127.0.0.1:1/db")
    assert "hunter2" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)


async def test_unwritable_sqlite_location_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(Unavailable):
        await open_store(f"sqlite:///{blocker}/sub/db.sqlite")


async def test_sqlite_creates_directory_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "realmgate.db"
    store = await open_store(f"sqlite:///{path}")
    try:
        await store.ping()
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_open_twice_keeps_data(store_url: str) -> None:
    first = await open_store(store_url)
    try:
        realm = await f.add_realm(first)
    finally:
        await first.close()
    second = await open_store(store_url)
    try:
        async with second.tx() as tx:
            assert await tx.realms.get(realm.id) == realm
    finally:
        await second.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (``store_url``'s are already migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    request.getfixturevalue("postgres_database")  # skips when the server is unreachable
    name = f"realmgate_blank_{secrets.token_hex(6)}"
    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        yield database_url(name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin_sql(f'DROP DATABASE "{name}" WITH (FORCE)'))


_OPEN_STORE_ON_GO = """
import asyncio, sys
from realmgate.store.sql import open_store

async def main() -> None:
    store = await open_store(sys.argv[1])
    await store.close()

print("ready", flush=True)
sys.stdin.readline()
asyncio.run(main())
"""


async def test_concurrent_first_start_migrates_once(blank_url: str) -> None:
    """Two server processes starting on an empty database at the same moment, plus two stores
    opened at once in this process: every one comes up, and the schema is created once."""
    pipe = asyncio.subprocess.PIPE
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", _OPEN_STORE_ON_GO, blank_url, stdin=pipe, stdout=pipe, stderr=pipe
        )
        for _ in range(2)
    ]
    for process in processes:  # imports done: the race below is about migrating only
        assert process.stdout is not None
        assert await process.stdout.readline() == b"ready\n"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(b"go\n")
    in_process = await asyncio.gather(open_store(blank_url), open_store(blank_url))
    try:
        for process in processes:
            _, stderr = await process.communicate()
            assert process.returncode == 0, stderr.decode()[-2000:]
        realm = await f.add_realm(in_process[0])
        async with in_process[1].tx() as tx:
            assert await tx.realms.get(realm.id) == realm
    finally:
        for s in in_process:
            await s.close()


async def test_migrations_match_tables(store: SqlStore) -> None:
    def diff(conn: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))

    async with store.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_without_migrate_only_pings(store_url: str) -> None:
    store = await open_store(store_url, migrate=False)
    try:
        await store.ping()
    finally:
        await store.close()


async def test_nested_transaction_on_sqlite_fails_fast(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'db'}")
    try:
        async with store.tx():
            with pytest.raises(RuntimeError, match="deadlock"):
                async with store.tx():
                    pass
        async with store.tx() as tx:  # the flag is reset afterwards
            assert await tx.realms.list() == []
    finally:
        await store.close()


async def test_lost_connection_is_unavailable_then_recovers(store: SqlStore) -> None:
    if store.dialect != "postgresql":
        pytest.skip("needs a server that can drop our connections")
    async with store.tx() as tx:
        await tx.realms.list()  # leaves an open connection in the pool
    await admin_sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{store.engine.url.database}' AND pid <> pg_backend_pid()"
    )
    with pytest.raises(Unavailable) as caught:
        async with store.tx() as tx:
            await tx.realms.list()
    assert "stopped answering" in str(caught.value)
    async with store.tx() as tx:  # the pool replaced the dead connection
        assert await tx.realms.list() == []
    await store.ping()


def test_head_revision_constant_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from realmgate.store.sql.migrate import HEAD_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD_REVISION]


def test_a_database_at_head_is_opened_without_loading_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    program = (
        "import asyncio, sys\n"
        "from realmgate.store.sql import open_store\n"
        "async def main():\n"
        f"    store = await open_store({url!r})\n"
        "    await store.close()\n"
        "asyncio.run(main())\n"
        "print('alembic' in sys.modules)\n"
    )

    def run() -> str:
        import subprocess

        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
        return done.stdout.strip()

    assert run() == "True"  # a new database is migrated by Alembic
    assert run() == "False"  # at head: nothing to do, Alembic never imported
