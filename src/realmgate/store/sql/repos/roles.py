"""Roles and groups.

Role ids also live inside other rows' JSON (composites, group role mappings, client and client
scope scope mappings); deleting a role rewrites those rows. Role deletion is a rare admin action,
so it scans the realm's rows rather than making every hot-path load join a mapping table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update

from realmgate.model.role import Group, Role
from realmgate.store.interface import NotFound
from realmgate.store.sql import rows
from realmgate.store.sql import tables as t
from realmgate.store.sql.repos.base import Repo, lookup
from realmgate.store.sql.repos.brokering import delete_grants_of_targets

# Where role ids are referenced from JSON: (table keyed by ``id``, its codec, field holding role ids).
_ROLE_REFERENCES: tuple[tuple[Table, rows.Codec[Any], str], ...] = (
    (t.roles, rows.ROLE, "composite_ids"),
    (t.groups, rows.GROUP, "role_ids"),
    (t.clients, rows.CLIENT, "scope_role_ids"),
    (t.client_scopes, rows.CLIENT_SCOPE, "scope_role_ids"),
)


_ROLE_BY_ID = lookup(t.roles, "id", "realm_id")
_ROLE_BY_NAME = lookup(t.roles, "realm_id", "container_key", "name")
_ROLES_BY_IDS = select(t.roles).where(
    t.roles.c.realm_id == bindparam("realm_id"), t.roles.c.id.in_(bindparam("ids", expanding=True))
)
_ROLES_OF_REALM = (
    select(t.roles).where(t.roles.c.realm_id == bindparam("realm_id")).order_by(t.roles.c.container_key, t.roles.c.name)
)
_ROLES_OF_CONTAINER = _ROLES_OF_REALM.where(t.roles.c.container_key == bindparam("container_key"))
_GROUP_BY_ID = lookup(t.groups, "id", "realm_id")


class SqlRoleRepo(Repo):
    __slots__ = ()

    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> Role | None:
        row = await self._lookup(_ROLE_BY_ID, {"id": id, "realm_id": realm_id}, for_update=for_update)
        return None if row is None else rows.ROLE.from_row(row)

    async def get_many(self, realm_id: str, ids: Sequence[str]) -> Sequence[Role]:
        if not ids:
            return []
        found = await self._all(_ROLES_BY_IDS, {"realm_id": realm_id, "ids": list(ids)})
        return [rows.ROLE.from_row(r) for r in found]

    async def get_realm_role(self, realm_id: str, name: str) -> Role | None:
        return await self._by_name(realm_id, "", name)

    async def get_client_role(self, realm_id: str, client_id: str, name: str) -> Role | None:
        return await self._by_name(realm_id, client_id, name)

    async def _by_name(self, realm_id: str, container_key: str, name: str) -> Role | None:
        params = {"realm_id": realm_id, "container_key": container_key, "name": name}
        row = await self._lookup(_ROLE_BY_NAME, params)
        return None if row is None else rows.ROLE.from_row(row)

    async def list_realm_roles(self, realm_id: str) -> Sequence[Role]:
        return await self._list(realm_id, "")

    async def list_client_roles(self, realm_id: str, client_id: str) -> Sequence[Role]:
        return await self._list(realm_id, client_id)

    async def list_all(self, realm_id: str) -> Sequence[Role]:
        return await self._list(realm_id, None)

    async def _list(self, realm_id: str, container_key: str | None) -> Sequence[Role]:
        if container_key is None:
            found = await self._all(_ROLES_OF_REALM, {"realm_id": realm_id})
        else:
            found = await self._all(_ROLES_OF_CONTAINER, {"realm_id": realm_id, "container_key": container_key})
        return [rows.ROLE.from_row(r) for r in found]

    async def add(self, role: Role) -> None:
        await self._insert(t.roles, rows.ROLE.to_row(role), f"Role with name {role.name}")
        self._config_changed(role.realm_id)

    async def update(self, role: Role) -> None:
        await self._update(
            t.roles,
            {"id": role.id, "realm_id": role.realm_id},
            rows.ROLE.to_row(role),
            f"Role with name {role.name}",
            unique=[("realm_id", "container_key", "name")],
        )
        self._config_changed(role.realm_id)

    async def delete(self, realm_id: str, id: str) -> None:
        if await self.get(realm_id, id) is None:
            raise NotFound("Role not found")
        await self.delete_many(realm_id, [id])

    async def delete_many(self, realm_id: str, ids: Collection[str]) -> None:
        """Delete roles and every reference to them (user mappings, composites, scope mappings)."""
        if not ids:
            return
        await self._conn.execute(delete(t.user_roles).where(t.user_roles.c.role_id.in_(ids)))
        await delete_grants_of_targets(self._conn, realm_id, "role", ids)
        for table, codec, field in _ROLE_REFERENCES:
            await self._strip_references(realm_id, table, codec, field, set(ids))
        await self._conn.execute(delete(t.roles).where(t.roles.c.realm_id == realm_id, t.roles.c.id.in_(ids)))
        self._config_changed(realm_id)

    async def _strip_references(
        self, realm_id: str, table: Table, codec: rows.Codec[Any], field: str, ids: set[str]
    ) -> None:
        for row in await self._all(select(table).where(table.c.realm_id == realm_id)):
            obj = codec.from_row(row)
            kept = tuple(i for i in getattr(obj, field) if i not in ids)
            if len(kept) != len(getattr(obj, field)):
                new_data = codec.to_row(dataclasses.replace(obj, **{field: kept}))["data"]
                await self._conn.execute(update(table).where(table.c.id == row["id"]).values(data=new_data))


class SqlGroupRepo(Repo):
    __slots__ = ()

    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> Group | None:
        row = await self._lookup(_GROUP_BY_ID, {"id": id, "realm_id": realm_id}, for_update=for_update)
        return None if row is None else rows.GROUP.from_row(row)

    async def list(self, realm_id: str) -> Sequence[Group]:
        stmt = select(t.groups).where(t.groups.c.realm_id == realm_id).order_by(t.groups.c.name, t.groups.c.id)
        return [rows.GROUP.from_row(r) for r in await self._all(stmt)]

    async def add(self, group: Group) -> None:
        await self._insert(t.groups, rows.GROUP.to_row(group), f"Group {group.name}")
        self._config_changed(group.realm_id)

    async def update(self, group: Group) -> None:
        await self._update(
            t.groups,
            {"id": group.id, "realm_id": group.realm_id},
            rows.GROUP.to_row(group),
            f"Group {group.name}",
            unique=[("realm_id", "parent_key", "name")],
        )
        self._config_changed(group.realm_id)

    async def delete(self, realm_id: str, id: str) -> None:
        ids = [id]
        frontier = [id]
        while frontier:
            children = await self._conn.scalars(
                select(t.groups.c.id).where(t.groups.c.realm_id == realm_id, t.groups.c.parent_id.in_(frontier))
            )
            frontier = list(children)
            ids.extend(frontier)
        await self._conn.execute(delete(t.user_groups).where(t.user_groups.c.group_id.in_(ids)))
        await delete_grants_of_targets(self._conn, realm_id, "group", ids)
        subgroups = ids[1:]
        if subgroups:
            await self._conn.execute(delete(t.groups).where(t.groups.c.id.in_(subgroups)))
        await self._delete(t.groups, {"id": id, "realm_id": realm_id}, "Group")
        self._config_changed(realm_id)
