"""Run the Alembic migrations from code (no ``alembic.ini``), under a lock.

Two processes starting together must not both create tables: on PostgreSQL the upgrade runs in
one transaction holding a transaction-scoped advisory lock; on SQLite the transaction begins with
``BEGIN IMMEDIATE`` (see ``store.py``), which takes the database's write lock. The second process
waits, then finds the schema at head and does nothing.

Within one process, Alembic keeps the running migration's context in a module-level global, so
two upgrades must never interleave, even on different databases (two stores opened at once):
an ``asyncio.Lock`` per event loop serializes them.

A database already at ``HEAD_REVISION`` (every start but the first after an upgrade) is left
alone without importing Alembic, which would cost ~0.15 s of every start; a test keeps the
constant equal to the newest migration.
"""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any constant unique to realmgate: the key of the PostgreSQL advisory lock.
_PG_LOCK_KEY = 0x7265616C6D676174  # "realmgat"
# The newest revision in migrations/versions (tests/store checks it against Alembic's head).
HEAD_REVISION = "0005"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for our migrations, optionally bound to ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


_process_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _process_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _process_locks.get(loop)
    if lock is None:
        lock = _process_locks[loop] = asyncio.Lock()
    return lock


async def upgrade(conn: AsyncConnection) -> None:
    """Upgrade the database behind ``conn`` to the newest revision and commit."""
    async with _process_lock(), conn.begin():
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        if await conn.run_sync(_current_revision) == HEAD_REVISION:
            return
        from alembic import command

        await conn.run_sync(lambda sync_conn: command.upgrade(alembic_config(sync_conn), "head"))


def _current_revision(conn: Connection) -> str | None:
    """The revision recorded by Alembic, or None on a database it never touched."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
