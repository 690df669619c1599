"""Realms (with the cascade that empties them) and realm keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, select

from realmgate.model.keys import RealmKey
from realmgate.model.realm import Realm
from realmgate.store.interface import NotFound
from realmgate.store.sql import rows
from realmgate.store.sql import tables as t
from realmgate.store.sql.repos.base import Repo, lookup

# Children before parents, so foreign keys hold at every step.
_REALM_CHILDREN = (
    t.organization_members,
    t.organization_identity_providers,
    t.organization_domains,
    t.organizations,
    t.components,
    t.user_sessions,
    t.user_attributes,
    t.user_roles,
    t.user_groups,
    t.federated_identities,
    t.idp_mapper_grants,
    t.users,
    t.roles,
    t.groups,
    t.clients,
    t.client_scopes,
    t.idp_mappers,
    t.identity_providers,
    t.realm_keys,
    t.events,
    t.admin_events,
    t.login_failures,
)


_REALM_BY_ID = lookup(t.realms, "id")
_REALM_BY_NAME = lookup(t.realms, "name")
# Read by every request that uses a cached realm configuration.
_CONFIG_VERSION = select(t.realms.c.config_version).where(t.realms.c.id == bindparam("id"))
_KEYS_OF_REALM = (
    select(t.realm_keys)
    .where(t.realm_keys.c.realm_id == bindparam("realm_id"))
    .order_by(t.realm_keys.c.priority.desc(), t.realm_keys.c.kid)
)


class SqlRealmRepo(Repo):
    __slots__ = ()

    async def get(self, realm_id: str, *, for_update: bool = False) -> Realm | None:
        row = await self._lookup(_REALM_BY_ID, {"id": realm_id}, for_update=for_update)
        return None if row is None else rows.REALM.from_row(row)

    async def get_by_name(self, name: str) -> Realm | None:
        row = await self._lookup(_REALM_BY_NAME, {"name": name})
        return None if row is None else rows.REALM.from_row(row)

    async def list(self) -> Sequence[Realm]:
        return [rows.REALM.from_row(r) for r in await self._all(select(t.realms).order_by(t.realms.c.name))]

    async def add(self, realm: Realm) -> None:
        await self._insert(t.realms, {**rows.REALM.to_row(realm), "config_version": 1}, f"Realm {realm.name}")

    async def update(self, realm: Realm) -> None:
        await self._update(
            t.realms, {"id": realm.id}, rows.REALM.to_row(realm), f"Realm {realm.name}", unique=[("name",)]
        )
        self._config_changed(realm.id)

    async def delete(self, realm_id: str) -> None:
        users_of_realm = select(t.users.c.id).where(t.users.c.realm_id == realm_id).scalar_subquery()
        await self._conn.execute(delete(t.credentials).where(t.credentials.c.user_id.in_(users_of_realm)))
        # Groups reference their parents; one statement deletes them all at once.
        for table in _REALM_CHILDREN:
            await self._conn.execute(delete(table).where(table.c.realm_id == realm_id))
        await self._delete(t.realms, {"id": realm_id}, "Realm")
        self._config_changed(realm_id)  # other processes drop what they cached of it

    async def touch(self, realm_id: str) -> None:
        self._config_changed(realm_id)

    async def config_version(self, realm_id: str) -> int:
        await self._tx.bump_config_versions(realm_id)
        version = await self._conn.scalar(_CONFIG_VERSION, {"id": realm_id})
        if version is None:
            raise NotFound("Realm not found")
        return int(version)


class SqlKeyRepo(Repo):
    __slots__ = ()

    async def list(self, realm_id: str) -> Sequence[RealmKey]:
        return [rows.REALM_KEY.from_row(r) for r in await self._all(_KEYS_OF_REALM, {"realm_id": realm_id})]

    async def add(self, key: RealmKey) -> None:
        await self._insert(t.realm_keys, rows.REALM_KEY.to_row(key), f"Key {key.kid}")
        self._config_changed(key.realm_id)

    async def update(self, key: RealmKey) -> None:
        await self._update(
            t.realm_keys,
            {"realm_id": key.realm_id, "kid": key.kid},
            rows.REALM_KEY.to_row(key),
            f"Key {key.kid}",
        )
        self._config_changed(key.realm_id)

    async def delete(self, realm_id: str, kid: str) -> None:
        await self._delete(t.realm_keys, {"realm_id": realm_id, "kid": kid}, "Key")
        self._config_changed(realm_id)
