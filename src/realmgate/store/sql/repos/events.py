"""Login and admin events (newest first)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select

from realmgate.model.events import AdminEvent, Event
from realmgate.store.interface import EventQuery
from realmgate.store.sql import rows
from realmgate.store.sql import tables as t
from realmgate.store.sql.repos.base import Repo, page

_E = t.events.c
_A = t.admin_events.c


class SqlEventRepo(Repo):
    __slots__ = ()

    async def add(self, event: Event) -> None:
        await self._insert(t.events, rows.EVENT.to_row(event), "Event")

    async def list(self, realm_id: str, query: EventQuery) -> Sequence[Event]:
        stmt = select(t.events).where(_E.realm_id == realm_id)
        if query.types:
            stmt = stmt.where(_E.type.in_(query.types))
        if query.client_id is not None:
            stmt = stmt.where(_E.client_id == query.client_id)
        if query.user_id is not None:
            stmt = stmt.where(_E.user_id == query.user_id)
        if query.date_from is not None:
            stmt = stmt.where(_E.time >= query.date_from)
        if query.date_to is not None:
            stmt = stmt.where(_E.time <= query.date_to)
        stmt = page(stmt.order_by(_E.time.desc(), _E.id), query.first, query.max)
        return [rows.EVENT.from_row(r) for r in await self._all(stmt)]

    async def clear(self, realm_id: str) -> None:
        await self._conn.execute(delete(t.events).where(_E.realm_id == realm_id))

    async def add_admin(self, event: AdminEvent) -> None:
        await self._insert(t.admin_events, rows.ADMIN_EVENT.to_row(event), "Admin event")

    async def list_admin(self, realm_id: str, first: int = 0, max: int | None = 100) -> Sequence[AdminEvent]:
        stmt = select(t.admin_events).where(_A.realm_id == realm_id).order_by(_A.time.desc(), _A.id)
        return [rows.ADMIN_EVENT.from_row(r) for r in await self._all(page(stmt, first, max))]

    async def clear_admin(self, realm_id: str) -> None:
        await self._conn.execute(delete(t.admin_events).where(_A.realm_id == realm_id))
