"""Store fixtures, shared by every test folder that needs a real database.

Fixtures
  ``store``              an open, migrated, empty ``SqlStore``; parametrized: ``sqlite`` (a new
                         file under ``tmp_path``) and ``postgres`` (marked ``postgres``).
  ``store_url``          the database URL behind ``store`` (same parametrization, same emptiness),
                         for tests that open their own store or start a server process on it.
  ``postgres_database``  session-scoped URL of a PostgreSQL database created for this test
                         session under a random name (from the ``test`` database) and dropped at
                         the end, so parallel runs never collide. Tests that need it are skipped,
                         with the reason, when the server is unreachable.

The server is ``postgresql://postgres@127.0.0.1:5432/test`` unless ``REALMGATE_TEST_POSTGRES_URL``
names another maintenance database. Run SQLite only with ``pytest -m "not postgres"``.

Use from another folder: in its ``conftest.py`` write
    from tests.store.conftest import postgres_database, store, store_url  # noqa: F401
(pytest finds fixtures by name in the conftest namespace). This needs the repository root on
``sys.path`` (``pythonpath = ["."]`` in the pytest settings, or ``python -m pytest``).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from realmgate.store.sql import SqlStore, open_store
from realmgate.store.sql.tables import metadata

_ADMIN_URL = os.environ.get("REALMGATE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def _admin_sql(statement: str) -> None:
    conn = await asyncpg.connect(_ADMIN_URL, timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    name = f"realmgate_test_{secrets.token_hex(6)}"
    try:
        asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        pytest.skip(f"PostgreSQL is not reachable at {make_url(_ADMIN_URL).render_as_string()}: {exc}")
    yield (
        make_url(_ADMIN_URL)
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )
    asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _empty_postgres(url: str) -> None:
    """Remove every row the previous test left (much faster than a new database per test)."""
    store = await open_store(url)
    try:
        table_names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        async with store.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {table_names}"))
    finally:
        await store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    # Synchronous on purpose: it may set up the session-scoped database outside any event loop.
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'realmgate.db'}"
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
