"""Clients and client scopes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from realmgate.model.client import Client, ClientScope
from realmgate.store.sql import rows
from realmgate.store.sql import tables as t
from realmgate.store.sql.repos.base import LIKE_ESCAPE, Repo, contains_pattern, lookup, page
from realmgate.store.sql.repos.roles import SqlRoleRepo
from realmgate.store.sql.repos.sessions import SqlSessionRepo

_CLIENT_BY_ID = lookup(t.clients, "id", "realm_id")
_CLIENT_BY_CLIENT_ID = lookup(t.clients, "realm_id", "client_id")
_SCOPE_BY_ID = lookup(t.client_scopes, "id", "realm_id")
_SCOPE_BY_NAME = lookup(t.client_scopes, "realm_id", "name")


class SqlClientRepo(Repo):
    __slots__ = ()

    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> Client | None:
        row = await self._lookup(_CLIENT_BY_ID, {"id": id, "realm_id": realm_id}, for_update=for_update)
        return None if row is None else rows.CLIENT.from_row(row)

    async def get_by_client_id(self, realm_id: str, client_id: str) -> Client | None:
        row = await self._lookup(_CLIENT_BY_CLIENT_ID, {"realm_id": realm_id, "client_id": client_id})
        return None if row is None else rows.CLIENT.from_row(row)

    async def list(
        self, realm_id: str, *, search: str | None = None, first: int = 0, max: int | None = None
    ) -> Sequence[Client]:
        stmt = select(t.clients).where(t.clients.c.realm_id == realm_id)
        if search:
            pattern = contains_pattern(search.lower())
            stmt = stmt.where(func.lower(t.clients.c.client_id).like(pattern, escape=LIKE_ESCAPE))
        stmt = page(stmt.order_by(t.clients.c.client_id), first, max)
        return [rows.CLIENT.from_row(r) for r in await self._all(stmt)]

    async def add(self, client: Client) -> None:
        await self._insert(t.clients, rows.CLIENT.to_row(client), f"Client {client.client_id}")
        self._config_changed(client.realm_id)

    async def update(self, client: Client) -> None:
        await self._update(
            t.clients,
            {"id": client.id, "realm_id": client.realm_id},
            rows.CLIENT.to_row(client),
            f"Client {client.client_id}",
            unique=[("realm_id", "client_id")],
        )
        self._config_changed(client.realm_id)

    async def delete(self, realm_id: str, id: str) -> None:
        role_ids = await self._conn.scalars(
            select(t.roles.c.id).where(t.roles.c.realm_id == realm_id, t.roles.c.client_id == id)
        )
        await SqlRoleRepo(self._tx).delete_many(realm_id, list(role_ids))
        service_account = await self._tx.users.get_service_account(realm_id, id)
        if service_account is not None:
            await self._tx.users.delete(realm_id, service_account.id)
        await SqlSessionRepo(self._tx).drop_client_sessions(realm_id, id)
        await self._delete(t.clients, {"id": id, "realm_id": realm_id}, "Client")
        self._config_changed(realm_id)


class SqlClientScopeRepo(Repo):
    __slots__ = ()

    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> ClientScope | None:
        row = await self._lookup(_SCOPE_BY_ID, {"id": id, "realm_id": realm_id}, for_update=for_update)
        return None if row is None else rows.CLIENT_SCOPE.from_row(row)

    async def get_by_name(self, realm_id: str, name: str) -> ClientScope | None:
        row = await self._lookup(_SCOPE_BY_NAME, {"realm_id": realm_id, "name": name})
        return None if row is None else rows.CLIENT_SCOPE.from_row(row)

    async def list(self, realm_id: str) -> Sequence[ClientScope]:
        stmt = select(t.client_scopes).where(t.client_scopes.c.realm_id == realm_id).order_by(t.client_scopes.c.name)
        return [rows.CLIENT_SCOPE.from_row(r) for r in await self._all(stmt)]

    async def add(self, scope: ClientScope) -> None:
        await self._insert(t.client_scopes, rows.CLIENT_SCOPE.to_row(scope), f"Client Scope {scope.name}")
        self._config_changed(scope.realm_id)

    async def update(self, scope: ClientScope) -> None:
        await self._update(
            t.client_scopes,
            {"id": scope.id, "realm_id": scope.realm_id},
            rows.CLIENT_SCOPE.to_row(scope),
            f"Client Scope {scope.name}",
            unique=[("realm_id", "name")],
        )
        self._config_changed(scope.realm_id)

    async def delete(self, realm_id: str, id: str) -> None:
        await self._delete(t.client_scopes, {"id": id, "realm_id": realm_id}, "Client Scope")
        self._config_changed(realm_id)
