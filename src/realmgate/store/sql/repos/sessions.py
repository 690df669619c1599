"""User sessions and single-use values: the hot paths of every login and token request.

A session is one row; its client sessions and notes ride in the JSON ``data`` column, so the
refresh-time update is one statement.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Insert, and_, bindparam, delete, exists, or_, select

from realmgate.model.session import UserSession
from realmgate.store.sql import rows
from realmgate.store.sql import tables as t
from realmgate.store.sql.repos.base import LIKE_ESCAPE, Repo, contains_pattern, dialect_insert, lookup, page

_S = t.user_sessions.c
_SESSION_BY_ID = lookup(t.user_sessions, "id", "realm_id")
_U = t.single_use.c
_SU_GET = select(_U.value).where(_U.key == bindparam("key"), _U.expires_at > bindparam("now"))
# DELETE ... RETURNING: the row lock makes a concurrent consumer find nothing left to delete.
_SU_CONSUME = delete(t.single_use).where(_U.key == bindparam("key")).returning(_U.value, _U.expires_at)
_SU_DELETE = delete(t.single_use).where(_U.key == bindparam("key"))


@functools.cache
def _put(dialect_name: str) -> Insert:
    insert = dialect_insert(dialect_name, t.single_use)
    return insert.on_conflict_do_update(
        index_elements=[_U.key], set_={"value": insert.excluded.value, "expires_at": insert.excluded.expires_at}
    )


def _holds_client(client_id: str) -> ColumnElement[bool]:
    return _S.client_ids.like(contains_pattern(f",{client_id},"), escape=LIKE_ESCAPE)


class SqlSessionRepo(Repo):
    __slots__ = ()

    async def _many(
        self, *conditions: ColumnElement[bool], first: int = 0, max: int | None = None
    ) -> Sequence[UserSession]:
        stmt = page(select(t.user_sessions).where(*conditions).order_by(_S.started, _S.id), first, max)
        return [rows.USER_SESSION.from_row(r) for r in await self._all(stmt)]

    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> UserSession | None:
        row = await self._lookup(_SESSION_BY_ID, {"id": id, "realm_id": realm_id}, for_update=for_update)
        return None if row is None else rows.USER_SESSION.from_row(row)

    async def add(self, session: UserSession) -> None:
        await self._insert(t.user_sessions, rows.USER_SESSION.to_row(session), "Session")

    async def update(self, session: UserSession) -> None:
        key = {"id": session.id, "realm_id": session.realm_id}
        await self._update(t.user_sessions, key, rows.USER_SESSION.to_row(session), "Session")

    async def delete(self, realm_id: str, id: str) -> None:
        await self._delete(t.user_sessions, {"id": id, "realm_id": realm_id}, "Session")

    async def take(self, realm_id: str, ids: Sequence[str]) -> Sequence[UserSession]:
        if not ids:
            return []
        stmt = delete(t.user_sessions).where(_S.realm_id == realm_id, _S.id.in_(ids)).returning(*t.user_sessions.c)
        return [rows.USER_SESSION.from_row(r) for r in (await self._conn.execute(stmt)).mappings().all()]

    async def list_for_user(self, realm_id: str, user_id: str) -> Sequence[UserSession]:
        return await self._many(_S.realm_id == realm_id, _S.user_id == user_id)

    async def list_for_realm(self, realm_id: str, *, after: str = "", limit: int = 100) -> Sequence[UserSession]:
        stmt = select(t.user_sessions).where(_S.realm_id == realm_id, _S.id > after).order_by(_S.id).limit(limit)
        return [rows.USER_SESSION.from_row(r) for r in await self._all(stmt)]

    async def list_for_client(
        self, realm_id: str, client_id: str, *, first: int = 0, max: int | None = 100
    ) -> Sequence[UserSession]:
        return await self._many(_S.realm_id == realm_id, _holds_client(client_id), first=first, max=max)

    async def count_by_client(self, realm_id: str) -> dict[str, int]:
        stmt = select(_S.client_ids).where(_S.realm_id == realm_id, _S.client_ids != ",")
        counts: Counter[str] = Counter()
        for client_ids in await self._conn.scalars(stmt):
            counts.update(c for c in client_ids.split(",") if c)
        return dict(counts)

    async def find_by_broker_session(self, realm_id: str, broker_session_id: str) -> Sequence[UserSession]:
        return await self._many(_S.realm_id == realm_id, _S.broker_session_id == broker_session_id)

    async def find_by_broker_user(self, realm_id: str, broker_user_id: str) -> Sequence[UserSession]:
        return await self._many(_S.realm_id == realm_id, _S.broker_user_id == broker_user_id)

    async def delete_for_realm(self, realm_id: str) -> int:
        result = await self._conn.execute(delete(t.user_sessions).where(_S.realm_id == realm_id))
        return result.rowcount

    async def take_expired(self, now: int, *, limit: int) -> Sequence[UserSession]:
        # The same rule as ``protocol.sessions.is_active``: over once ``now`` reaches the end.
        r = t.realms.c
        online_expired = and_(
            _S.offline.is_(False),
            or_(
                _S.last_refresh + r.sso_session_idle_timeout <= now,
                _S.started + r.sso_session_max_lifespan <= now,
            ),
        )
        offline_expired = and_(_S.offline.is_(True), _S.last_refresh + r.offline_session_idle_timeout <= now)
        expired = exists().where(r.id == _S.realm_id, or_(online_expired, offline_expired))
        ids = list(await self._conn.scalars(select(_S.id).where(expired).order_by(_S.id).limit(limit)))
        if not ids:
            return []
        # Re-checked in the DELETE: a refresh committed since the SELECT keeps its session.
        stmt = delete(t.user_sessions).where(_S.id.in_(ids), expired).returning(*t.user_sessions.c)
        return [rows.USER_SESSION.from_row(r) for r in (await self._conn.execute(stmt)).mappings().all()]

    async def drop_client_sessions(self, realm_id: str, client_id: str) -> None:
        """Remove one client's client sessions from every session of the realm (client deletion)."""
        for session in await self._many(_S.realm_id == realm_id, _holds_client(client_id)):
            remaining = {k: v for k, v in session.client_sessions.items() if k != client_id}
            await self.update(dataclasses.replace(session, client_sessions=remaining))


class SqlSingleUseRepo(Repo):
    __slots__ = ()

    async def put(self, key: str, value: str, expires_at: int) -> None:
        await self._conn.execute(_put(self._dialect), {"key": key, "value": value, "expires_at": expires_at})

    async def get(self, key: str, now: int) -> str | None:
        value = await self._conn.scalar(_SU_GET, {"key": key, "now": now})
        return None if value is None else str(value)

    async def consume(self, key: str, now: int) -> str | None:
        row = (await self._conn.execute(_SU_CONSUME, {"key": key})).first()
        if row is None or row.expires_at <= now:
            return None
        return str(row.value)

    async def delete(self, key: str) -> None:
        await self._conn.execute(_SU_DELETE, {"key": key})

    async def purge_expired(self, now: int) -> int:
        result = await self._conn.execute(delete(t.single_use).where(_U.expires_at <= now))
        return result.rowcount
