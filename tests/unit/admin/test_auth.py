"""Admin authentication and authorization on a real SQLite store with real realm keys and JWS:
who may do what, and every way a token stops being good enough."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

import pytest

from realmgate.admin import auth
from realmgate.admin.errors import AdminError
from realmgate.crypto import jws
from realmgate.crypto.realm_keys import active_key
from realmgate.crypto.secrets import SYSTEM
from realmgate.keycloak.defaults import create_realm, ensure_realm_admin_client
from realmgate.model.realm import Realm
from realmgate.model.role import Group, Role
from realmgate.model.session import UserSession
from realmgate.model.user import User
from realmgate.store.interface import Store, Tx
from realmgate.store.sql import open_store

NOW = 1_700_000_000
BASE = "http://idp.test"


@dataclass
class World:
    store: Store
    master: Realm
    acme: Realm

    async def user(self, tx: Tx, realm: Realm, name: str, *, client_roles: tuple[tuple[str, str], ...] = ()) -> User:
        user = User(id=SYSTEM.new_id(), realm_id=realm.id, username=name)
        await tx.users.add(user)
        ids = []
        for client_id, role_name in client_roles:
            client = await tx.clients.get_by_client_id(realm.id, client_id)
            assert client is not None
            role = await tx.roles.get_client_role(realm.id, client.id, role_name)
            assert role is not None
            ids.append(role.id)
        await tx.users.grant_roles(realm.id, user.id, ids)
        return user

    async def token(self, tx: Tx, realm: Realm, user: User, **overrides: object) -> str:
        session = UserSession(
            id=SYSTEM.new_id(),
            realm_id=realm.id,
            user_id=user.id,
            login_username=user.username,
            started=NOW,
            last_refresh=NOW,
        )
        await tx.sessions.add(session)
        claims: dict[str, object] = {
            "iss": f"{BASE}/realms/{realm.name}",
            "sub": user.id,
            "typ": "Bearer",
            "azp": "admin-cli",
            "iat": NOW,
            "exp": NOW + 60,
            "sid": session.id,
        }
        claims.update(overrides)
        key = active_key(await tx.keys.list(realm.id), "RS256")
        assert key is not None
        return jws.sign({k: v for k, v in claims.items() if v is not None}, key)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    store = cast(Store, await open_store(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    async with store.tx() as tx:
        master = await create_realm(tx, "master", now=NOW, ids=SYSTEM)
        acme = await create_realm(tx, "acme", now=NOW, ids=SYSTEM)
        await ensure_realm_admin_client(tx, master, "acme", ids=SYSTEM)
    yield World(store, master, acme)
    await store.close()


async def _authenticate(tx: Tx, token: str | None, now: int = NOW) -> auth.AdminIdentity:
    return await auth.Authenticator().authenticate(tx, token, issuer_base=BASE, now=now)


async def _status(coro: object) -> int:
    try:
        await coro  # type: ignore[misc]
    except AdminError as err:
        return err.status
    return 200


async def test_view_users_only_may_read_users_but_not_write(world: World) -> None:
    async with world.store.tx() as tx:
        viewer = await world.user(tx, world.acme, "viewer", client_roles=(("realm-management", "view-users"),))
        who = await _authenticate(tx, await world.token(tx, world.acme, viewer))
        await auth.require(tx, who, "acme", auth.VIEW_USERS)
        await auth.require(tx, who, "acme", auth.QUERY_USERS)
        assert await _status(auth.require(tx, who, "acme", auth.MANAGE_USERS)) == 403
        assert await _status(auth.require(tx, who, "acme", auth.MANAGE_CLIENTS)) == 403
        # A token of acme grants nothing in another realm.
        assert await _status(auth.require(tx, who, "master", auth.VIEW_USERS)) == 403


async def test_realm_admin_composite_grants_every_admin_role(world: World) -> None:
    async with world.store.tx() as tx:
        boss = await world.user(tx, world.acme, "boss", client_roles=(("realm-management", "realm-admin"),))
        who = await _authenticate(tx, await world.token(tx, world.acme, boss))
        await auth.require(tx, who, "acme", auth.MANAGE_USERS)
        await auth.require(tx, who, "acme", auth.MANAGE_REALM)
        assert not who.superuser


async def test_master_admin_role_is_superuser_and_master_realm_clients_count(world: World) -> None:
    async with world.store.tx() as tx:
        admin_role = await tx.roles.get_realm_role(world.master.id, "admin")
        assert admin_role is not None
        root = await world.user(tx, world.master, "root")
        await tx.users.grant_roles(world.master.id, root.id, [admin_role.id])
        who = await _authenticate(tx, await world.token(tx, world.master, root))
        assert who.superuser
        auth.require_create_realm(who)
        await auth.require(tx, who, "acme", auth.MANAGE_USERS)

        # A master user holding acme-realm's manage-users manages acme's users, nothing else.
        delegate = await world.user(tx, world.master, "delegate", client_roles=(("acme-realm", "manage-users"),))
        who = await _authenticate(tx, await world.token(tx, world.master, delegate))
        await auth.require(tx, who, "acme", auth.MANAGE_USERS)
        assert await _status(auth.require(tx, who, "acme", auth.MANAGE_REALM)) == 403
        assert await _status(auth.require(tx, who, "master", auth.MANAGE_USERS)) == 403
        with pytest.raises(AdminError):
            auth.require_create_realm(who)


async def test_roles_through_groups_and_their_parents(world: World) -> None:
    async with world.store.tx() as tx:
        member = await world.user(tx, world.acme, "member")
        client = await tx.clients.get_by_client_id(world.acme.id, "realm-management")
        assert client is not None
        role = await tx.roles.get_client_role(world.acme.id, client.id, "manage-clients")
        assert role is not None
        parent = Group(id=SYSTEM.new_id(), realm_id=world.acme.id, name="ops", role_ids=(role.id,))
        child = Group(id=SYSTEM.new_id(), realm_id=world.acme.id, name="oncall", parent_id=parent.id)
        await tx.groups.add(parent)
        await tx.groups.add(child)
        await tx.users.join_group(world.acme.id, member.id, child.id)
        who = await _authenticate(tx, await world.token(tx, world.acme, member))
        await auth.require(tx, who, "acme", auth.MANAGE_CLIENTS)


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": NOW},  # expired at this very second
        {"typ": "Refresh"},  # a refresh token is not an access token
        {"iss": "http://elsewhere.test/realms/acme"},  # another issuer
        {"iss": f"{BASE}/realms/nowhere"},  # a realm that does not exist
        {"sub": "no-such-user"},
        {"sid": "no-such-session"},
    ],
)
async def test_tokens_that_are_not_good_enough_are_401(world: World, overrides: dict[str, object]) -> None:
    async with world.store.tx() as tx:
        user = await world.user(tx, world.acme, "u" + SYSTEM.new_id()[:8])
        token = await world.token(tx, world.acme, user, **overrides)
        assert await _status(_authenticate(tx, token)) == 401


async def test_signature_of_another_realm_and_garbage_are_401(world: World) -> None:
    async with world.store.tx() as tx:
        user = await world.user(tx, world.acme, "mallory")
        good = await world.token(tx, world.acme, user)
        assert await _status(_authenticate(tx, good)) == 200
        # Signed with master's key but claiming to be from acme.
        master_key = active_key(await tx.keys.list(world.master.id), "RS256")
        assert master_key is not None
        forged = jws.sign(jws.unverified_claims(good), master_key)
        assert await _status(_authenticate(tx, forged)) == 401
        assert await _status(_authenticate(tx, "not.a.jwt")) == 401
        assert await _status(_authenticate(tx, None)) == 401
        header, payload, _ = good.split(".")
        assert await _status(_authenticate(tx, f"{header}.{payload}.")) == 401


async def test_ended_session_and_disabled_user_are_401(world: World) -> None:
    async with world.store.tx() as tx:
        user = await world.user(tx, world.acme, "leaver")
        token = await world.token(tx, world.acme, user)
        sid = jws.unverified_claims(token)["sid"]
        assert isinstance(sid, str)
        await tx.sessions.delete(world.acme.id, sid)
        assert await _status(_authenticate(tx, token)) == 401
        token = await world.token(tx, world.acme, user)
        await tx.users.update(replace(user, enabled=False))
        assert await _status(_authenticate(tx, token)) == 401
        # Idle longer than the realm allows.
        await tx.users.update(user)
        token = await world.token(tx, world.acme, user)
        assert await _status(_authenticate(tx, token, now=NOW + 59)) == 200
        idle = world.acme.sso_session_idle_timeout
        late = await world.token(tx, world.acme, user, exp=NOW + idle + 100)
        assert await _status(_authenticate(tx, late, now=NOW + idle + 1)) == 401


async def test_tokens_issued_before_the_realm_not_before_are_401(world: World) -> None:
    """``logout-all`` sets the realm's notBefore: older tokens stop working at once."""
    async with world.store.tx() as tx:
        user = await world.user(tx, world.acme, "early")
        token = await world.token(tx, world.acme, user, iat=NOW - 10)
        assert await _status(_authenticate(tx, token)) == 200
        await tx.realms.update(replace(world.acme, not_before=NOW))
        assert await _status(_authenticate(tx, token)) == 401


async def test_a_create_realm_role_outside_master_grants_nothing(world: World) -> None:
    async with world.store.tx() as tx:
        impostor_role = Role(id=SYSTEM.new_id(), realm_id=world.acme.id, name="create-realm")
        await tx.roles.add(impostor_role)
        user = await world.user(tx, world.acme, "impostor")
        await tx.users.grant_roles(world.acme.id, user.id, [impostor_role.id])
        who = await _authenticate(tx, await world.token(tx, world.acme, user))
        assert not auth.may_create_realms(who)
        with pytest.raises(AdminError):
            auth.require_create_realm(who)

        creator = await world.user(tx, world.master, "creator")
        master_role = await tx.roles.get_realm_role(world.master.id, "create-realm")
        assert master_role is not None
        await tx.users.grant_roles(world.master.id, creator.id, [master_role.id])
        assert auth.may_create_realms(await _authenticate(tx, await world.token(tx, world.master, creator)))
