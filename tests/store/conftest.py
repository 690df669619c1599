"""Store fixtures, shared by every test folder that needs a real database.

Fixtures
  ``store``              an open, migrated, empty ``SqlStore``; parametrized: ``sqlite`` (a new
                         file under ``tmp_path``) and ``postgres`` (marked ``postgres``).
  ``store_url``          the database URL behind ``store`` (same parametrization, same emptiness:
                         migrated, no rows), for tests that open their own store or start a
                         server process on it.
  ``postgres_database``  session-scoped URL of a PostgreSQL database created for this test
                         session under a random name (from the ``test`` database) and dropped at
                         the end, so parallel runs never collide. Tests that need it are skipped,
                         with the reason, when the server is unreachable.

The server is ``postgresql://postgres@127.0.0.1:5432/test`` unless ``TEST_POSTGRES_URL``
names another maintenance database. Run SQLite only with ``pytest -m "not postgres"``.

Use from another folder: in its ``conftest.py`` write
    from tests.store.conftest import postgres_database, store, store_url  # noqa: F401
(pytest finds fixtures by name in the conftest namespace; ``pythonpath = ["."]`` in the pytest
settings makes ``tests`` importable). ``admin_sql`` and ``database_url`` help a test that needs a
database of its own on the same server. On SQLite, a ``store.tx()`` opened inside another one
raises ``RuntimeError`` (it would wait for itself).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

from realmgate.store.sql import SqlStore, open_store
from realmgate.store.sql.tables import metadata

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def admin_sql(statement: str) -> None:
    """Run one statement on the maintenance database (CREATE / DROP DATABASE)."""
    conn = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def database_url(name: str) -> URL:
    """The URL of database ``name`` on the test PostgreSQL server."""
    return make_url(ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    name = f"realmgate_test_{secrets.token_hex(6)}"
    try:
        asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        pytest.skip(f"PostgreSQL is not reachable at {make_url(ADMIN_URL).render_as_string()}: {exc}")
    url = database_url(name)
    try:
        asyncio.run(_migrate(url.render_as_string(hide_password=False)))
        yield url.render_as_string(hide_password=False)
    finally:
        asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once per session; each test gets a copy (migrating a new
    file takes ~0.1 s). A function rather than a fixture, so folders that import ``store_url``
    need nothing else."""
    path = tmp_path_factory.getbasetemp() / "store-template.db"
    if not path.exists():
        building = path.with_suffix(".building")
        asyncio.run(_migrate(f"sqlite+aiosqlite:///{building}"))
        building.rename(path)
    return path


async def _migrate(url: str) -> None:
    store = await open_store(url)
    await store.close()


async def _empty_postgres(url: str) -> None:
    """Remove every row the previous test left: far faster than a database per test, and on
    tables this small DELETE also beats TRUNCATE."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute("".join(f'DELETE FROM "{t.name}";' for t in reversed(metadata.sorted_tables)))
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    # Synchronous on purpose: it may set up session-scoped databases outside any event loop.
    if request.param == "sqlite":
        path = tmp_path / "realmgate.db"
        shutil.copyfile(_sqlite_template(request.getfixturevalue("tmp_path_factory")), path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    asyncio.run(_empty_postgres(url))
    return url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[SqlStore]:
    opened = await open_store(store_url)
    try:
        yield opened
    finally:
        await opened.close()
