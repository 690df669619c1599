"""Export a realm as a Keycloak realm representation (the ``kc.sh export`` file format).

The document holds the realm settings (every stored one, Keycloak's defaults for the rest), the
authentication flows (Keycloak's built-in ones until the realm changes them) and everything in
it: roles with composites, groups with subgroups and role mappings, clients
(built-in ones too), client scopes, scope mappings, identity providers and their mappers, the
keys as key-provider components, and, when asked, the users with their credentials (hashed, as
stored), role mappings, groups and links.
Lists are sorted by name so two exports of the same realm are identical, which makes
``import -> export -> import -> export`` a fixed point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from realmgate.keycloak.auth_flows import CONFIGS, FLOWS, export_flows, realm_flows
from realmgate.keycloak.components import export_components
from realmgate.keycloak.key_components import KEY_PROVIDER, export_key_components
from realmgate.keycloak.realm_file import RoleIndex
from realmgate.keycloak.representations import (
    client_scope_to_rep,
    client_to_rep,
    composites_to_rep,
    credential_to_rep,
    federated_identity_to_rep,
    group_to_rep,
    identity_provider_to_rep,
    idp_mapper_to_rep,
    realm_to_rep,
    role_to_rep,
    user_to_rep,
)
from realmgate.model.client import Client, ClientScope
from realmgate.model.realm import Realm
from realmgate.model.role import Group, Role
from realmgate.model.user import User
from realmgate.store.interface import Tx, UserQuery

JsonObject = dict[str, object]
_USER_PAGE = 500


class RealmNotFound(LookupError):
    """No realm of that name."""


def _role_rep(role: Role, realm: Realm, index: RoleIndex) -> JsonObject:
    rep = role_to_rep(role, container_id=role.client_id or realm.id)
    if role.composite:
        rep["composites"] = composites_to_rep(role.composite_ids, index.name_of)
    return rep


def _roles(realm: Realm, clients: Sequence[Client], roles: Sequence[Role], index: RoleIndex) -> JsonObject:
    ordered = sorted(roles, key=lambda r: r.name)
    by_client: dict[str, list[JsonObject]] = {c.client_id: [] for c in clients}
    realm_roles: list[JsonObject] = []
    for role in ordered:
        if role.client_id is None:
            realm_roles.append(_role_rep(role, realm, index))
        else:
            by_client[index.owner_of[role.client_id]].append(_role_rep(role, realm, index))
    return {"realm": realm_roles, "client": dict(sorted(by_client.items()))}


def _group_paths(groups: Sequence[Group]) -> dict[str, str]:
    by_id = {g.id: g for g in groups}

    def path(group: Group) -> str:
        parent = by_id.get(group.parent_id) if group.parent_id else None
        return (path(parent) if parent else "") + "/" + group.name

    return {g.id: path(g) for g in groups}


def _groups(groups: Sequence[Group], paths: Mapping[str, str], index: RoleIndex) -> list[JsonObject]:
    children: dict[str | None, list[Group]] = {}
    for group in sorted(groups, key=lambda g: g.name):
        children.setdefault(group.parent_id, []).append(group)

    def rep(group: Group) -> JsonObject:
        subs = [rep(child) for child in children.get(group.id, [])]
        return group_to_rep(group, path=paths[group.id], namer=index.name_of, sub_groups=subs)

    return [rep(group) for group in children.get(None, [])]


def _scope_mappings(
    clients: Sequence[Client], scopes: Sequence[ClientScope], index: RoleIndex
) -> tuple[list[JsonObject], dict[str, list[JsonObject]]]:
    """Keycloak's ``scopeMappings`` (realm roles) and ``clientScopeMappings`` (client roles)."""
    realm_level: list[JsonObject] = []
    client_level: dict[str, list[JsonObject]] = {}
    holders: list[tuple[str, str, Sequence[str]]] = [
        ("client", c.client_id, c.scope_role_ids) for c in sorted(clients, key=lambda c: c.client_id)
    ]
    holders += [("clientScope", s.name, s.scope_role_ids) for s in sorted(scopes, key=lambda s: s.name)]
    for kind, name, role_ids in holders:
        realm_names: list[str] = []
        by_owner: dict[str, list[str]] = {}
        for role_id in role_ids:
            key = index.name_of(role_id)
            if key is None:
                continue
            owner, role_name = key
            (realm_names if owner is None else by_owner.setdefault(owner, [])).append(role_name)
        if realm_names:
            realm_level.append({kind: name, "roles": sorted(realm_names)})
        for owner, names in by_owner.items():
            client_level.setdefault(owner, []).append({kind: name, "roles": sorted(names)})
    return realm_level, dict(sorted(client_level.items()))


async def _user_rep(tx: Tx, realm: Realm, user: User, index: RoleIndex, paths: Mapping[str, str]) -> JsonObject:
    rep = user_to_rep(user)
    if user.service_account_client_id is not None:
        rep["serviceAccountClientId"] = index.owner_of.get(user.service_account_client_id)
    rep["credentials"] = [credential_to_rep(c) for c in await tx.credentials.list(user.id)]
    realm_roles: list[str] = []
    client_roles: dict[str, list[str]] = {}
    for role_id in await tx.users.role_ids(realm.id, user.id):
        key = index.name_of(role_id)
        if key is not None:
            owner, name = key
            (realm_roles if owner is None else client_roles.setdefault(owner, [])).append(name)
    rep["realmRoles"] = sorted(realm_roles)
    rep["clientRoles"] = {k: sorted(v) for k, v in sorted(client_roles.items())}
    rep["groups"] = sorted(paths[g] for g in await tx.users.group_ids(realm.id, user.id) if g in paths)
    links = await tx.federated_identities.list_for_user(realm.id, user.id)
    rep["federatedIdentities"] = [
        federated_identity_to_rep(link) for link in sorted(links, key=lambda link: link.identity_provider)
    ]
    return rep


async def _users(tx: Tx, realm: Realm, index: RoleIndex, paths: Mapping[str, str]) -> list[JsonObject]:
    reps: list[JsonObject] = []
    first = 0
    while True:
        query = UserQuery(include_service_accounts=True, first=first, max=_USER_PAGE)
        page = await tx.users.find(realm.id, query)
        for user in page:
            reps.append(await _user_rep(tx, realm, user, index, paths))
        if len(page) < _USER_PAGE:
            return reps
        first += _USER_PAGE


async def export_realm(
    tx: Tx, realm_name: str, *, include_users: bool, include_secrets: bool = False
) -> dict[str, object]:
    """The realm as Keycloak's realm export JSON; raises ``RealmNotFound``. The realm's own
    secrets (the SMTP password) are masked unless ``include_secrets`` (the CLI's full export,
    which must restore them); client and identity provider secrets are the caller's to mask."""
    realm = await tx.realms.get_by_name(realm_name)
    if realm is None:
        raise RealmNotFound(realm_name)
    clients = sorted(await tx.clients.list(realm.id), key=lambda c: c.client_id)
    scopes = sorted(await tx.client_scopes.list(realm.id), key=lambda s: s.name)
    roles = await tx.roles.list_all(realm.id)
    groups = await tx.groups.list(realm.id)
    index = await RoleIndex.load(tx, realm.id)
    paths = _group_paths(groups)
    rep: JsonObject = realm_to_rep(realm, include_secrets=include_secrets)
    rep[FLOWS], rep[CONFIGS] = export_flows(realm_flows(realm))
    rep["roles"] = _roles(realm, clients, roles, index)
    rep["groups"] = _groups(groups, paths, index)
    if realm.default_role_id is not None:
        default = next((r for r in roles if r.id == realm.default_role_id), None)
        if default is not None:
            rep["defaultRole"] = role_to_rep(default, container_id=realm.id)
    if include_users:
        rep["users"] = await _users(tx, realm, index, paths)
    rep["scopeMappings"], rep["clientScopeMappings"] = _scope_mappings(clients, scopes, index)
    rep["clients"] = [client_to_rep(c) for c in clients]
    rep["clientScopes"] = [client_scope_to_rep(s) for s in scopes]
    idps = sorted(await tx.identity_providers.list(realm.id), key=lambda i: i.alias)
    rep["identityProviders"] = [identity_provider_to_rep(i) for i in idps]
    mappers = sorted(await tx.idp_mappers.list(realm.id), key=lambda m: (m.identity_provider_alias, m.name))
    rep["identityProviderMappers"] = [idp_mapper_to_rep(m) for m in mappers]
    rep["components"] = {
        **export_components(realm.id, await tx.components.list(realm.id)),
        KEY_PROVIDER: export_key_components(await tx.keys.list(realm.id)),
    }
    return rep
