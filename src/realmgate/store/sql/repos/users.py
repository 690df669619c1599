"""Users (search, role mappings, group membership) and their credentials."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Table, bindparam, delete, exists, func, insert, or_, select

from realmgate.model.user import Credential, User
from realmgate.store.interface import NotFound, UserQuery
from realmgate.store.sql import rows
from realmgate.store.sql import tables as t
from realmgate.store.sql.repos.base import (
    LIKE_ESCAPE,
    Lookup,
    Repo,
    contains_pattern,
    insert_or_skip,
    lookup,
    page,
)

if TYPE_CHECKING:
    from realmgate.store.sql.repos.base import AnySelect

_U = t.users.c
_USER_BY_ID = lookup(t.users, "id", "realm_id")
_USER_BY_USERNAME = lookup(t.users, "realm_id", "username_lc")
_SERVICE_ACCOUNT = lookup(t.users, "realm_id", "service_account_client_id")
_UR = t.user_roles.c
_UG = t.user_groups.c
_ROLE_IDS = (
    select(_UR.role_id)
    .where(_UR.user_id == bindparam("user_id"), _UR.realm_id == bindparam("realm_id"))
    .order_by(_UR.role_id)
)
_GROUP_IDS = (
    select(_UG.group_id)
    .where(_UG.user_id == bindparam("user_id"), _UG.realm_id == bindparam("realm_id"))
    .order_by(_UG.group_id)
)
_DELETE_ATTRIBUTES = delete(t.user_attributes).where(t.user_attributes.c.user_id == bindparam("user_id"))
_CREDENTIALS = (
    select(t.credentials)
    .where(t.credentials.c.user_id == bindparam("user_id"))
    .order_by(t.credentials.c.priority, t.credentials.c.id)
)


def _matcher(exact: bool) -> Callable[[ColumnElement[Any], str], ColumnElement[bool]]:
    """Compare a lower-cased column to a value: equal, or Keycloak-like substring (``*`` wildcard)."""

    def match(column: ColumnElement[Any], value: str) -> ColumnElement[bool]:
        value = value.lower()
        if exact:
            return column == value
        return column.like(contains_pattern(value).replace("*", "%"), escape=LIKE_ESCAPE)

    return match


def user_conditions(realm_id: str, q: UserQuery) -> list[ColumnElement[bool]]:
    match = _matcher(q.exact)
    conditions: list[ColumnElement[bool]] = [_U.realm_id == realm_id]
    if not q.include_service_accounts:
        conditions.append(_U.service_account_client_id.is_(None))
    if q.enabled is not None:
        conditions.append(_U.enabled == q.enabled)
    if q.search and q.search.strip("*"):
        columns = (_U.username_lc, _U.email_lc, _U.first_name_lc, _U.last_name_lc)
        conditions.append(or_(*(match(c, q.search) for c in columns)))
    for column, value in (
        (_U.username_lc, q.username),
        (_U.email_lc, q.email),
        (_U.first_name_lc, q.first_name),
        (_U.last_name_lc, q.last_name),
    ):
        if value is not None:
            conditions.append(match(column, value))
    a = t.user_attributes.c
    for name, value in q.attributes:
        conditions.append(
            exists().where(
                a.user_id == _U.id,
                a.realm_id == realm_id,
                a.name == name,
                a.value_key == rows.attribute_value_key(value),
                a.value == value,
            )
        )
    return conditions


class SqlUserRepo(Repo):
    __slots__ = ()

    async def _one(self, lookup: Lookup, params: Mapping[str, object], *, for_update: bool = False) -> User | None:
        row = await self._lookup(lookup, params, for_update=for_update)
        return None if row is None else rows.USER.from_row(row)

    async def _many(self, stmt: AnySelect) -> Sequence[User]:
        return [rows.USER.from_row(r) for r in await self._all(stmt)]

    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> User | None:
        params = {"id": id, "realm_id": realm_id}
        if for_update:
            return await self._one(_USER_BY_ID, params, for_update=True)
        return await self._tx.cached(("user", realm_id, id), lambda: self._one(_USER_BY_ID, params))

    async def get_by_username(self, realm_id: str, username: str) -> User | None:
        return await self._one(_USER_BY_USERNAME, {"realm_id": realm_id, "username_lc": username.lower()})

    async def get_by_email(self, realm_id: str, email: str) -> Sequence[User]:
        stmt = select(t.users).where(_U.realm_id == realm_id, _U.email_lc == email.lower())
        return await self._many(stmt.order_by(_U.username_lc))

    async def get_service_account(self, realm_id: str, client_id: str) -> User | None:
        params = {"realm_id": realm_id, "service_account_client_id": client_id}
        key = ("service-account", realm_id, client_id)
        return await self._tx.cached(key, lambda: self._one(_SERVICE_ACCOUNT, params))

    async def find(self, realm_id: str, query: UserQuery) -> Sequence[User]:
        stmt = select(t.users).where(*user_conditions(realm_id, query)).order_by(_U.username_lc)
        return await self._many(page(stmt, query.first, query.max))

    async def count(self, realm_id: str, query: UserQuery) -> int:
        stmt = select(func.count()).select_from(t.users).where(*user_conditions(realm_id, query))
        return int(await self._conn.scalar(stmt) or 0)

    async def add(self, user: User) -> None:
        await self._insert(t.users, rows.USER.to_row(user), f"User {user.username}")
        await self._write_attributes(user)
        self._tx.principal_changed()

    async def update(self, user: User) -> None:
        await self._update(
            t.users,
            {"id": user.id, "realm_id": user.realm_id},
            rows.USER.to_row(user),
            f"User {user.username}",
            unique=[("realm_id", "username_lc")],
        )
        await self._conn.execute(_DELETE_ATTRIBUTES, {"user_id": user.id})
        await self._write_attributes(user)
        self._tx.principal_changed()

    async def _write_attributes(self, user: User) -> None:
        attribute_rows = rows.user_attribute_rows(user)
        if attribute_rows:
            await self._conn.execute(insert(t.user_attributes), attribute_rows)

    async def delete(self, realm_id: str, id: str) -> None:
        if not await self._conn.scalar(select(exists().where(_U.id == id, _U.realm_id == realm_id))):
            raise NotFound("User not found")
        for table in (
            t.user_sessions,
            t.credentials,
            t.federated_identities,
            t.user_roles,
            t.user_groups,
            t.user_attributes,
            t.idp_mapper_grants,
            t.organization_members,
        ):
            await self._conn.execute(delete(table).where(table.c.user_id == id))
        await self._conn.execute(delete(t.login_failures).where(t.login_failures.c.user_id == id))
        await self._delete(t.users, {"id": id}, "User")
        self._tx.principal_changed()

    # Role mappings

    async def role_ids(self, realm_id: str, user_id: str) -> Sequence[str]:
        return list(
            await self._tx.cached(("roles", realm_id, user_id), lambda: self._ids(_ROLE_IDS, realm_id, user_id))
        )

    async def grant_roles(self, realm_id: str, user_id: str, role_ids: Sequence[str]) -> None:
        await self._link(t.user_roles, [{"user_id": user_id, "role_id": r, "realm_id": realm_id} for r in role_ids])
        self._tx.principal_changed()

    async def revoke_roles(self, realm_id: str, user_id: str, role_ids: Sequence[str]) -> None:
        if role_ids:
            await self._conn.execute(
                delete(t.user_roles).where(_UR.user_id == user_id, _UR.realm_id == realm_id, _UR.role_id.in_(role_ids))
            )
        self._tx.principal_changed()

    async def users_with_role(
        self, realm_id: str, role_id: str, *, first: int = 0, max: int | None = 100
    ) -> Sequence[User]:
        return await self._linked(t.user_roles, "role_id", role_id, realm_id, first, max)

    # Group membership

    async def group_ids(self, realm_id: str, user_id: str) -> Sequence[str]:
        key = ("groups", realm_id, user_id)
        return list(await self._tx.cached(key, lambda: self._ids(_GROUP_IDS, realm_id, user_id)))

    async def _ids(self, stmt: AnySelect, realm_id: str, user_id: str) -> tuple[str, ...]:
        """A tuple, so the cached value cannot be changed by a caller (who gets a list copy)."""
        return tuple(await self._conn.scalars(stmt, {"user_id": user_id, "realm_id": realm_id}))

    async def join_group(self, realm_id: str, user_id: str, group_id: str) -> None:
        await self._link(t.user_groups, [{"user_id": user_id, "group_id": group_id, "realm_id": realm_id}])
        self._tx.principal_changed()

    async def leave_group(self, realm_id: str, user_id: str, group_id: str) -> None:
        await self._conn.execute(
            delete(t.user_groups).where(_UG.user_id == user_id, _UG.group_id == group_id, _UG.realm_id == realm_id)
        )
        self._tx.principal_changed()

    async def group_members(
        self, realm_id: str, group_id: str, *, first: int = 0, max: int | None = 100
    ) -> Sequence[User]:
        return await self._linked(t.user_groups, "group_id", group_id, realm_id, first, max)

    async def _linked(
        self, table: Table, column: str, target_id: str, realm_id: str, first: int, max: int | None
    ) -> Sequence[User]:
        """A page of the users linked in ``table`` to ``target_id`` (a role's holders, a group's
        members), by username."""
        links = table.c
        stmt = (
            select(t.users)
            .join(table, links.user_id == _U.id)
            .where(links[column] == target_id, links.realm_id == realm_id)
            .order_by(_U.username_lc)
        )
        return await self._many(page(stmt, first, max))

    async def _link(self, table: Table, links: list[dict[str, object]]) -> None:
        """Insert mapping rows, skipping those already present (idempotent grant / join)."""
        if links:
            await self._execute_write(insert_or_skip(self._dialect, table), links, "Mapping")


class SqlCredentialRepo(Repo):
    __slots__ = ()

    async def list(self, user_id: str) -> Sequence[Credential]:
        return [rows.CREDENTIAL.from_row(r) for r in await self._all(_CREDENTIALS, {"user_id": user_id})]

    async def add(self, credential: Credential) -> None:
        await self._insert(t.credentials, rows.CREDENTIAL.to_row(credential), "Credential")

    async def update(self, credential: Credential) -> None:
        key = {"id": credential.id, "user_id": credential.user_id}
        await self._update(t.credentials, key, rows.CREDENTIAL.to_row(credential), "Credential")

    async def delete(self, user_id: str, id: str) -> None:
        await self._delete(t.credentials, {"id": id, "user_id": user_id}, "Credential")
