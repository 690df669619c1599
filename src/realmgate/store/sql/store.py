"""``SqlStore``: the engine, the transaction context manager, ``open_store``.

SQLite: every transaction starts with ``BEGIN IMMEDIATE`` (it takes the write lock up front, so
a read-then-write transaction never fails half-way when another writer committed in between),
and transactions of one process queue on an ``asyncio.Lock`` instead of in SQLite's sleeping busy
handler. The busy timeout still covers a second process on the same file. Because of that lock a
``store.tx()`` opened inside another one on the same SQLite store would wait forever, so it
raises ``RuntimeError`` at once.

PostgreSQL: a pooled asyncpg engine, READ COMMITTED, ``SELECT ... FOR UPDATE`` for
read-modify-write. No ping on checkout (it would cost a round trip per transaction): after the
server drops connections, the transaction that meets a dead one fails with ``Unavailable`` and
the pool replaces it for the next.

On both: a transaction is one connection, so its statements run one at a time (never
``asyncio.gather`` two calls on the same ``tx``), and a transaction should not wait on the
network (upstream HTTP calls) while it is open: it holds a connection, and on SQLite the lock.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from realmgate.store.interface import Store, Unavailable
from realmgate.store.sql.config_epoch import open_epoch
from realmgate.store.sql.deferred_connection import DeferredConnection
from realmgate.store.sql.migrate import upgrade
from realmgate.store.sql.principal_cache import PrincipalCache
from realmgate.store.sql.tx import SqlTx
from realmgate.store.sql.url import is_sqlite, normalize_url, sqlite_path

_SQLITE_BUSY_TIMEOUT_MS = 10_000
_PG_CONNECT_TIMEOUT_S = 10


class SqlStore:
    """Implements ``realmgate.store.interface.Store``; one engine (and pool) per store."""

    def __init__(self, engine: AsyncEngine, url: URL) -> None:
        self.engine = engine
        self._epoch = open_epoch(url, connect_timeout=_PG_CONNECT_TIMEOUT_S)
        self._principals = PrincipalCache(self._epoch.current)
        self.dialect = engine.dialect.name
        self._url = url
        self._where = url.render_as_string(hide_password=True)
        self._sqlite_lock = asyncio.Lock() if is_sqlite(url) else None
        self._in_tx: contextvars.ContextVar[bool] = contextvars.ContextVar(f"sqlite_tx_{id(self)}", default=False)

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[SqlTx]:
        if self._sqlite_lock is None:
            async with self._transaction() as tx:
                yield tx
            return
        if self._in_tx.get():
            raise RuntimeError("store.tx() opened inside another store.tx() would deadlock on SQLite")
        token = self._in_tx.set(True)
        try:
            async with self._transaction() as tx:
                yield tx
        finally:
            self._in_tx.reset(token)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[SqlTx]:
        """Commit on a normal exit, roll back on an exception; the connection (and on SQLite
        the process lock) is taken by the first statement only (``DeferredConnection``)."""
        holds_lock = False

        async def begin() -> AsyncConnection:
            nonlocal holds_lock
            if self._sqlite_lock is not None:
                await self._sqlite_lock.acquire()
                holds_lock = True
            conn = await self._connect()
            try:
                await conn.begin()
            except BaseException:
                await conn.close()
                raise
            return conn

        deferred = DeferredConnection(begin, self.engine.dialect)
        tx = SqlTx(deferred, self._principals)
        try:
            try:
                yield tx
            except BaseException:
                if deferred.opened is not None:
                    await deferred.opened.rollback()
                raise
            if deferred.opened is not None or tx.changed_shared_state:  # a touch() runs no statement itself
                await tx.before_commit()
            if deferred.opened is not None:
                await deferred.opened.commit()
            if tx.changed_shared_state:
                self._epoch.committed()
        except DBAPIError as exc:
            if exc.connection_invalidated or (self._sqlite_lock is not None and _is_busy(exc)):
                raise Unavailable(f"the database at {self._where} stopped answering") from exc
            raise
        finally:
            if deferred.opened is not None:
                await deferred.opened.close()
            if holds_lock and self._sqlite_lock is not None:
                self._sqlite_lock.release()

    async def _connect(self) -> AsyncConnection:
        try:
            return await self.engine.connect()
        except (OSError, DBAPIError, TimeoutError) as exc:
            reason = _reason(exc)
            hint = _create_hint(reason, self._url)
            raise Unavailable(f"cannot connect to the database at {self._where}: {reason}{hint}") from exc

    def config_epoch(self) -> int:
        return self._epoch.current()

    async def ping(self) -> None:
        # Through tx(): on SQLite it must queue behind the running transaction like any other.
        try:
            async with self.tx() as tx:
                await tx.conn.execute(text("SELECT 1"))
        except DBAPIError as exc:
            raise Unavailable(f"the database at {self._where} does not answer: {_reason(exc)}") from exc

    async def migrate(self) -> None:
        """Bring the schema to the newest revision (safe when several processes start at once)."""
        conn = await self._connect()
        try:
            await upgrade(conn)
        finally:
            await conn.close()

    async def close(self) -> None:
        await self._epoch.close()
        await self.engine.dispose()


def _is_busy(exc: DBAPIError) -> bool:
    """SQLite's "database is locked": another process held the write lock past the busy timeout."""
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig)


def _reason(exc: BaseException) -> str:
    """A short, secret-free cause for a connection failure, with the fix where one is known."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0][:200]
    return first_line


def _create_hint(reason: str, url: URL) -> str:
    """For PostgreSQL's "database ... does not exist": the command that creates it."""
    if not (reason.startswith("database ") and reason.endswith("does not exist")):
        return ""
    where = f"-h {url.host or 'localhost'} -p {url.port or 5432}" + (f" -U {url.username}" if url.username else "")
    return f"; create it first: createdb {where} {url.database}"


def _sqlite_engine(url: URL) -> AsyncEngine:
    directory = sqlite_path(url).parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Unavailable(f"cannot create the database directory {directory}: {exc.strerror}") from exc
    # One connection is enough: the process-wide lock lets one transaction run at a time.
    engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_reset_on_return=None)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: object) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy, not the driver, emits BEGIN (below)
        cursor = dbapi_conn.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",  # safe with WAL; a power cut may lose the last commits only
            "foreign_keys=ON",
            f"busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: URL, pool_max: int) -> AsyncEngine:
    """Up to ``pool_max`` connections: ten kept open, the rest opened under load and closed after."""
    kept = min(10, pool_max)
    return create_async_engine(
        url,
        pool_size=kept,
        max_overflow=pool_max - kept,
        pool_recycle=1800,
        connect_args={"timeout": _PG_CONNECT_TIMEOUT_S},
    )


async def open_store(db_url: str, *, migrate: bool = True, create: bool = True, pool_max: int = 20) -> SqlStore:
    """Open (and by default migrate) the database at ``db_url``.

    Raises ``DatabaseUrlError`` for a bad URL and ``Unavailable`` when the database cannot be
    reached, or, with ``create=False``, when a SQLite file does not exist yet (an export from
    the wrong folder must not leave a new, empty database behind).
    """
    url = normalize_url(db_url)
    if not create and is_sqlite(url) and not sqlite_path(url).is_file():
        raise Unavailable(
            f"there is no database at {sqlite_path(url)}: run this where the server's database is, "
            "or give its --db-url (start the server once to create one)"
        )
    store = SqlStore(_sqlite_engine(url) if is_sqlite(url) else _postgres_engine(url, pool_max), url)
    try:
        if migrate:
            await store.migrate()
        else:
            await store.ping()
    except BaseException:
        await store.close()
        raise
    return store


if TYPE_CHECKING:
    _conforms: type[Store] = SqlStore  # mypy proves SqlStore implements the Store protocol
