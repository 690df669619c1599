"""Small builders of model objects with unique ids, so each test states only what it checks."""

from __future__ import annotations

import uuid
from typing import Any

from realmgate.model.client import Client
from realmgate.model.realm import Realm
from realmgate.model.role import Group, Role
from realmgate.model.session import ClientSession, UserSession
from realmgate.model.user import User
from realmgate.store.sql import SqlStore


def new_id() -> str:
    return str(uuid.uuid4())


def realm(name: str | None = None, **fields: Any) -> Realm:
    return Realm(id=new_id(), name=name or f"realm-{new_id()[:8]}", **fields)


def client(realm_id: str, client_id: str, **fields: Any) -> Client:
    return Client(id=new_id(), realm_id=realm_id, client_id=client_id, **fields)


def user(realm_id: str, username: str, **fields: Any) -> User:
    return User(id=new_id(), realm_id=realm_id, username=username, **fields)


def role(realm_id: str, name: str, **fields: Any) -> Role:
    return Role(id=new_id(), realm_id=realm_id, name=name, **fields)


def group(realm_id: str, name: str, **fields: Any) -> Group:
    return Group(id=new_id(), realm_id=realm_id, name=name, **fields)


def session(
    realm_id: str, user_id: str, *, now: int = 1_000_000, clients: tuple[str, ...] = (), **fields: Any
) -> UserSession:
    return UserSession(
        id=new_id(),
        realm_id=realm_id,
        user_id=user_id,
        login_username="someone",
        started=now,
        last_refresh=now,
        client_sessions={c: ClientSession(client_id=c, started=now, notes={"nonce": "n"}) for c in clients},
        **fields,
    )


async def add_realm(store: SqlStore, **fields: Any) -> Realm:
    r = realm(**fields)
    async with store.tx() as tx:
        await tx.realms.add(r)
    return r
