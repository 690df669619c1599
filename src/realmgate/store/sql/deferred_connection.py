"""A transaction's connection, taken and begun by its first statement.

Most hot requests are answered from the process's caches (realm configuration, principals) and
run no statement at all; with the connection taken up front each would still pay a pool
checkout, ``BEGIN`` (on SQLite ``BEGIN IMMEDIATE`` under the process lock) and ``COMMIT``. The
repositories call ``execute``/``scalar``/``scalars`` here as on an ``AsyncConnection``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.engine import CursorResult, Dialect, ScalarResult
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable


class DeferredConnection:
    def __init__(self, open_connection: Callable[[], Awaitable[AsyncConnection]], dialect: Dialect) -> None:
        self.dialect = dialect
        self._open = open_connection
        self.opened: AsyncConnection | None = None
        """The connection once a statement needed it (its transaction begun), else None."""

    async def _connection(self) -> AsyncConnection:
        if self.opened is None:
            self.opened = await self._open()
        return self.opened

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return await (await self._connection()).execute(statement, parameters)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        return await (await self._connection()).scalar(statement, parameters)

    async def scalars(self, statement: Executable, parameters: Any = None) -> ScalarResult[Any]:
        return await (await self._connection()).scalars(statement, parameters)
