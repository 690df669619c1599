"""Clients and client scopes."""

from __future__ import annotations

import dataclasses

import pytest

from realmgate.model.client import ClientScope, ProtocolMapper
from realmgate.store.interface import Conflict, NotFound
from realmgate.store.sql import SqlStore

from . import factories as f

_MAPPER = ProtocolMapper(
    id="m1", name="email", protocol_mapper="oidc-usermodel-property-mapper", config={"claim.name": "email"}
)


async def test_client_round_trip(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    client = f.client(
        realm.id,
        "web-app",
        secret="s3cret",
        redirect_uris=("https://app/*",),
        attributes={"pkce.code.challenge.method": "S256"},
        protocol_mappers=(_MAPPER,),
        default_client_scopes=("profile",),
    )
    async with store.tx() as tx:
        await tx.clients.add(client)
    async with store.tx() as tx:
        assert await tx.clients.get(realm.id, client.id) == client
        assert await tx.clients.get_by_client_id(realm.id, "web-app") == client
        assert await tx.clients.get_by_client_id(realm.id, "WEB-APP") is None
        assert await tx.clients.get("other-realm", client.id) is None


async def test_client_id_unique_per_realm(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    other = await f.add_realm(store)
    b = f.client(realm.id, "b")
    async with store.tx() as tx:
        await tx.clients.add(f.client(realm.id, "a"))
        await tx.clients.add(b)
        await tx.clients.add(f.client(other.id, "a"))
        with pytest.raises(Conflict):
            await tx.clients.add(f.client(realm.id, "a"))
        with pytest.raises(Conflict):
            await tx.clients.update(dataclasses.replace(b, client_id="a"))
        await tx.clients.update(dataclasses.replace(b, name="B"))
        with pytest.raises(NotFound):
            await tx.clients.update(f.client(realm.id, "ghost"))
        with pytest.raises(NotFound):
            await tx.clients.delete(realm.id, "ghost")


async def test_client_list_search_and_paging(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    async with store.tx() as tx:
        for client_id in ("zeta", "Alpha-App", "beta_app", "gamma"):
            await tx.clients.add(f.client(realm.id, client_id))
    async with store.tx() as tx:
        ids = [c.client_id for c in await tx.clients.list(realm.id)]
        assert ids == sorted(ids)
        assert len(ids) == 4
        found = [c.client_id for c in await tx.clients.list(realm.id, search="APP")]
        assert sorted(found) == ["Alpha-App", "beta_app"]
        # LIKE wildcards in the search are literal.
        assert [c.client_id for c in await tx.clients.list(realm.id, search="_app")] == ["beta_app"]
        assert await tx.clients.list(realm.id, search="%") == []
        page = await tx.clients.list(realm.id, first=1, max=2)
        assert [c.client_id for c in page] == ids[1:3]


async def test_client_delete_cascades(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    client = f.client(realm.id, "svc", service_accounts_enabled=True)
    other = f.client(realm.id, "other")
    client_role = f.role(realm.id, "reader", client_id=client.id)
    realm_role = f.role(realm.id, "admin", composite_ids=(client_role.id,))
    sa_user = f.user(realm.id, "service-account-svc", service_account_client_id=client.id)
    person = f.user(realm.id, "alice")
    async with store.tx() as tx:
        await tx.clients.add(client)
        await tx.clients.add(dataclasses.replace(other, scope_role_ids=(client_role.id,)))
        await tx.roles.add(client_role)
        await tx.roles.add(realm_role)
        await tx.users.add(sa_user)
        await tx.users.add(person)
        await tx.users.grant_roles(realm.id, person.id, [client_role.id, realm_role.id])
        session = f.session(realm.id, person.id, clients=(client.id, other.id))
        await tx.sessions.add(session)
    async with store.tx() as tx:
        await tx.clients.delete(realm.id, client.id)
    async with store.tx() as tx:
        assert await tx.clients.get(realm.id, client.id) is None
        assert await tx.roles.get(realm.id, client_role.id) is None
        assert await tx.users.get(realm.id, sa_user.id) is None
        assert await tx.users.role_ids(realm.id, person.id) == [realm_role.id]
        composite = await tx.roles.get(realm.id, realm_role.id)
        assert composite is not None and composite.composite_ids == ()
        remaining = await tx.clients.get(realm.id, other.id)
        assert remaining is not None and remaining.scope_role_ids == ()
        loaded = await tx.sessions.get(realm.id, session.id)
        assert loaded is not None and list(loaded.client_sessions) == [other.id]


async def test_client_scopes_crud(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    scope = ClientScope(
        id=f.new_id(), realm_id=realm.id, name="profile", protocol_mappers=(_MAPPER,), attributes={"a": "b"}
    )
    roles = ClientScope(id=f.new_id(), realm_id=realm.id, name="roles")
    async with store.tx() as tx:
        await tx.client_scopes.add(scope)
        await tx.client_scopes.add(roles)
        with pytest.raises(Conflict):
            await tx.client_scopes.add(ClientScope(id=f.new_id(), realm_id=realm.id, name="profile"))
    async with store.tx() as tx:
        assert await tx.client_scopes.get(realm.id, scope.id) == scope
        assert await tx.client_scopes.get_by_name(realm.id, "profile") == scope
        assert [s.name for s in await tx.client_scopes.list(realm.id)] == ["profile", "roles"]
        with pytest.raises(Conflict):
            await tx.client_scopes.update(dataclasses.replace(roles, name="profile"))
        await tx.client_scopes.update(dataclasses.replace(roles, description="d"))
        await tx.client_scopes.delete(realm.id, scope.id)
        with pytest.raises(NotFound):
            await tx.client_scopes.delete(realm.id, scope.id)
    async with store.tx() as tx:
        assert [(s.name, s.description) for s in await tx.client_scopes.list(realm.id)] == [("roles", "d")]
