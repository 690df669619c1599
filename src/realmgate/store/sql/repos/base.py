"""What every repository shares: the transaction it works in and the write shapes.

Unique clashes are detected without aborting the transaction (PostgreSQL aborts a transaction on
any error): inserts use ``ON CONFLICT DO NOTHING`` and updates guard the row with ``NOT EXISTS``
on each unique key, so a service may catch ``Conflict`` and carry on. A clash that slips past the
guard in a race still ends as ``Conflict`` through the unique constraint, and a missing parent row
(foreign key) as ``NotFound``; after those two, as after any other database error, a PostgreSQL
transaction can only be rolled back.

Speed: statements are built once, with bound parameters, and reused. SQLAlchemy then finds the
compiled form from a memoized cache key instead of building and hashing a new statement tree on
every call (about 60 µs a statement).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Delete,
    Executable,
    Insert,
    RowMapping,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    delete,
    exists,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from realmgate.store.interface import Conflict, NotFound
from realmgate.store.sql.deferred_connection import DeferredConnection

if TYPE_CHECKING:
    from typing import TypeAlias

    from realmgate.store.sql.tx import SqlTx

    AnySelect: TypeAlias = Select[*tuple[Any, ...]]


def integrity_error(exc: IntegrityError, what: str) -> Conflict | NotFound:
    """Translate a constraint violation into the store's errors."""
    if "foreign key" in str(exc.orig).lower():
        return NotFound(f"{what} refers to something that does not exist")
    return Conflict(f"{what} already exists")


def dialect_insert(dialect_name: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT of this dialect, which knows ``ON CONFLICT``."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


@functools.cache
def insert_or_skip(dialect_name: str, table: Table) -> Insert:
    """INSERT that skips rows clashing with a unique key (the row count tells)."""
    return dialect_insert(dialect_name, table).on_conflict_do_nothing()


@functools.cache
def _key_exists(table: Table, key: tuple[str, ...]) -> AnySelect:
    return select(exists().where(*(table.c[k] == bindparam(f"key_{k}") for k in key)))


@functools.cache
def _update_statement(table: Table, key: tuple[str, ...], unique: tuple[tuple[str, ...], ...]) -> Update:
    """UPDATE the row at ``key`` unless another row already holds its new unique values."""
    conditions = [table.c[k] == bindparam(f"key_{k}") for k in key]
    other = table.alias("other")
    for columns in unique:
        same_values = [other.c[c] == bindparam(f"new_{c}") for c in columns]
        not_self = ~and_(*(other.c[k] == bindparam(f"key_{k}") for k in key))
        conditions.append(~exists().where(*same_values, not_self))
    return update(table).where(*conditions)


@functools.cache
def _delete_statement(table: Table, key: tuple[str, ...]) -> Delete:
    return delete(table).where(*(table.c[k] == bindparam(f"key_{k}") for k in key))


class Lookup:
    """A prebuilt SELECT with bound parameters, and its ``FOR UPDATE`` twin."""

    __slots__ = ("locking", "plain")

    def __init__(self, stmt: AnySelect) -> None:
        self.plain = stmt
        # SQLite ignores FOR UPDATE: its transactions already hold the write lock (store.py).
        self.locking = stmt.with_for_update()


def lookup(table: Table, *columns: str) -> Lookup:
    """``SELECT * FROM table WHERE column = :column AND ...`` as a ``Lookup``."""
    return Lookup(select(table).where(*(table.c[c] == bindparam(c) for c in columns)))


class Repo:
    """Base of the repositories: a transaction's connection and its config-version bookkeeping."""

    __slots__ = ("_conn", "_tx")

    def __init__(self, tx: SqlTx) -> None:
        self._tx = tx
        self._conn: DeferredConnection = tx.conn

    def _config_changed(self, realm_id: str) -> None:
        self._tx.config_changed(realm_id)

    @property
    def _dialect(self) -> str:
        return self._conn.dialect.name

    async def _first(self, stmt: AnySelect, params: Mapping[str, object] | None = None) -> RowMapping | None:
        return (await self._conn.execute(stmt, params)).mappings().first()

    async def _lookup(
        self, lookup: Lookup, params: Mapping[str, object], *, for_update: bool = False
    ) -> RowMapping | None:
        return await self._first(lookup.locking if for_update else lookup.plain, params)

    async def _all(self, stmt: AnySelect, params: Mapping[str, object] | None = None) -> Sequence[RowMapping]:
        return (await self._conn.execute(stmt, params)).mappings().all()

    async def _execute_write(
        self, stmt: Executable, params: Mapping[str, object] | Sequence[Mapping[str, object]], what: str
    ) -> int:
        """Execute a write, turning constraint violations into ``Conflict`` / ``NotFound``."""
        try:
            result = await self._conn.execute(stmt, params)
        except IntegrityError as exc:
            raise integrity_error(exc, what) from exc
        return int(result.rowcount)

    async def _insert(self, table: Table, row: Mapping[str, object], what: str) -> None:
        """Insert ``row``; ``Conflict`` if a unique key is taken."""
        if await self._execute_write(insert_or_skip(self._dialect, table), row, what) == 0:
            raise Conflict(f"{what} already exists")

    async def _update(
        self,
        table: Table,
        key: Mapping[str, object],
        row: Mapping[str, object],
        what: str,
        unique: Sequence[Sequence[str]] = (),
    ) -> None:
        """Update the row matching ``key``; ``NotFound`` if absent, ``Conflict`` on a unique clash."""
        key_columns = tuple(key)
        unique_columns = tuple(tuple(columns) for columns in unique)
        params: dict[str, object] = {c: v for c, v in row.items() if c not in key}
        params.update((f"key_{k}", v) for k, v in key.items())
        params.update((f"new_{c}", row[c]) for columns in unique_columns for c in columns)
        stmt = _update_statement(table, key_columns, unique_columns)
        if await self._execute_write(stmt, params, what):
            return
        found = await self._conn.scalar(_key_exists(table, key_columns), {f"key_{k}": v for k, v in key.items()})
        raise Conflict(f"{what} already exists") if found else NotFound(f"{what} not found")

    async def _delete(self, table: Table, key: Mapping[str, object], what: str) -> None:
        """Delete the row matching ``key``; ``NotFound`` if there is none."""
        params = {f"key_{k}": v for k, v in key.items()}
        result = await self._conn.execute(_delete_statement(table, tuple(key)), params)
        if result.rowcount == 0:
            raise NotFound(f"{what} not found")


LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A ``LIKE`` pattern (with ``LIKE_ESCAPE``) matching ``text`` literally anywhere."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def page(stmt: AnySelect, first: int, max: int | None) -> AnySelect:
    """Apply Keycloak-style ``first``/``max`` paging."""
    if first > 0:
        stmt = stmt.offset(first)
    if max is not None:
        stmt = stmt.limit(max)
    return stmt
