"""Realm import of groups (with subgroups and role mappings) and users (with credentials, role
mappings, group memberships, identity provider links and service-account ownership)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from realmgate.keycloak.realm_file import ImportContext, RoleIndex, join_path
from realmgate.keycloak.representations import (
    credential_from_rep,
    federated_identity_from_rep,
    group_from_rep,
    role_ids_from_names,
    user_from_rep,
)
from realmgate.model.realm import Realm
from realmgate.model.role import Group
from realmgate.model.user import UPDATE_PASSWORD, User
from realmgate.store.interface import Tx
from realmgate.store.user_creation import add_user


def _role_ids(ctx: ImportContext, path: str, rep: Mapping[str, object], index: RoleIndex) -> tuple[str, ...]:
    with ctx.at(path):
        return role_ids_from_names(rep.get("realmRoles"), rep.get("clientRoles"), index.resolve)


async def _import_group(
    ctx: ImportContext,
    tx: Tx,
    realm: Realm,
    path: str,
    rep: Mapping[str, object],
    *,
    parent: Group | None,
    parent_path: str,
    index: RoleIndex,
    by_path: dict[str, str],
) -> None:
    base = Group(id=ctx.ids.new_id(), realm_id=realm.id, name="", parent_id=parent.id if parent else None)
    group = ctx.convert(path, group_from_rep, rep, base, with_id=True)
    group = dataclasses.replace(group, role_ids=_role_ids(ctx, path, rep, index))
    await ctx.store(path, tx.groups.add(group))
    group_path = f"{parent_path}/{group.name}"
    by_path[group_path] = group.id
    for child_path, child in ctx.objects(rep, "subGroups", path):
        await _import_group(
            ctx,
            tx,
            realm,
            child_path,
            child,
            parent=group,
            parent_path=group_path,
            index=index,
            by_path=by_path,
        )


async def import_groups(
    ctx: ImportContext, tx: Tx, realm: Realm, rep: Mapping[str, object], index: RoleIndex
) -> dict[str, str]:
    """Add the file's group tree; returns group id by path (``/parent/child``)."""
    by_path: dict[str, str] = {}
    for path, item in ctx.objects(rep, "groups", "$"):
        await _import_group(ctx, tx, realm, path, item, parent=None, parent_path="", index=index, by_path=by_path)
    return by_path


async def _import_user(
    ctx: ImportContext,
    tx: Tx,
    realm: Realm,
    path: str,
    rep: Mapping[str, object],
    index: RoleIndex,
    groups_by_path: Mapping[str, str],
    aliases: frozenset[str],
    *,
    now: int,
) -> None:
    base = User(id=ctx.ids.new_id(), realm_id=realm.id, username="", created_timestamp=now * 1000)
    user = ctx.convert(path, user_from_rep, rep, base, with_id=True)
    owner = rep.get("serviceAccountClientId")
    if owner is not None:
        client = await tx.clients.get_by_client_id(realm.id, str(owner))
        if client is None:
            raise ctx.error(join_path(path, "serviceAccountClientId"), f"no client {owner}")
        user = dataclasses.replace(user, service_account_client_id=client.id)
    credentials = []
    for cred_path, cred_rep in ctx.objects(rep, "credentials", path):
        with ctx.at(cred_path):
            parsed = credential_from_rep(
                cred_rep, user.id, now_ms=now * 1000, ids=ctx.ids, policy=realm.password_policy, with_id=True
            )
        ctx.warn_unknown(cred_path, parsed.unknown)
        credentials.append((cred_path, parsed.credential))
        if parsed.temporary and UPDATE_PASSWORD not in user.required_actions:
            user = dataclasses.replace(user, required_actions=(*user.required_actions, UPDATE_PASSWORD))
    names_roles = "realmRoles" in rep or "clientRoles" in rep  # an export always lists them
    await ctx.store(path, add_user(tx, realm, user, default_roles=not names_roles))
    for cred_path, credential in credentials:
        await ctx.store(cred_path, tx.credentials.add(credential))
    role_ids = _role_ids(ctx, path, rep, index)
    if role_ids:
        await ctx.store(path, tx.users.grant_roles(realm.id, user.id, list(role_ids)))
    for group_path in ctx.strings(rep, "groups", path):
        group_id = groups_by_path.get(group_path if group_path.startswith("/") else f"/{group_path}")
        if group_id is None:
            raise ctx.error(join_path(path, "groups"), f"no group {group_path}")
        await ctx.store(path, tx.users.join_group(realm.id, user.id, group_id))
    for link_path, link_rep in ctx.objects(rep, "federatedIdentities", path):
        link = ctx.convert(link_path, federated_identity_from_rep, link_rep, realm_id=realm.id, user_id=user.id)
        if link.identity_provider not in aliases:
            raise ctx.error(join_path(link_path, "identityProvider"), "no such identity provider")
        await ctx.store(link_path, tx.federated_identities.add(link))


async def import_users(
    ctx: ImportContext,
    tx: Tx,
    realm: Realm,
    rep: Mapping[str, object],
    index: RoleIndex,
    groups_by_path: Mapping[str, str],
    *,
    now: int,
) -> None:
    aliases = frozenset(idp.alias for idp in await tx.identity_providers.list(realm.id))
    for path, item in ctx.objects(rep, "users", "$"):
        await _import_user(ctx, tx, realm, path, item, index, groups_by_path, aliases, now=now)
