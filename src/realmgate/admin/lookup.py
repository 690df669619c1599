"""Finding the resources named in admin paths, with Keycloak's 404 texts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from realmgate.admin.errors import (
    AdminError,
    client_not_found,
    group_not_found,
    role_not_found,
    user_not_found,
)
from realmgate.model.client import Client, ClientScope
from realmgate.model.realm import Realm
from realmgate.model.role import Group, Role
from realmgate.model.user import User
from realmgate.store.interface import Conflict, Tx

T = TypeVar("T")


async def _found(lookup: Awaitable[T | None], missing: Callable[[], AdminError]) -> T:
    """The looked-up resource, or the 404 ``missing()`` when the store has none."""
    found = await lookup
    if found is None:
        raise missing()
    return found


async def client(tx: Tx, realm: Realm, id: str, *, for_update: bool = False) -> Client:
    return await _found(tx.clients.get(realm.id, id, for_update=for_update), client_not_found)


async def user(tx: Tx, realm: Realm, id: str, *, for_update: bool = False) -> User:
    return await _found(tx.users.get(realm.id, id, for_update=for_update), user_not_found)


async def group(tx: Tx, realm: Realm, id: str, *, for_update: bool = False) -> Group:
    return await _found(tx.groups.get(realm.id, id, for_update=for_update), group_not_found)


async def role_by_id(tx: Tx, realm: Realm, id: str, *, for_update: bool = False) -> Role:
    return await _found(
        tx.roles.get(realm.id, id, for_update=for_update),
        lambda: AdminError.not_found("Could not find role with id"),  # Keycloak's RoleByIdResource
    )


async def realm_role(tx: Tx, realm: Realm, name: str) -> Role:
    return await _found(tx.roles.get_realm_role(realm.id, name), role_not_found)


async def client_role(tx: Tx, realm: Realm, client: Client, name: str) -> Role:
    return await _found(tx.roles.get_client_role(realm.id, client.id, name), role_not_found)


async def client_scope(tx: Tx, realm: Realm, id: str, *, for_update: bool = False) -> ClientScope:
    return await _found(
        tx.client_scopes.get(realm.id, id, for_update=for_update),
        lambda: AdminError.not_found("Could not find client scope"),
    )


async def unique(action: Awaitable[None], message: str) -> None:
    """Run a store insert; a unique-key clash (a concurrent create that won the race after our
    own check) is Keycloak's 409 with ``message``."""
    try:
        await action
    except Conflict:
        raise AdminError.conflict(message) from None


def group_paths(groups: dict[str, Group]) -> dict[str, str]:
    """``/parent/child`` for every group id (paths are derived, never stored)."""
    paths: dict[str, str] = {}

    def path_of(group_id: str, depth: int = 0) -> str:
        if group_id in paths:
            return paths[group_id]
        g = groups[group_id]
        parent = g.parent_id
        prefix = path_of(parent, depth + 1) if parent in groups and depth < 1000 and parent else ""
        paths[group_id] = f"{prefix}/{g.name}"
        return paths[group_id]

    for group_id in groups:
        path_of(group_id)
    return paths
