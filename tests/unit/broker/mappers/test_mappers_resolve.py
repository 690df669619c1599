"""Resolving mapper references against a real store, then planning a login with the result."""

from __future__ import annotations

from tests.store import factories as f
from tests.unit.broker.mappers.mappers_kit import context, mapper

from realmgate.broker.mappers.apply import plan_login, preprocess
from realmgate.broker.mappers.refs import group_paths
from realmgate.broker.mappers.resolve import resolve_references, role_id
from realmgate.model.role import Group
from realmgate.store.sql import SqlStore


async def test_references_resolve_like_keycloak(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    dotted = f.client(realm.id, "my.app")
    plain = f.client(realm.id, "my")
    admin = f.role(realm.id, "admin")
    dotted_role = f.role(realm.id, "editor", client_id=dotted.id)
    plain_role = f.role(realm.id, "app.editor", client_id=plain.id)
    staff = f.group(realm.id, "staff")
    eng = f.group(realm.id, "eng", parent_id=staff.id)
    async with store.tx() as tx:
        for client in (dotted, plain):
            await tx.clients.add(client)
        for role in (admin, dotted_role, plain_role):
            await tx.roles.add(role)
        for group in (staff, eng):
            await tx.groups.add(group)
    mappers = [
        mapper("oidc-hardcoded-role-idp-mapper", {"role": "admin"}),
        mapper("keycloak-oidc-role-to-role-idp-mapper", {"external.role": "x", "role": "my.app.editor"}),
        mapper("oidc-hardcoded-role-idp-mapper", {"role": "ghost"}),
        mapper("oidc-hardcoded-group-idp-mapper", {"group": "staff/eng/"}),
        mapper("oidc-hardcoded-group-idp-mapper", {"group": "/nowhere"}),
    ]
    async with store.tx() as tx:
        directory = await resolve_references(tx, realm.id, mappers)
        # "my.app.editor": client "my.app" is tried first (last dot), as in Keycloak.
        assert await role_id(tx, realm.id, "my.app.editor") == dotted_role.id
        # A client prefix that exists decides, even when that client lacks the role.
        assert await role_id(tx, realm.id, "my.admin") is None
        assert await role_id(tx, realm.id, "nobody.admin") is None
    assert dict(directory.roles) == {"admin": admin.id, "my.app.editor": dotted_role.id}
    assert dict(directory.groups) == {"/staff/eng": eng.id}

    ctx = context(access_token={"realm_access": {"roles": ["x"]}})
    result = plan_login(
        preprocessing=preprocess(mappers=mappers, ctx=ctx),
        provider_config={"syncMode": "FORCE"},
        ctx=ctx,
        user=None,
        directory=directory,
    )
    assert result.grant_role_ids == {admin.id, dotted_role.id}
    assert result.join_group_ids == {eng.id}
    assert len(result.problems) == 2


def test_group_paths_skip_cycles_and_orphans() -> None:
    a = Group(id="a", realm_id="r", name="a")
    b = Group(id="b", realm_id="r", name="b", parent_id="a")
    orphan = Group(id="o", realm_id="r", name="o", parent_id="missing")
    loop1 = Group(id="l1", realm_id="r", name="l1", parent_id="l2")
    loop2 = Group(id="l2", realm_id="r", name="l2", parent_id="l1")
    assert group_paths([a, b, orphan, loop1, loop2]) == {"/a": "a", "/a/b": "b"}
