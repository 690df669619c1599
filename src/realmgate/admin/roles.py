"""Realm roles and client roles: by name, by id (``roles-by-id``), composites, and the users and
groups holding a role.

A role is addressed by name under ``/roles`` (realm) or ``/clients/{id}/roles`` (client); the
service functions take the role container from the path (``client`` path parameter present ->
client role). Deleting a role deletes its mappings (users, groups, composites, scope mappings)
and the realm's default role cannot be deleted, both as in Keycloak.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from realmgate.admin import idp_mappers, lookup
from realmgate.admin.auth import require_grantable
from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_list, opt_str, read, reject_unknown
from realmgate.admin.schema import BOOL, STR, Schema, arr, multi_map, obj
from realmgate.admin.views import group_brief, user_summary
from realmgate.keycloak.representations import role_from_rep, role_to_rep
from realmgate.model.client import Client
from realmgate.model.realm import Realm
from realmgate.model.role import Role
from realmgate.store.interface import Tx

ROLE: Schema = obj(
    "RoleRepresentation",
    {
        "id": STR,
        "name": STR,
        "description": STR,
        "scopeParamRequired": BOOL,
        "composite": BOOL,
        "composites": {"type": "object", "additionalProperties": True},
        "clientRole": BOOL,
        "containerId": STR,
        "attributes": multi_map(),
    },
)
ROLE_LIST: Schema = arr(ROLE)
ROLE_KEYS = frozenset(ROLE["properties"])


def role_rep(role: Role, realm: Realm, *, brief: bool = False) -> dict[str, Any]:
    """A role as Keycloak's ``toRepresentation``, or ``toBriefRepresentation`` (no attributes)."""
    rep = role_to_rep(role, container_id=role.client_id or realm.id)
    if brief:
        rep.pop("attributes", None)
    return rep


def role_reps(roles: Iterable[Role], realm: Realm) -> list[dict[str, Any]]:
    """Brief roles sorted by name: Keycloak lists role mappings, scope mappings and composites
    with ``toBriefRepresentation``, so a mapping never carries the role's attributes."""
    return [role_rep(r, realm, brief=True) for r in sorted(roles, key=lambda r: r.name)]


def mappings_rep(roles: Sequence[Role], clients: Iterable[Client], realm: Realm) -> dict[str, Any]:
    """Keycloak's ``MappingsRepresentation``: ``realmMappings``, then ``clientMappings`` keyed by
    ``clientId`` in the order of ``clients`` (each key omitted when it would be empty)."""
    rep: dict[str, Any] = {}
    realm_roles = [r for r in roles if r.client_id is None]
    if realm_roles:
        rep["realmMappings"] = role_reps(realm_roles, realm)
    mappings: dict[str, Any] = {}
    for client in clients:
        mine = [r for r in roles if r.client_id == client.id]
        if mine:
            mappings[client.client_id] = {
                "id": client.id,
                "client": client.client_id,
                "mappings": role_reps(mine, realm),
            }
    if mappings:
        rep["clientMappings"] = mappings
    return rep


async def _container(call: AdminCall) -> Client | None:
    client_id = call.path.get("client")
    return None if client_id is None else await lookup.client(call.tx, call.realm, client_id)


async def _named_role(call: AdminCall) -> Role:
    client = await _container(call)
    name = call.path["role"]
    if client is None:
        return await lookup.realm_role(call.tx, call.realm, name)
    return await lookup.client_role(call.tx, call.realm, client, name)


async def list_roles(call: AdminCall) -> object:
    client = await _container(call)
    tx, realm = call.tx, call.realm
    roles: Sequence[Role] = (
        await tx.roles.list_realm_roles(realm.id)
        if client is None
        else await tx.roles.list_client_roles(realm.id, client.id)
    )
    search = (call.str_arg("search") or "").lower()
    selected = sorted((r for r in roles if search in r.name.lower()), key=lambda r: r.name)
    first, maximum = call.page(default_max=None)
    page = selected[first : None if maximum is None else first + maximum]
    brief = bool(call.bool_arg("briefRepresentation", True))
    return [role_rep(r, realm, brief=brief) for r in page]


async def create_role(call: AdminCall) -> Created:
    client = await _container(call)
    tx, realm = call.tx, call.realm
    base = Role(id=call.ids.new_id(), realm_id=realm.id, name="", client_id=client.id if client else None)
    role = read(role_from_rep, call.body, base, "RoleRepresentation")
    existing = (
        await tx.roles.get_realm_role(realm.id, role.name)
        if client is None
        else await tx.roles.get_client_role(realm.id, client.id, role.name)
    )
    if existing is not None:
        raise AdminError.conflict(f"Role with name {role.name} already exists")
    await lookup.unique(tx.roles.add(role), f"Role with name {role.name} already exists")
    return Created(role.name)


async def get_role(call: AdminCall) -> object:
    return role_rep(await _named_role(call), call.realm)


async def get_role_by_id(call: AdminCall) -> object:
    return role_rep(await lookup.role_by_id(call.tx, call.realm, call.path["role_id"]), call.realm)


async def _update(call: AdminCall, role: Role) -> None:
    updated = read(role_from_rep, call.body, role, "RoleRepresentation")
    if updated.name != role.name:
        if role.id == call.realm.default_role_id:
            raise AdminError.bad_request("You can't rename the default role")
        clash = (
            await call.tx.roles.get_realm_role(call.realm.id, updated.name)
            if role.client_id is None
            else await call.tx.roles.get_client_role(call.realm.id, role.client_id, updated.name)
        )
        if clash is not None:
            raise AdminError.conflict(f"Role with name {updated.name} already exists")
    await call.tx.roles.update(replace(updated, id=role.id))
    if updated.name != role.name:
        client = await call.tx.clients.get(call.realm.id, role.client_id) if role.client_id else None
        await idp_mappers.role_renamed(
            call.tx,
            call.realm.id,
            client_id=client.client_id if client else None,
            old_name=role.name,
            new_name=updated.name,
        )


async def update_role(call: AdminCall) -> None:
    await _update(call, await _named_role(call))


async def update_role_by_id(call: AdminCall) -> None:
    await _update(call, await lookup.role_by_id(call.tx, call.realm, call.path["role_id"], for_update=True))


async def _delete(call: AdminCall, role: Role) -> None:
    if role.id == call.realm.default_role_id:
        raise AdminError.bad_request("You can't delete the default role")
    # As in Keycloak, a role still mapped (to users, groups, composites, scopes) is deleted with
    # its mappings; the store removes every reference.
    await call.tx.roles.delete(call.realm.id, role.id)


async def delete_role(call: AdminCall) -> None:
    await _delete(call, await _named_role(call))


async def delete_role_by_id(call: AdminCall) -> None:
    await _delete(call, await lookup.role_by_id(call.tx, call.realm, call.path["role_id"]))


async def resolve_roles(
    tx: Tx, realm: Realm, body: object, *, client: Client | None = None, missing: str = "Role not found"
) -> list[Role]:
    """Roles named in a JSON list of RoleRepresentations, by ``id`` (else ``name``), all of this
    realm (and of ``client`` when given). A role from another realm or container is 404
    ``missing`` (Keycloak's text differs by endpoint): nothing is mapped unless every role is found."""
    found: list[Role] = []
    for rep in body_list(body):
        reject_unknown(rep, ROLE_KEYS, "RoleRepresentation")
        role_id, name = opt_str(rep, "id"), opt_str(rep, "name")
        role: Role | None = None
        if role_id:
            role = await tx.roles.get(realm.id, role_id)
            if role is not None and name and role.name != name:
                role = None
        elif name and client is not None:
            role = await tx.roles.get_client_role(realm.id, client.id, name)
        elif name:
            role = await tx.roles.get_realm_role(realm.id, name)
        if role is None or (client is not None and role.client_id != client.id):
            raise AdminError.not_found(missing)
        found.append(role)
    return found


# --- composites ---------------------------------------------------------------------------------

_NO_COMPOSITE = "Could not find composite role"


async def _composite_owner(call: AdminCall) -> Role:
    if "role_id" in call.path:
        return await lookup.role_by_id(call.tx, call.realm, call.path["role_id"], for_update=True)
    return await _named_role(call)


async def get_composites(call: AdminCall) -> object:
    """All composites; ``search`` (name contains, any case), ``first`` and ``max`` narrow them as
    Keycloak's ``getCompositesStream(search, first, max)`` does."""
    owner = await _composite_owner(call)
    roles = await call.tx.roles.get_many(call.realm.id, list(owner.composite_ids))
    search = (call.str_arg("search") or "").lower()
    listed = role_reps([r for r in roles if search in r.name.lower()], call.realm)
    first, maximum = call.page(default_max=None)
    return listed[first : None if maximum is None else first + maximum]


async def get_realm_composites(call: AdminCall) -> object:
    owner = await _composite_owner(call)
    roles = await call.tx.roles.get_many(call.realm.id, list(owner.composite_ids))
    return role_reps([r for r in roles if r.client_id is None], call.realm)


async def get_client_composites(call: AdminCall) -> object:
    owner = await _composite_owner(call)
    target = await lookup.client(call.tx, call.realm, call.path["composite_client"])
    roles = await call.tx.roles.get_many(call.realm.id, list(owner.composite_ids))
    return role_reps([r for r in roles if r.client_id == target.id], call.realm)


async def add_composites(call: AdminCall) -> None:
    owner = await _composite_owner(call)
    added = await resolve_roles(call.tx, call.realm, call.body, missing=_NO_COMPOSITE)
    if any(r.id == owner.id for r in added):
        raise AdminError.bad_request("A role cannot contain itself")
    snapshot = await call.auth.snapshot(call.tx, call.realm.id)
    await require_grantable(call.tx, call.who, call.realm, snapshot, added)
    ids = list(owner.composite_ids) + [r.id for r in added if r.id not in owner.composite_ids]
    await call.tx.roles.update(replace(owner, composite_ids=tuple(dict.fromkeys(ids))))


async def remove_composites(call: AdminCall) -> None:
    owner = await _composite_owner(call)
    removed = {r.id for r in await resolve_roles(call.tx, call.realm, call.body, missing=_NO_COMPOSITE)}
    await call.tx.roles.update(replace(owner, composite_ids=tuple(i for i in owner.composite_ids if i not in removed)))


# --- holders ------------------------------------------------------------------------------------


async def role_users(call: AdminCall) -> object:
    role = await _named_role(call)
    first, maximum = call.page()
    users = await call.tx.users.users_with_role(call.realm.id, role.id, first=first, max=maximum)
    return [user_summary(u) for u in users]


async def role_groups(call: AdminCall) -> object:
    role = await _named_role(call)
    first, maximum = call.page()
    groups = await call.tx.groups.list(call.realm.id)
    paths = lookup.group_paths({g.id: g for g in groups})
    holders = sorted((g for g in groups if role.id in g.role_ids), key=lambda g: paths[g.id])
    return [group_brief(g, paths[g.id]) for g in holders[first : None if maximum is None else first + maximum]]
