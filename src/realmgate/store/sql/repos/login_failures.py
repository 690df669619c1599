"""Brute-force detection's failure records: one row per user, changed under its row lock.

``change`` inserts an empty row when there is none (``ON CONFLICT DO NOTHING``: a concurrent
insert of the same user waits for the other transaction, then skips), reads it ``FOR UPDATE`` and
writes the new counts. On PostgreSQL the row lock orders concurrent failures of one user from any
instance; on SQLite the transaction's write lock (``BEGIN IMMEDIATE``) already does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import RowMapping, bindparam, delete, select, update

from realmgate.model.login_failure import LoginFailure
from realmgate.store.sql import tables as t
from realmgate.store.sql.repos.base import Repo, insert_or_skip, lookup

_F = t.login_failures.c
_BY_USER = lookup(t.login_failures, "realm_id", "user_id")
# UPDATE needs bind names other than its column names.
_KEY = (_F.realm_id == bindparam("key_realm"), _F.user_id == bindparam("key_user"))
_WRITE = update(t.login_failures).where(*_KEY)
_DELETE = delete(t.login_failures).where(*_KEY)
_DELETE_REALM = delete(t.login_failures).where(_F.realm_id == bindparam("realm_id"))
_COUNTS = ("num_failures", "num_temporary_lockouts", "last_failure", "last_ip_failure", "failed_login_not_before")


def _row(failure: LoginFailure) -> dict[str, object]:
    return dataclasses.asdict(failure)


def _failure(row: RowMapping) -> LoginFailure:
    return LoginFailure(**{name: row[name] for name in ("realm_id", "user_id", *_COUNTS)})


class SqlLoginFailureRepo(Repo):
    __slots__ = ()

    async def get(self, realm_id: str, user_id: str) -> LoginFailure | None:
        row = await self._lookup(_BY_USER, {"realm_id": realm_id, "user_id": user_id})
        return None if row is None else _failure(row)

    async def get_many(self, realm_id: str, user_ids: Sequence[str]) -> Mapping[str, LoginFailure]:
        if not user_ids:
            return {}
        stmt = select(t.login_failures).where(_F.realm_id == realm_id, _F.user_id.in_(list(user_ids)))
        return {row["user_id"]: _failure(row) for row in await self._all(stmt)}

    async def change(self, realm_id: str, user_id: str, change: Callable[[LoginFailure], LoginFailure]) -> LoginFailure:
        key = {"realm_id": realm_id, "user_id": user_id}
        await self._conn.execute(insert_or_skip(self._dialect, t.login_failures), _row(LoginFailure(realm_id, user_id)))
        row = await self._lookup(_BY_USER, key, for_update=True)
        assert row is not None  # inserted above, and only deleted under the same lock
        changed = dataclasses.replace(change(_failure(row)), realm_id=realm_id, user_id=user_id)
        counts = {name: getattr(changed, name) for name in _COUNTS}
        await self._conn.execute(_WRITE, {"key_realm": realm_id, "key_user": user_id, **counts})
        return changed

    async def delete(self, realm_id: str, user_id: str) -> bool:
        result = await self._conn.execute(_DELETE, {"key_realm": realm_id, "key_user": user_id})
        return bool(result.rowcount)

    async def delete_for_realm(self, realm_id: str) -> None:
        await self._conn.execute(_DELETE_REALM, {"realm_id": realm_id})
