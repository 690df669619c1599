"""Records of what identity provider mappers granted, and when they go away."""

from __future__ import annotations

import pytest

from realmgate.model.identity_provider import IdentityProvider, IdentityProviderMapper, MapperGrant
from realmgate.store.interface import NotFound
from realmgate.store.sql import SqlStore

from . import factories as f


@pytest.fixture
async def granted(store: SqlStore) -> tuple[str, str, list[MapperGrant]]:
    """A realm, a user and four grant records: two mappers of ``up`` granting a role, one a group,
    and a mapper of ``other`` granting the same role."""
    realm = await f.add_realm(store)
    user = f.user(realm.id, "alice")
    role, group = f.role(realm.id, "r"), f.group(realm.id, "g")
    mapper = IdentityProviderMapper(f.new_id(), realm.id, "m", "up", "oidc-role-idp-mapper")
    grants = [
        MapperGrant("role", role.id, "up", mapper.id),
        MapperGrant("role", role.id, "up", "m2"),
        MapperGrant("group", group.id, "up", mapper.id),
        MapperGrant("role", role.id, "other", "m3"),
    ]
    async with store.tx() as tx:
        await tx.users.add(user)
        await tx.roles.add(role)
        await tx.groups.add(group)
        await tx.identity_providers.add(IdentityProvider(f.new_id(), realm.id, "up", "oidc"))
        await tx.idp_mappers.add(mapper)
        await tx.mapper_grants.add(realm.id, user.id, grants)
    return realm.id, user.id, grants


async def _grants(store: SqlStore, realm_id: str, user_id: str) -> list[MapperGrant]:
    async with store.tx() as tx:
        return list(await tx.mapper_grants.list(realm_id, user_id))


async def test_add_is_idempotent_and_remove_exact(store: SqlStore, granted: tuple[str, str, list[MapperGrant]]) -> None:
    realm_id, user_id, grants = granted
    assert await _grants(store, realm_id, user_id) == sorted(grants)
    async with store.tx() as tx:
        await tx.mapper_grants.add(realm_id, user_id, grants[:2])
        await tx.mapper_grants.add(realm_id, user_id, [])
        await tx.mapper_grants.remove(realm_id, user_id, [grants[0], MapperGrant("role", "x", "up", "nope")])
        await tx.mapper_grants.remove(realm_id, user_id, [])
    assert await _grants(store, realm_id, user_id) == sorted(grants[1:])
    assert await _grants(store, "other-realm", user_id) == []
    with pytest.raises(NotFound):
        async with store.tx() as tx:
            await tx.mapper_grants.add(realm_id, "no-such-user", grants)


async def test_forget_drops_every_record_of_a_target(
    store: SqlStore, granted: tuple[str, str, list[MapperGrant]]
) -> None:
    realm_id, user_id, grants = granted
    async with store.tx() as tx:
        await tx.mapper_grants.forget(realm_id, user_id, "role", [grants[0].target_id])
        await tx.mapper_grants.forget(realm_id, user_id, "group", [])
    assert await _grants(store, realm_id, user_id) == [grants[2]]


async def test_records_go_with_role_group_mapper_and_provider(
    store: SqlStore, granted: tuple[str, str, list[MapperGrant]]
) -> None:
    realm_id, user_id, grants = granted
    async with store.tx() as tx:
        await tx.idp_mappers.delete(realm_id, grants[0].mapper_id)
    assert await _grants(store, realm_id, user_id) == sorted([grants[1], grants[3]])
    async with store.tx() as tx:
        await tx.identity_providers.delete(realm_id, "up")
    assert await _grants(store, realm_id, user_id) == [grants[3]]
    async with store.tx() as tx:
        await tx.roles.delete(realm_id, grants[3].target_id)
    assert await _grants(store, realm_id, user_id) == []


async def test_records_go_with_group_and_user(store: SqlStore, granted: tuple[str, str, list[MapperGrant]]) -> None:
    realm_id, user_id, grants = granted
    async with store.tx() as tx:
        await tx.groups.delete(realm_id, grants[2].target_id)
    assert MapperGrant("group", grants[2].target_id, "up", grants[2].mapper_id) not in await _grants(
        store, realm_id, user_id
    )
    async with store.tx() as tx:
        await tx.users.delete(realm_id, user_id)
    assert await _grants(store, realm_id, user_id) == []


async def test_alias_rename_carries_records_over(store: SqlStore, granted: tuple[str, str, list[MapperGrant]]) -> None:
    realm_id, user_id, _ = granted
    async with store.tx() as tx:
        await tx.federated_identities.rename_alias(realm_id, "up", "upstream")
    assert {g.identity_provider for g in await _grants(store, realm_id, user_id)} == {"upstream", "other"}
    assert len(await _grants(store, realm_id, user_id)) == 4
