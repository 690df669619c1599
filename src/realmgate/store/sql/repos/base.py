"""What every repository shares: the transaction it works in and the four write shapes.

Unique clashes are detected without aborting the transaction (PostgreSQL aborts a transaction on
any error): ``insert`` uses ``ON CONFLICT DO NOTHING`` and ``update`` guards the row with
``NOT EXISTS`` on each unique key, so a service may catch ``Conflict`` and carry on. A clash that
slips past the guard in a race still ends as ``Conflict`` through the unique constraint, and a
missing parent row (foreign key) as ``NotFound``; after those two, as after any other database
error, a PostgreSQL transaction can only be rolled back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, RowMapping, Select, Table, and_, delete, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from realmgate.store.interface import Conflict, NotFound

if TYPE_CHECKING:
    from typing import TypeAlias

    from realmgate.store.sql.tx import SqlTx

    AnySelect: TypeAlias = Select[*tuple[Any, ...]]


def integrity_error(exc: IntegrityError, what: str) -> Conflict | NotFound:
    """Translate a constraint violation into the store's errors."""
    if "foreign key" in str(exc.orig).lower():
        return NotFound(f"{what} refers to something that does not exist")
    return Conflict(f"{what} already exists")


def key_condition(table: Table, key: Mapping[str, object]) -> ColumnElement[bool]:
    return and_(*(table.c[name] == value for name, value in key.items()))


class Repo:
    """Base of the repositories: a transaction's connection and its config-version bookkeeping."""

    __slots__ = ("_conn", "_tx")

    def __init__(self, tx: SqlTx) -> None:
        self._tx = tx
        self._conn: AsyncConnection = tx.conn

    def _config_changed(self, realm_id: str) -> None:
        self._tx.config_changed(realm_id)

    async def _first(self, stmt: AnySelect, *, for_update: bool = False) -> RowMapping | None:
        if for_update:
            stmt = stmt.with_for_update()  # ignored by SQLite, whose transactions hold the write lock
        return (await self._conn.execute(stmt)).mappings().first()

    async def _all(self, stmt: AnySelect) -> Sequence[RowMapping]:
        return (await self._conn.execute(stmt)).mappings().all()

    def _upsert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        """An INSERT of this dialect, which knows ``ON CONFLICT``."""
        if self._conn.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def _insert(self, table: Table, row: Mapping[str, object], what: str) -> None:
        """Insert ``row``; ``Conflict`` if a unique key is taken."""
        stmt = self._upsert(table).values(row).on_conflict_do_nothing()
        try:
            result = await self._conn.execute(stmt)
        except IntegrityError as exc:
            raise integrity_error(exc, what) from exc
        if result.rowcount == 0:
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
        condition = key_condition(table, key)
        guards = [_no_other_row(table, key, row, cols) for cols in unique]
        stmt = update(table).where(condition, *guards).values(row)
        try:
            result = await self._conn.execute(stmt)
        except IntegrityError as exc:
            raise integrity_error(exc, what) from exc
        if result.rowcount:
            return
        found = await self._conn.scalar(select(exists().where(condition)))
        raise Conflict(f"{what} already exists") if found else NotFound(f"{what} not found")

    async def _delete(self, table: Table, key: Mapping[str, object], what: str) -> None:
        """Delete the row matching ``key``; ``NotFound`` if there is none."""
        result = await self._conn.execute(delete(table).where(key_condition(table, key)))
        if result.rowcount == 0:
            raise NotFound(f"{what} not found")


def _no_other_row(
    table: Table, key: Mapping[str, object], row: Mapping[str, object], columns: Sequence[str]
) -> ColumnElement[bool]:
    """``NOT EXISTS`` another row (not the one at ``key``) holding ``row``'s values in ``columns``."""
    other = table.alias("other")
    same_unique = [other.c[c] == row[c] for c in columns]
    not_self = ~and_(*(other.c[name] == value for name, value in key.items()))
    return ~exists().where(*same_unique, not_self)


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
