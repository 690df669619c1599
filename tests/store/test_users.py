"""Users: CRUD, lookups, search, role and group mappings, credentials, cascades."""

from __future__ import annotations

import dataclasses

import pytest

from realmgate.model.user import Credential, FederatedIdentity
from realmgate.store.interface import Conflict, NotFound, UserQuery
from realmgate.store.sql import SqlStore

from . import factories as f


async def test_user_round_trip_and_lookups(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    user = f.user(
        realm.id,
        "alice",
        email="alice@example.com",
        first_name="Alice",
        attributes={"dept": ("eng", "ops")},
        required_actions=("VERIFY_EMAIL",),
        created_timestamp=1_700_000_000_000,
    )
    async with store.tx() as tx:
        await tx.users.add(user)
    async with store.tx() as tx:
        assert await tx.users.get(realm.id, user.id) == user
        assert await tx.users.get("other", user.id) is None
        assert await tx.users.get_by_username(realm.id, "ALICE") == user
        assert await tx.users.get_by_email(realm.id, "Alice@Example.com") == [user]
        assert await tx.users.get_by_username(realm.id, "bob") is None


async def test_username_unique_per_realm_email_not(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    other = await f.add_realm(store)
    bob = f.user(realm.id, "bob", email="same@example.com")
    async with store.tx() as tx:
        await tx.users.add(f.user(realm.id, "alice", email="same@example.com"))
        await tx.users.add(bob)
        await tx.users.add(f.user(other.id, "alice"))
        with pytest.raises(Conflict):
            await tx.users.add(f.user(realm.id, "Alice"))
        with pytest.raises(Conflict):
            await tx.users.update(dataclasses.replace(bob, username="alice"))
        with pytest.raises(NotFound):
            await tx.users.update(f.user(realm.id, "ghost"))
    async with store.tx() as tx:
        assert len(await tx.users.get_by_email(realm.id, "same@example.com")) == 2


async def test_user_update_replaces_attributes(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    user = f.user(realm.id, "alice", attributes={"dept": ("eng",)})
    async with store.tx() as tx:
        await tx.users.add(user)
        await tx.users.update(dataclasses.replace(user, attributes={"dept": ("ops",), "lang": ("fr",)}))
    async with store.tx() as tx:
        assert await tx.users.find(realm.id, UserQuery(attributes=(("dept", "eng"),))) == []
        found = await tx.users.find(realm.id, UserQuery(attributes=(("dept", "ops"), ("lang", "fr"))))
        assert [u.username for u in found] == ["alice"]


@pytest.fixture
async def people(store: SqlStore) -> str:
    """A realm with five users and one service account; returns the realm id."""
    realm = await f.add_realm(store)
    client = f.client(realm.id, "svc")
    async with store.tx() as tx:
        await tx.clients.add(client)
        for username, email, first, last, enabled, attrs in (
            ("alice", "alice@example.com", "Alice", "Liddell", True, {"team": ("red",)}),
            ("bob", "bob@corp.org", "Bob", "Stone", True, {"team": ("blue",)}),
            ("carol", None, "Carol", "Alicea", False, {"team": ("red", "blue")}),
            ("dave", "dave@example.com", "Dave", "Smith", True, {}),
            ("eve_x", "eve@corp.org", None, None, True, {"long": ("v" * 500,)}),
        ):
            user = f.user(
                realm.id,
                username,
                email=email,
                first_name=first,
                last_name=last,
                enabled=enabled,
                attributes=attrs,
            )
            await tx.users.add(user)
        await tx.users.add(f.user(realm.id, "service-account-svc", service_account_client_id=client.id))
    return realm.id


async def _names(store: SqlStore, realm_id: str, query: UserQuery) -> list[str]:
    async with store.tx() as tx:
        found = [u.username for u in await tx.users.find(realm_id, query)]
        assert await tx.users.count(realm_id, dataclasses.replace(query, first=0, max=None)) >= len(found)
        return found


async def test_user_search(store: SqlStore, people: str) -> None:
    assert await _names(store, people, UserQuery()) == ["alice", "bob", "carol", "dave", "eve_x"]
    assert await _names(store, people, UserQuery(include_service_accounts=True)) == [
        "alice", "bob", "carol", "dave", "eve_x", "service-account-svc",
    ]  # fmt: skip
    # Substring of username, email, first or last name, case-insensitive.
    assert await _names(store, people, UserQuery(search="ALIC")) == ["alice", "carol"]
    assert await _names(store, people, UserQuery(search="corp.org")) == ["bob", "eve_x"]
    assert await _names(store, people, UserQuery(search="*")) == ["alice", "bob", "carol", "dave", "eve_x"]
    assert await _names(store, people, UserQuery(search="b*@")) == ["bob"]
    assert await _names(store, people, UserQuery(search="_")) == ["eve_x"]
    # Exact.
    assert await _names(store, people, UserQuery(search="alic", exact=True)) == []
    assert await _names(store, people, UserQuery(search="Bob", exact=True)) == ["bob"]
    assert await _names(store, people, UserQuery(email="eve@corp.org", exact=True)) == ["eve_x"]
    # Field filters.
    assert await _names(store, people, UserQuery(email="example")) == ["alice", "dave"]
    assert await _names(store, people, UserQuery(last_name="s")) == ["bob", "dave"]
    assert await _names(store, people, UserQuery(first_name="a", last_name="a")) == ["carol"]
    assert await _names(store, people, UserQuery(username="b")) == ["bob"]
    assert await _names(store, people, UserQuery(enabled=False)) == ["carol"]
    # Attributes: exact, all must match.
    assert await _names(store, people, UserQuery(attributes=(("team", "red"),))) == ["alice", "carol"]
    assert await _names(store, people, UserQuery(attributes=(("team", "red"), ("team", "blue")))) == ["carol"]
    assert await _names(store, people, UserQuery(attributes=(("team", "re"),))) == []
    assert await _names(store, people, UserQuery(attributes=(("long", "v" * 500),))) == ["eve_x"]
    assert await _names(store, people, UserQuery(attributes=(("long", "v" * 499),))) == []


async def test_user_paging_and_count(store: SqlStore, people: str) -> None:
    assert await _names(store, people, UserQuery(first=1, max=2)) == ["bob", "carol"]
    assert await _names(store, people, UserQuery(first=4, max=10)) == ["eve_x"]
    assert await _names(store, people, UserQuery(first=10)) == []
    async with store.tx() as tx:
        assert await tx.users.count(people, UserQuery()) == 5
        assert await tx.users.count(people, UserQuery(include_service_accounts=True)) == 6
        assert await tx.users.count(people, UserQuery(search="corp")) == 2
        assert await tx.users.count("other-realm", UserQuery()) == 0


async def test_service_account_lookup(store: SqlStore, people: str) -> None:
    async with store.tx() as tx:
        client = await tx.clients.get_by_client_id(people, "svc")
        assert client is not None
        account = await tx.users.get_service_account(people, client.id)
        assert account is not None and account.username == "service-account-svc"


async def test_role_mappings_are_idempotent(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    user = f.user(realm.id, "alice")
    other = f.user(realm.id, "bob")
    r1, r2 = f.role(realm.id, "r1"), f.role(realm.id, "r2")
    async with store.tx() as tx:
        await tx.users.add(user)
        await tx.users.add(other)
        await tx.roles.add(r1)
        await tx.roles.add(r2)
        await tx.users.grant_roles(realm.id, user.id, [r1.id])
        await tx.users.grant_roles(realm.id, user.id, [r1.id, r2.id])
        await tx.users.grant_roles(realm.id, other.id, [r1.id])
        await tx.users.grant_roles(realm.id, user.id, [])
    async with store.tx() as tx:
        assert sorted(await tx.users.role_ids(realm.id, user.id)) == sorted([r1.id, r2.id])
        assert [u.username for u in await tx.users.users_with_role(realm.id, r1.id)] == ["alice", "bob"]
        assert [u.username for u in await tx.users.users_with_role(realm.id, r1.id, first=1, max=1)] == ["bob"]
        await tx.users.revoke_roles(realm.id, user.id, [r1.id, r1.id])
        await tx.users.revoke_roles(realm.id, user.id, [r1.id])
    async with store.tx() as tx:
        assert await tx.users.role_ids(realm.id, user.id) == [r2.id]
        with pytest.raises(NotFound):
            await tx.users.grant_roles(realm.id, user.id, ["no-such-role"])


async def test_group_membership_is_idempotent(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    alice, bob = f.user(realm.id, "alice"), f.user(realm.id, "bob")
    group = f.group(realm.id, "staff")
    async with store.tx() as tx:
        await tx.users.add(alice)
        await tx.users.add(bob)
        await tx.groups.add(group)
        await tx.users.join_group(realm.id, alice.id, group.id)
        await tx.users.join_group(realm.id, alice.id, group.id)
        await tx.users.join_group(realm.id, bob.id, group.id)
    async with store.tx() as tx:
        assert await tx.users.group_ids(realm.id, alice.id) == [group.id]
        assert [u.username for u in await tx.users.group_members(realm.id, group.id)] == ["alice", "bob"]
        assert [u.username for u in await tx.users.group_members(realm.id, group.id, max=1)] == ["alice"]
        await tx.users.leave_group(realm.id, alice.id, group.id)
        await tx.users.leave_group(realm.id, alice.id, group.id)
    async with store.tx() as tx:
        assert await tx.users.group_ids(realm.id, alice.id) == []
        assert [u.username for u in await tx.users.group_members(realm.id, group.id)] == ["bob"]


def _password(user_id: str, priority: int = 10) -> Credential:
    return Credential(
        id=f.new_id(),
        user_id=user_id,
        type="password",
        secret_data='{"value":"h"}',
        credential_data='{"algorithm":"argon2"}',
        priority=priority,
    )


async def test_credentials_crud(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    user = f.user(realm.id, "alice")
    low, high = _password(user.id, 20), _password(user.id, 5)
    async with store.tx() as tx:
        await tx.users.add(user)
        await tx.credentials.add(low)
        await tx.credentials.add(high)
        with pytest.raises(Conflict):
            await tx.credentials.add(low)
    async with store.tx() as tx:
        assert await tx.credentials.list(user.id) == [high, low]
        await tx.credentials.update(dataclasses.replace(low, user_label="main"))
        await tx.credentials.delete(user.id, high.id)
        with pytest.raises(NotFound):
            await tx.credentials.delete(user.id, high.id)
        with pytest.raises(NotFound):
            await tx.credentials.update(_password(user.id))
    async with store.tx() as tx:
        assert [c.user_label for c in await tx.credentials.list(user.id)] == ["main"]


async def test_user_delete_cascades(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    user, other = f.user(realm.id, "alice", attributes={"a": ("1",)}), f.user(realm.id, "bob")
    role, group = f.role(realm.id, "r"), f.group(realm.id, "g")
    async with store.tx() as tx:
        await tx.users.add(user)
        await tx.users.add(other)
        await tx.roles.add(role)
        await tx.groups.add(group)
        await tx.users.grant_roles(realm.id, user.id, [role.id])
        await tx.users.join_group(realm.id, user.id, group.id)
        await tx.credentials.add(_password(user.id))
        await tx.federated_identities.add(FederatedIdentity(realm.id, user.id, "up", "sub-1", "alice"))
        await tx.sessions.add(f.session(realm.id, user.id))
        kept = f.session(realm.id, other.id)
        await tx.sessions.add(kept)
    async with store.tx() as tx:
        with pytest.raises(NotFound):
            await tx.users.delete("other-realm", user.id)
        await tx.users.delete(realm.id, user.id)
        with pytest.raises(NotFound):
            await tx.users.delete(realm.id, user.id)
    async with store.tx() as tx:
        assert await tx.users.get(realm.id, user.id) is None
        assert await tx.credentials.list(user.id) == []
        assert await tx.federated_identities.get_by_upstream(realm.id, "up", "sub-1") is None
        assert await tx.sessions.list_for_user(realm.id, user.id) == []
        assert await tx.users.users_with_role(realm.id, role.id) == []
        assert await tx.users.group_members(realm.id, group.id) == []
        assert await tx.users.find(realm.id, UserQuery(attributes=(("a", "1"),))) == []
        # The same username can be taken again.
        await tx.users.add(f.user(realm.id, "alice"))
