"""Identity providers, their mappers, users' links to upstream accounts, and the record of what
mappers granted (so a FORCE mapper revokes only its own grants)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import bindparam, delete, select, update

from realmgate.model.identity_provider import GrantKind, IdentityProvider, IdentityProviderMapper, MapperGrant
from realmgate.model.user import FederatedIdentity
from realmgate.store.sql import rows
from realmgate.store.sql import tables as t
from realmgate.store.sql.deferred_connection import DeferredConnection
from realmgate.store.sql.repos.base import Repo, insert_or_skip, lookup

_F = t.federated_identities.c
_I = t.identity_providers.c
_M = t.idp_mappers.c
_G = t.idp_mapper_grants.c
_GRANTS_OF_USER = (
    select(t.idp_mapper_grants)
    .where(_G.realm_id == bindparam("realm_id"), _G.user_id == bindparam("user_id"))
    .order_by(_G.kind, _G.target_id, _G.identity_provider, _G.mapper_id)
)
_DELETE_GRANT = delete(t.idp_mapper_grants).where(
    *(_G[c] == bindparam(c) for c in ("realm_id", "user_id", "kind", "target_id", "identity_provider", "mapper_id"))
)


async def delete_grants_of_targets(
    conn: DeferredConnection, realm_id: str, kind: GrantKind, target_ids: Collection[str]
) -> None:
    """Drop the grant records of roles or groups being deleted."""
    if target_ids:
        await conn.execute(
            delete(t.idp_mapper_grants).where(_G.realm_id == realm_id, _G.kind == kind, _G.target_id.in_(target_ids))
        )


_LINK_BY_UPSTREAM = lookup(t.federated_identities, "realm_id", "identity_provider", "idp_user_id")
_IDP_BY_ALIAS = lookup(t.identity_providers, "realm_id", "alias")
_MAPPER_BY_ID = lookup(t.idp_mappers, "id", "realm_id")


class SqlFederatedIdentityRepo(Repo):
    __slots__ = ()

    async def list_for_user(self, realm_id: str, user_id: str) -> Sequence[FederatedIdentity]:
        stmt = (
            select(t.federated_identities)
            .where(_F.realm_id == realm_id, _F.user_id == user_id)
            .order_by(_F.identity_provider)
        )
        return [rows.FEDERATED_IDENTITY.from_row(r) for r in await self._all(stmt)]

    async def get_by_upstream(self, realm_id: str, alias: str, idp_user_id: str) -> FederatedIdentity | None:
        params = {"realm_id": realm_id, "identity_provider": alias, "idp_user_id": idp_user_id}
        row = await self._lookup(_LINK_BY_UPSTREAM, params)
        return None if row is None else rows.FEDERATED_IDENTITY.from_row(row)

    async def add(self, link: FederatedIdentity) -> None:
        what = f"Link to {link.identity_provider}"
        await self._insert(t.federated_identities, rows.FEDERATED_IDENTITY.to_row(link), what)

    async def update(self, link: FederatedIdentity) -> None:
        await self._update(
            t.federated_identities,
            {"realm_id": link.realm_id, "user_id": link.user_id, "identity_provider": link.identity_provider},
            rows.FEDERATED_IDENTITY.to_row(link),
            f"Link to {link.identity_provider}",
            unique=[("realm_id", "identity_provider", "idp_user_id")],
        )

    async def delete(self, realm_id: str, user_id: str, alias: str) -> None:
        key = {"realm_id": realm_id, "user_id": user_id, "identity_provider": alias}
        await self._delete(t.federated_identities, key, "Link")

    async def rename_alias(self, realm_id: str, old_alias: str, new_alias: str) -> None:
        """Move the links, and the mappers' grant records, to the provider's new alias."""
        for table, c in ((t.federated_identities, _F), (t.idp_mapper_grants, _G)):
            stmt = (
                update(table)
                .where(c.realm_id == realm_id, c.identity_provider == old_alias)
                .values(identity_provider=new_alias)
            )
            await self._execute_write(stmt, {}, f"Link to {new_alias}")


class SqlIdentityProviderRepo(Repo):
    __slots__ = ()

    async def get(self, realm_id: str, alias: str, *, for_update: bool = False) -> IdentityProvider | None:
        row = await self._lookup(_IDP_BY_ALIAS, {"realm_id": realm_id, "alias": alias}, for_update=for_update)
        return None if row is None else rows.IDENTITY_PROVIDER.from_row(row)

    async def list(self, realm_id: str) -> Sequence[IdentityProvider]:
        stmt = select(t.identity_providers).where(_I.realm_id == realm_id).order_by(_I.alias)
        return [rows.IDENTITY_PROVIDER.from_row(r) for r in await self._all(stmt)]

    async def add(self, idp: IdentityProvider) -> None:
        what = f"Identity Provider {idp.alias}"
        await self._insert(t.identity_providers, rows.IDENTITY_PROVIDER.to_row(idp), what)
        self._config_changed(idp.realm_id)

    async def update(self, idp: IdentityProvider) -> None:
        await self._update(
            t.identity_providers,
            {"internal_id": idp.internal_id, "realm_id": idp.realm_id},
            rows.IDENTITY_PROVIDER.to_row(idp),
            f"Identity Provider {idp.alias}",
            unique=[("realm_id", "alias")],
        )
        self._config_changed(idp.realm_id)

    async def delete(self, realm_id: str, alias: str) -> None:
        await self._conn.execute(
            delete(t.idp_mappers).where(_M.realm_id == realm_id, _M.identity_provider_alias == alias)
        )
        for table, c in ((t.federated_identities, _F), (t.idp_mapper_grants, _G)):
            await self._conn.execute(delete(table).where(c.realm_id == realm_id, c.identity_provider == alias))
        internal_id = select(_I.internal_id).where(_I.realm_id == realm_id, _I.alias == alias).scalar_subquery()
        org_links = t.organization_identity_providers
        await self._conn.execute(delete(org_links).where(org_links.c.idp_internal_id == internal_id))
        await self._delete(t.identity_providers, {"realm_id": realm_id, "alias": alias}, "Identity Provider")
        self._config_changed(realm_id)


class SqlIdentityProviderMapperRepo(Repo):
    __slots__ = ()

    async def get(self, realm_id: str, id: str) -> IdentityProviderMapper | None:
        row = await self._lookup(_MAPPER_BY_ID, {"id": id, "realm_id": realm_id})
        return None if row is None else rows.IDP_MAPPER.from_row(row)

    async def list(self, realm_id: str, alias: str | None = None) -> Sequence[IdentityProviderMapper]:
        stmt = select(t.idp_mappers).where(_M.realm_id == realm_id)
        if alias is not None:
            stmt = stmt.where(_M.identity_provider_alias == alias)
        mappers = [rows.IDP_MAPPER.from_row(r) for r in await self._all(stmt)]
        return sorted(mappers, key=lambda m: (m.identity_provider_alias, m.name, m.id))

    async def add(self, mapper: IdentityProviderMapper) -> None:
        await self._insert(t.idp_mappers, rows.IDP_MAPPER.to_row(mapper), f"Mapper {mapper.name}")
        self._config_changed(mapper.realm_id)

    async def update(self, mapper: IdentityProviderMapper) -> None:
        key = {"id": mapper.id, "realm_id": mapper.realm_id}
        await self._update(t.idp_mappers, key, rows.IDP_MAPPER.to_row(mapper), f"Mapper {mapper.name}")
        self._config_changed(mapper.realm_id)

    async def delete(self, realm_id: str, id: str) -> None:
        await self._conn.execute(delete(t.idp_mapper_grants).where(_G.realm_id == realm_id, _G.mapper_id == id))
        await self._delete(t.idp_mappers, {"id": id, "realm_id": realm_id}, "Mapper")
        self._config_changed(realm_id)


class SqlMapperGrantRepo(Repo):
    __slots__ = ()

    async def list(self, realm_id: str, user_id: str) -> Sequence[MapperGrant]:
        found = await self._all(_GRANTS_OF_USER, {"realm_id": realm_id, "user_id": user_id})
        return [rows.mapper_grant(r) for r in found]

    async def add(self, realm_id: str, user_id: str, grants: Sequence[MapperGrant]) -> None:
        if grants:
            statement = insert_or_skip(self._dialect, t.idp_mapper_grants)
            await self._execute_write(statement, rows.mapper_grant_rows(realm_id, user_id, grants), "Grant record")

    async def remove(self, realm_id: str, user_id: str, grants: Sequence[MapperGrant]) -> None:
        if grants:
            await self._conn.execute(_DELETE_GRANT, rows.mapper_grant_rows(realm_id, user_id, grants))

    async def forget(self, realm_id: str, user_id: str, kind: GrantKind, target_ids: Sequence[str]) -> None:
        if target_ids:
            await self._conn.execute(
                delete(t.idp_mapper_grants).where(
                    _G.realm_id == realm_id, _G.user_id == user_id, _G.kind == kind, _G.target_id.in_(target_ids)
                )
            )
