"""Realms, realm keys and the configuration version."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence

import pytest

from realmgate.model.client import ClientScope
from realmgate.model.events import Event
from realmgate.model.keys import RealmKey
from realmgate.model.user import Credential, FederatedIdentity
from realmgate.store.interface import Conflict, NotFound, Tx
from realmgate.store.sql import SqlStore

from . import factories as f

EXTRA_SETTINGS: dict[str, object] = {
    "bruteForceProtected": True,
    "failureFactor": 5,
    "smtpServer": {"host": "smtp.example.com", "password": "pässword"},
    "authenticationFlows": [
        {"alias": "browser", "authenticationExecutions": [{"authenticator": "auth-otp-form", "priority": 20}]}
    ],
}


async def test_realm_round_trip_and_lookup(store: SqlStore) -> None:
    realm = f.realm(
        "demo",
        display_name="Démo",
        attributes={"frontendUrl": "https://x"},
        default_default_client_scopes=("profile", "email"),
        extra_settings=EXTRA_SETTINGS,
    )
    async with store.tx() as tx:
        await tx.realms.add(realm)
    async with store.tx() as tx:
        assert await tx.realms.get(realm.id) == realm
        assert await tx.realms.get_by_name("demo") == realm
        assert await tx.realms.get_by_name("other") is None
        assert [r.name for r in await tx.realms.list()] == ["demo"]


async def test_extra_settings_are_replaced_by_update_and_may_be_emptied(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    assert realm.extra_settings == {}
    async with store.tx() as tx:
        await tx.realms.update(dataclasses.replace(realm, extra_settings=EXTRA_SETTINGS))
    async with store.tx() as tx:
        loaded = await tx.realms.get(realm.id, for_update=True)
        assert loaded is not None and dict(loaded.extra_settings) == EXTRA_SETTINGS
        # Saving a realm whose settings were never looked at keeps them.
        await tx.realms.update(dataclasses.replace(loaded, display_name="x"))
    async with store.tx() as tx:
        loaded = await tx.realms.get(realm.id)
        assert loaded is not None and dict(loaded.extra_settings) == EXTRA_SETTINGS
        await tx.realms.update(dataclasses.replace(loaded, extra_settings={}))
    async with store.tx() as tx:
        loaded = await tx.realms.get(realm.id)
        assert loaded is not None and loaded.extra_settings == {}


async def test_realm_name_is_unique(store: SqlStore) -> None:
    first = await f.add_realm(store, name="demo")
    second = await f.add_realm(store, name="other")
    async with store.tx() as tx:
        with pytest.raises(Conflict):
            await tx.realms.add(f.realm("demo"))
        with pytest.raises(Conflict):
            await tx.realms.update(dataclasses.replace(second, name="demo"))
        # The transaction is still usable after a Conflict (PostgreSQL aborts on errors).
        await tx.realms.update(dataclasses.replace(first, enabled=False))
    async with store.tx() as tx:
        loaded = await tx.realms.get(first.id)
        assert loaded is not None and not loaded.enabled


async def test_update_and_delete_of_missing_realm(store: SqlStore) -> None:
    async with store.tx() as tx:
        with pytest.raises(NotFound):
            await tx.realms.update(f.realm("ghost"))
        with pytest.raises(NotFound):
            await tx.realms.delete("ghost")


async def test_rollback_on_error(store: SqlStore) -> None:
    realm = f.realm("demo")
    with pytest.raises(RuntimeError):
        async with store.tx() as tx:
            await tx.realms.add(realm)
            raise RuntimeError("boom")
    async with store.tx() as tx:
        assert await tx.realms.get(realm.id) is None


def _key(realm_id: str, kid: str, priority: int = 100) -> RealmKey:
    return RealmKey(
        kid=kid,
        realm_id=realm_id,
        provider_id="rsa-generated",
        algorithm="RS256",
        use="sig",
        key_type="RSA",
        private_material="-----BEGIN PRIVATE KEY-----",
        priority=priority,
    )


async def test_keys_crud_ordered_by_priority(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    async with store.tx() as tx:
        await tx.keys.add(_key(realm.id, "low", 10))
        await tx.keys.add(_key(realm.id, "high", 200))
        with pytest.raises(Conflict):
            await tx.keys.add(_key(realm.id, "low"))
    async with store.tx() as tx:
        assert [k.kid for k in await tx.keys.list(realm.id)] == ["high", "low"]
        await tx.keys.update(dataclasses.replace(_key(realm.id, "low", 10), active=False))
        await tx.keys.delete(realm.id, "high")
        with pytest.raises(NotFound):
            await tx.keys.delete(realm.id, "high")
        with pytest.raises(NotFound):
            await tx.keys.update(_key(realm.id, "nope"))
    async with store.tx() as tx:
        assert [(k.kid, k.active) for k in await tx.keys.list(realm.id)] == [("low", False)]


Write = Callable[[Tx], Awaitable[object]]


async def _version_after_each(store: SqlStore, realm_id: str, writes: Sequence[Write]) -> list[int]:
    versions = []
    for write in writes:
        async with store.tx() as tx:
            await write(tx)
        async with store.tx() as tx:
            versions.append(await tx.realms.config_version(realm_id))
    return versions


async def test_config_version_changes_on_every_config_write(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    r = realm.id
    client, role, group = f.client(r, "app"), f.role(r, "r"), f.group(r, "g")
    scope = ClientScope(id=f.new_id(), realm_id=r, name="s")
    key = _key(r, "k")
    writes: list[Write] = [
        lambda tx: tx.realms.update(dataclasses.replace(realm, display_name="x")),
        lambda tx: tx.clients.add(client),
        lambda tx: tx.clients.update(dataclasses.replace(client, enabled=False)),
        lambda tx: tx.roles.add(role),
        lambda tx: tx.roles.update(dataclasses.replace(role, description="d")),
        lambda tx: tx.groups.add(group),
        lambda tx: tx.groups.update(dataclasses.replace(group, role_ids=(role.id,))),
        lambda tx: tx.client_scopes.add(scope),
        lambda tx: tx.client_scopes.update(dataclasses.replace(scope, description="d")),
        lambda tx: tx.keys.add(key),
        lambda tx: tx.keys.update(dataclasses.replace(key, active=False)),
        lambda tx: tx.keys.delete(r, key.kid),
        lambda tx: tx.client_scopes.delete(r, scope.id),
        lambda tx: tx.groups.delete(r, group.id),
        lambda tx: tx.roles.delete(r, role.id),
        lambda tx: tx.clients.delete(r, client.id),
    ]
    async with store.tx() as tx:
        start = await tx.realms.config_version(r)
    versions = [start, *await _version_after_each(store, r, writes)]
    assert len(set(versions)) == len(versions), versions


async def test_config_version_ignores_user_data(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    r = realm.id
    role, group = f.role(r, "r"), f.group(r, "g")
    async with store.tx() as tx:
        await tx.roles.add(role)
        await tx.groups.add(group)
    user = f.user(r, "alice")
    session = f.session(r, user.id)
    writes: list[Write] = [
        lambda tx: tx.users.add(user),
        lambda tx: tx.users.update(dataclasses.replace(user, first_name="A")),
        lambda tx: tx.users.grant_roles(r, user.id, [role.id]),
        lambda tx: tx.users.join_group(r, user.id, group.id),
        lambda tx: tx.credentials.add(Credential(f.new_id(), user.id, "password", "{}", "{}")),
        lambda tx: tx.federated_identities.add(FederatedIdentity(r, user.id, "up", "sub", "alice")),
        lambda tx: tx.sessions.add(session),
        lambda tx: tx.sessions.update(dataclasses.replace(session, last_refresh=5)),
        lambda tx: tx.single_use.put("code", "v", 10**10),
        lambda tx: tx.events.add(Event(f.new_id(), r, 1, "LOGIN")),
        lambda tx: tx.users.delete(r, user.id),
    ]
    async with store.tx() as tx:
        start = await tx.realms.config_version(r)
    assert set(await _version_after_each(store, r, writes)) == {start}


async def test_config_version_read_after_write_in_one_transaction(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    async with store.tx() as tx:
        before = await tx.realms.config_version(realm.id)
        await tx.roles.add(f.role(realm.id, "r"))
        after = await tx.realms.config_version(realm.id)
        assert after != before
        assert await tx.realms.config_version(realm.id) == after  # reading does not bump
    async with store.tx() as tx:
        assert await tx.realms.config_version(realm.id) == after


async def test_config_version_of_missing_realm(store: SqlStore) -> None:
    async with store.tx() as tx:
        with pytest.raises(NotFound):
            await tx.realms.config_version("ghost")
