"""RoleRepresentation and GroupRepresentation <-> ``Role`` / ``Group``.

Keycloak names roles in JSON (``composites: {realm: [names], client: {clientId: [names]}}``,
``realmRoles``, ``clientRoles``) while the model holds ids. Resolving names needs the store, so
these functions take the lookups as arguments: a ``RoleResolver`` maps (client's public
clientId or None for a realm role, role name) to a role id, and ``RoleNamer`` goes back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from realmgate.keycloak.representations._mapping import (
    JsonObject,
    RepresentationError,
    Spec,
    from_rep,
    names,
    to_rep,
    unknown_fields,
)
from realmgate.model.role import Group, Role

RoleResolver = Callable[[str | None, str], str | None]
"""(clientId or None, role name) -> role id, or None when no such role."""

RoleNamer = Callable[[str], tuple[str | None, str] | None]
"""role id -> (clientId or None, role name), or None for a dangling id."""

ROLE_SPEC = Spec(
    cls=Role,
    internal=frozenset({"realm_id", "client_id", "composite_ids"}),
    ignored=names("scopeParamRequired"),
    handled_elsewhere=names("composite composites clientRole containerId"),
)

GROUP_SPEC = Spec(
    cls=Group,
    internal=frozenset({"realm_id", "parent_id", "role_ids"}),
    ignored=names("access subGroupCount"),
    handled_elsewhere=names("path subGroups realmRoles clientRoles parentId"),
)


def role_to_rep(role: Role, *, container_id: str) -> JsonObject:
    """Keycloak's brief role JSON; ``container_id`` is the realm id or the client's internal id."""
    rep = to_rep(ROLE_SPEC, role)
    rep.update(composite=role.composite, clientRole=role.client_id is not None, containerId=container_id)
    return rep


def role_from_rep(rep: Mapping[str, object], base: Role, *, with_id: bool = False) -> tuple[Role, list[str]]:
    """Name, description and attributes; composites go through ``composite_ids_from_rep``."""
    role = from_rep(ROLE_SPEC, rep, base, with_id=with_id)
    if not role.name:
        raise RepresentationError("name", "is required")
    return role, unknown_fields(ROLE_SPEC, rep)


def _names_by_owner(role_ids: Sequence[str], namer: RoleNamer) -> tuple[list[str], dict[str, list[str]]]:
    realm: list[str] = []
    client: dict[str, list[str]] = {}
    for role_id in role_ids:
        named = namer(role_id)
        if named is None:
            continue
        owner, name = named
        if owner is None:
            realm.append(name)
        else:
            client.setdefault(owner, []).append(name)
    return sorted(realm), {k: sorted(v) for k, v in sorted(client.items())}


def composites_to_rep(role_ids: Sequence[str], namer: RoleNamer) -> JsonObject:
    """``{"realm": [...], "client": {clientId: [...]}}`` with empty parts left out, as Keycloak."""
    realm, client = _names_by_owner(role_ids, namer)
    rep: JsonObject = {}
    if realm:
        rep["realm"] = realm
    if client:
        rep["client"] = client
    return rep


def role_ids_from_names(
    realm_roles: object, client_roles: object, resolver: RoleResolver, *, field_prefix: str = ""
) -> tuple[str, ...]:
    """Resolve ``[names]`` and ``{clientId: [names]}``; an unknown role is a RepresentationError."""
    ids: list[str] = []
    if realm_roles is not None:
        if not isinstance(realm_roles, list):
            raise RepresentationError(f"{field_prefix}realm", "must be an array of role names")
        for name in realm_roles:
            ids.append(_resolve(resolver, None, name, f"{field_prefix}realm"))
    if client_roles is not None:
        if not isinstance(client_roles, dict):
            raise RepresentationError(f"{field_prefix}client", "must be an object")
        for client_id, role_names in client_roles.items():
            if not isinstance(role_names, list):
                raise RepresentationError(f"{field_prefix}client.{client_id}", "must be an array")
            for name in role_names:
                ids.append(_resolve(resolver, str(client_id), name, f"{field_prefix}client.{client_id}"))
    return tuple(dict.fromkeys(ids))


def _resolve(resolver: RoleResolver, client_id: str | None, name: object, where: str) -> str:
    if not isinstance(name, str):
        raise RepresentationError(where, "role names must be strings")
    role_id = resolver(client_id, name)
    if role_id is None:
        owner = f"client {client_id}" if client_id else "realm"
        raise RepresentationError(where, f"unknown {owner} role {name}")
    return role_id


def composite_ids_from_rep(composites: object, resolver: RoleResolver) -> tuple[str, ...]:
    """Role ids named by a role's ``composites`` object."""
    if composites is None:
        return ()
    if not isinstance(composites, dict):
        raise RepresentationError("composites", "must be an object")
    return role_ids_from_names(composites.get("realm"), composites.get("client"), resolver, field_prefix="composites.")


def group_to_rep(
    group: Group,
    *,
    path: str,
    namer: RoleNamer,
    sub_groups: Sequence[JsonObject] = (),
) -> JsonObject:
    """A group with its path, role names and (already converted) subgroups."""
    rep = to_rep(GROUP_SPEC, group)
    realm, client = _names_by_owner(group.role_ids, namer)
    rep.update(path=path, subGroups=list(sub_groups), realmRoles=realm, clientRoles=client)
    if group.parent_id is not None:
        rep["parentId"] = group.parent_id
    return rep


def group_from_rep(rep: Mapping[str, object], base: Group, *, with_id: bool = False) -> tuple[Group, list[str]]:
    """Name, description and attributes; roles via ``role_ids_from_names``, subgroups by caller."""
    group = from_rep(GROUP_SPEC, rep, base, with_id=with_id)
    if not group.name:
        raise RepresentationError("name", "is required")
    return group, unknown_fields(GROUP_SPEC, rep)
