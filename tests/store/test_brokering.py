"""Identity providers, their mappers and federated identity links."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

import pytest

from realmgate.model.identity_provider import IdentityProvider, IdentityProviderMapper
from realmgate.model.user import FederatedIdentity
from realmgate.store.interface import Conflict, NotFound, Tx
from realmgate.store.sql import SqlStore

from . import factories as f


def _idp(realm_id: str, alias: str) -> IdentityProvider:
    return IdentityProvider(
        internal_id=f.new_id(),
        realm_id=realm_id,
        alias=alias,
        provider_id="oidc",
        config={"clientId": "rg", "syncMode": "IMPORT"},
    )


def _mapper(realm_id: str, alias: str, name: str) -> IdentityProviderMapper:
    return IdentityProviderMapper(
        id=f.new_id(),
        realm_id=realm_id,
        name=name,
        identity_provider_alias=alias,
        identity_provider_mapper="oidc-role-idp-mapper",
        config={"claim": "groups"},
    )


async def test_identity_provider_crud(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    google, corp = _idp(realm.id, "google"), _idp(realm.id, "corp")
    async with store.tx() as tx:
        await tx.identity_providers.add(google)
        await tx.identity_providers.add(corp)
        with pytest.raises(Conflict):
            await tx.identity_providers.add(_idp(realm.id, "google"))
    async with store.tx() as tx:
        assert await tx.identity_providers.get(realm.id, "google", for_update=True) == google
        assert [i.alias for i in await tx.identity_providers.list(realm.id)] == ["corp", "google"]
        # Matched by internal id: the alias may change, but not to a taken one.
        with pytest.raises(Conflict):
            await tx.identity_providers.update(dataclasses.replace(corp, alias="google"))
        await tx.identity_providers.update(dataclasses.replace(corp, alias="corp2", display_name="Corp"))
        with pytest.raises(NotFound):
            await tx.identity_providers.update(_idp(realm.id, "ghost"))
    async with store.tx() as tx:
        assert await tx.identity_providers.get(realm.id, "corp") is None
        renamed = await tx.identity_providers.get(realm.id, "corp2")
        assert renamed is not None and renamed.internal_id == corp.internal_id


async def test_idp_mappers_crud(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    a, b, c = (
        _mapper(realm.id, "up", "b-roles"),
        _mapper(realm.id, "up", "a-email"),
        _mapper(realm.id, "x", "z"),
    )
    async with store.tx() as tx:
        await tx.identity_providers.add(_idp(realm.id, "up"))
        for mapper in (a, b, c):
            await tx.idp_mappers.add(mapper)
        with pytest.raises(Conflict):
            await tx.idp_mappers.add(a)
    async with store.tx() as tx:
        assert await tx.idp_mappers.get(realm.id, a.id) == a
        assert await tx.idp_mappers.get("other", a.id) is None
        assert [m.name for m in await tx.idp_mappers.list(realm.id, "up")] == ["a-email", "b-roles"]
        assert len(await tx.idp_mappers.list(realm.id)) == 3
        await tx.idp_mappers.update(dataclasses.replace(a, config={"claim": "roles"}))
        await tx.idp_mappers.delete(realm.id, c.id)
        with pytest.raises(NotFound):
            await tx.idp_mappers.delete(realm.id, c.id)
        with pytest.raises(NotFound):
            await tx.idp_mappers.update(c)
    async with store.tx() as tx:
        loaded = await tx.idp_mappers.get(realm.id, a.id)
        assert loaded is not None and loaded.config == {"claim": "roles"}


async def test_federated_identity_uniqueness(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    alice, bob = f.user(realm.id, "alice"), f.user(realm.id, "bob")
    link = FederatedIdentity(realm.id, alice.id, "up", "sub-a", "alice@up", token='{"access_token":"x"}')
    async with store.tx() as tx:
        await tx.users.add(alice)
        await tx.users.add(bob)
        await tx.federated_identities.add(link)
        await tx.federated_identities.add(FederatedIdentity(realm.id, alice.id, "other", "sub-a", "a"))
        # Same upstream account linked to a second user.
        with pytest.raises(Conflict):
            await tx.federated_identities.add(FederatedIdentity(realm.id, bob.id, "up", "sub-a", "x"))
        # Second link of one user to the same provider.
        with pytest.raises(Conflict):
            await tx.federated_identities.add(FederatedIdentity(realm.id, alice.id, "up", "sub-b", "x"))
        await tx.federated_identities.add(FederatedIdentity(realm.id, bob.id, "up", "sub-b", "bob@up"))
        with pytest.raises(Conflict):
            await tx.federated_identities.update(FederatedIdentity(realm.id, bob.id, "up", "sub-a", "bob@up"))
    async with store.tx() as tx:
        assert await tx.federated_identities.get_by_upstream(realm.id, "up", "sub-a") == link
        assert await tx.federated_identities.get_by_upstream(realm.id, "up", "nope") is None
        assert [x.identity_provider for x in await tx.federated_identities.list_for_user(realm.id, alice.id)] == [
            "other",
            "up",
        ]
        await tx.federated_identities.update(dataclasses.replace(link, idp_username="renamed", token=None))
        with pytest.raises(NotFound):
            await tx.federated_identities.update(FederatedIdentity(realm.id, bob.id, "nope", "s", "u"))
    async with store.tx() as tx:
        loaded = await tx.federated_identities.get_by_upstream(realm.id, "up", "sub-a")
        assert loaded is not None and (loaded.idp_username, loaded.token) == ("renamed", None)
        await tx.federated_identities.delete(realm.id, alice.id, "up")
        with pytest.raises(NotFound):
            await tx.federated_identities.delete(realm.id, alice.id, "up")
        assert await tx.federated_identities.get_by_upstream(realm.id, "up", "sub-a") is None


async def test_rename_alias_moves_links(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    alice = f.user(realm.id, "alice")
    async with store.tx() as tx:
        await tx.users.add(alice)
        await tx.federated_identities.add(FederatedIdentity(realm.id, alice.id, "old", "s1", "a"))
        await tx.federated_identities.rename_alias(realm.id, "old", "new")
    async with store.tx() as tx:
        assert await tx.federated_identities.get_by_upstream(realm.id, "old", "s1") is None
        moved = await tx.federated_identities.get_by_upstream(realm.id, "new", "s1")
        assert moved is not None and moved.user_id == alice.id


async def test_identity_provider_delete_cascades(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    alice = f.user(realm.id, "alice")
    keep_mapper = _mapper(realm.id, "keep", "m")
    async with store.tx() as tx:
        await tx.users.add(alice)
        await tx.identity_providers.add(_idp(realm.id, "up"))
        await tx.identity_providers.add(_idp(realm.id, "keep"))
        await tx.idp_mappers.add(_mapper(realm.id, "up", "m"))
        await tx.idp_mappers.add(keep_mapper)
        await tx.federated_identities.add(FederatedIdentity(realm.id, alice.id, "up", "s1", "a"))
        await tx.federated_identities.add(FederatedIdentity(realm.id, alice.id, "keep", "s1", "a"))
    async with store.tx() as tx:
        await tx.identity_providers.delete(realm.id, "up")
        with pytest.raises(NotFound):
            await tx.identity_providers.delete(realm.id, "up")
    async with store.tx() as tx:
        assert [m.id for m in await tx.idp_mappers.list(realm.id)] == [keep_mapper.id]
        links = await tx.federated_identities.list_for_user(realm.id, alice.id)
        assert [x.identity_provider for x in links] == ["keep"]


async def test_brokering_writes_change_config_version(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    versions: list[int] = []
    idp, mapper = _idp(realm.id, "up"), _mapper(realm.id, "up", "m")
    writes: tuple[Callable[[Tx], Awaitable[None]], ...] = (
        lambda tx: tx.identity_providers.add(idp),
        lambda tx: tx.identity_providers.update(dataclasses.replace(idp, enabled=False)),
        lambda tx: tx.idp_mappers.add(mapper),
        lambda tx: tx.idp_mappers.update(dataclasses.replace(mapper, name="n")),
        lambda tx: tx.idp_mappers.delete(realm.id, mapper.id),
        lambda tx: tx.identity_providers.delete(realm.id, "up"),
    )
    for write in writes:
        async with store.tx() as tx:
            await write(tx)
        async with store.tx() as tx:
            versions.append(await tx.realms.config_version(realm.id))
    assert versions == sorted(set(versions))
    assert len(versions) == 6
