"""Roles (realm and client, composites) and groups (tree, membership)."""

from __future__ import annotations

import dataclasses

import pytest

from realmgate.model.client import ClientScope
from realmgate.store.interface import Conflict, NotFound
from realmgate.store.sql import SqlStore

from . import factories as f


async def test_realm_and_client_roles(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    client = f.client(realm.id, "app")
    admin = f.role(realm.id, "admin", description="d", attributes={"k": ("v1", "v2")})
    client_admin = f.role(realm.id, "admin", client_id=client.id)
    viewer = f.role(realm.id, "viewer", client_id=client.id, composite_ids=(client_admin.id,))
    async with store.tx() as tx:
        await tx.clients.add(client)
        for role in (admin, client_admin, viewer):
            await tx.roles.add(role)
    async with store.tx() as tx:
        assert await tx.roles.get(realm.id, admin.id) == admin
        assert await tx.roles.get("other", admin.id) is None
        assert await tx.roles.get_realm_role(realm.id, "admin") == admin
        assert await tx.roles.get_realm_role(realm.id, "viewer") is None
        assert await tx.roles.get_client_role(realm.id, client.id, "admin") == client_admin
        assert [r.name for r in await tx.roles.list_realm_roles(realm.id)] == ["admin"]
        assert [r.name for r in await tx.roles.list_client_roles(realm.id, client.id)] == ["admin", "viewer"]
        assert len(await tx.roles.list_all(realm.id)) == 3
        many = await tx.roles.get_many(realm.id, [admin.id, viewer.id, "missing"])
        assert sorted(r.id for r in many) == sorted([admin.id, viewer.id])
        assert await tx.roles.get_many(realm.id, []) == []
        loaded = await tx.roles.get(realm.id, viewer.id)
        assert loaded is not None and loaded.composite


async def test_role_names_unique_per_container(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    client = f.client(realm.id, "app")
    other = f.role(realm.id, "other")
    async with store.tx() as tx:
        await tx.clients.add(client)
        await tx.roles.add(f.role(realm.id, "admin"))
        await tx.roles.add(f.role(realm.id, "admin", client_id=client.id))
        await tx.roles.add(other)
        with pytest.raises(Conflict):
            await tx.roles.add(f.role(realm.id, "admin"))
        with pytest.raises(Conflict):
            await tx.roles.add(f.role(realm.id, "admin", client_id=client.id))
        with pytest.raises(Conflict):
            await tx.roles.update(dataclasses.replace(other, name="admin"))
        # Moving it to the client's container is fine only if the name is free there.
        await tx.roles.update(dataclasses.replace(other, client_id=client.id))
        with pytest.raises(NotFound):
            await tx.roles.update(f.role(realm.id, "ghost"))
    # A missing parent is a foreign key violation: NotFound, and on PostgreSQL the end of the tx.
    with pytest.raises(NotFound):
        async with store.tx() as tx:
            await tx.roles.add(f.role(realm.id, "x", client_id="no-such-client"))


async def test_role_delete_removes_every_reference(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    doomed, kept = f.role(realm.id, "doomed"), f.role(realm.id, "kept")
    composite = f.role(realm.id, "composite", composite_ids=(doomed.id, kept.id))
    group = f.group(realm.id, "g", role_ids=(doomed.id, kept.id))
    client = f.client(realm.id, "app", scope_role_ids=(doomed.id,))
    scope = ClientScope(id=f.new_id(), realm_id=realm.id, name="s", scope_role_ids=(kept.id, doomed.id))
    user = f.user(realm.id, "alice")
    async with store.tx() as tx:
        for role in (doomed, kept, composite):
            await tx.roles.add(role)
        await tx.groups.add(group)
        await tx.clients.add(client)
        await tx.client_scopes.add(scope)
        await tx.users.add(user)
        await tx.users.grant_roles(realm.id, user.id, [doomed.id, kept.id])
    async with store.tx() as tx:
        await tx.roles.delete(realm.id, doomed.id)
        with pytest.raises(NotFound):
            await tx.roles.delete(realm.id, doomed.id)
    async with store.tx() as tx:
        assert await tx.roles.get(realm.id, doomed.id) is None
        assert await tx.users.role_ids(realm.id, user.id) == [kept.id]
        loaded_composite = await tx.roles.get(realm.id, composite.id)
        assert loaded_composite is not None and loaded_composite.composite_ids == (kept.id,)
        loaded_group = await tx.groups.get(realm.id, group.id)
        assert loaded_group is not None and loaded_group.role_ids == (kept.id,)
        loaded_client = await tx.clients.get(realm.id, client.id)
        assert loaded_client is not None and loaded_client.scope_role_ids == ()
        loaded_scope = await tx.client_scopes.get(realm.id, scope.id)
        assert loaded_scope is not None and loaded_scope.scope_role_ids == (kept.id,)


async def test_group_tree_and_sibling_names(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    top = f.group(realm.id, "staff", attributes={"a": ("1",)})
    child = f.group(realm.id, "devs", parent_id=top.id)
    other_top = f.group(realm.id, "devs")  # same name, different parent: allowed
    async with store.tx() as tx:
        for group in (top, child, other_top):
            await tx.groups.add(group)
        with pytest.raises(Conflict):
            await tx.groups.add(f.group(realm.id, "staff"))
        with pytest.raises(Conflict):
            await tx.groups.add(f.group(realm.id, "devs", parent_id=top.id))
        with pytest.raises(Conflict):
            await tx.groups.update(dataclasses.replace(other_top, parent_id=top.id))
        with pytest.raises(NotFound):
            await tx.groups.update(f.group(realm.id, "ghost"))
    async with store.tx() as tx:
        assert await tx.groups.get(realm.id, top.id) == top
        listed = {(g.name, g.parent_id) for g in await tx.groups.list(realm.id)}
        assert listed == {("staff", None), ("devs", top.id), ("devs", None)}


async def test_group_delete_takes_subgroups_and_memberships(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    top = f.group(realm.id, "top")
    mid = f.group(realm.id, "mid", parent_id=top.id)
    leaf = f.group(realm.id, "leaf", parent_id=mid.id)
    unrelated = f.group(realm.id, "unrelated")
    user = f.user(realm.id, "alice")
    async with store.tx() as tx:
        for group in (top, mid, leaf, unrelated):
            await tx.groups.add(group)
        await tx.users.add(user)
        for group in (top, leaf, unrelated):
            await tx.users.join_group(realm.id, user.id, group.id)
    async with store.tx() as tx:
        await tx.groups.delete(realm.id, top.id)
        with pytest.raises(NotFound):
            await tx.groups.delete(realm.id, top.id)
    async with store.tx() as tx:
        assert [g.name for g in await tx.groups.list(realm.id)] == ["unrelated"]
        assert await tx.users.group_ids(realm.id, user.id) == [unrelated.id]
