"""Import a Keycloak realm representation (a realm export file or an admin create body).

All or nothing: everything is written in the caller's transaction, and any problem raises
``RealmFileError`` so the caller rolls back. Ids in the file are kept, as Keycloak keeps them.
Order matters because JSON names things the store knows by id: client scopes and clients, then
roles (composites in a second pass, once every role exists), the built-ins the file leaves out,
scope mappings, groups, identity providers and their mappers, and last the users.

Every realm setting is kept (``representations.realm_settings``); the few fields that are not
are named in one log line, and each stored setting realmgate does not enforce gets its own
(``keycloak.unenforced``), so an operator never believes a realm is safer than it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from realmgate.crypto.algorithms import REALM_DEFAULT, UnsupportedAlgorithm, check_realm_default
from realmgate.crypto.passwords import PolicyError, validate_policy
from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.builtin_scopes import DEFAULT_SCOPES, OPTIONAL_SCOPES
from realmgate.keycloak.components import import_components
from realmgate.keycloak.defaults import (
    MASTER_ACCESS_TOKEN_LIFESPAN,
    ensure_builtin_client,
    ensure_builtins,
    ensure_service_account,
    new_client,
    settle_secret,
)
from realmgate.keycloak.import_users import import_groups, import_users
from realmgate.keycloak.key_components import import_key_components
from realmgate.keycloak.realm_file import (
    MASKED_SECRET,
    ImportContext,
    RealmFileError,
    RoleIndex,
    join_path,
    log,
)
from realmgate.keycloak.representations import (
    client_from_rep,
    client_scope_from_rep,
    composite_ids_from_rep,
    identity_provider_from_rep,
    idp_mapper_from_rep,
    realm_from_rep,
    role_from_rep,
    role_ids_from_names,
)
from realmgate.keycloak.representations.realm import dropped_fields
from realmgate.keycloak.representations.realm_settings import masked_smtp_secrets
from realmgate.keycloak.unenforced import component_findings, log_dropped, log_findings, realm_findings
from realmgate.model.client import ClientScope
from realmgate.model.identity_provider import IdentityProvider, IdentityProviderMapper
from realmgate.model.realm import Realm
from realmgate.model.role import Role
from realmgate.store.interface import Conflict, Tx

__all__ = ["RealmFileError", "import_realm"]


async def _import_realm_settings(ctx: ImportContext, tx: Tx, rep: Mapping[str, object]) -> Realm:
    name = rep.get("realm")
    if not isinstance(name, str) or not name.strip():
        raise ctx.error("$.realm", "a realm name is required")
    base = Realm(id=ctx.ids.new_id(), name=name)
    if name == "master":
        base = dataclasses.replace(base, access_token_lifespan=MASTER_ACCESS_TOKEN_LIFESPAN)
    realm = ctx.convert("$", realm_from_rep, rep, base, with_id=True)
    log_dropped(name, dropped_fields(rep), context=f"imported from {ctx.source}")
    for secret in masked_smtp_secrets(rep):
        log.warning("%s: realm %s: %s is masked; not imported (set it again)", ctx.source, name, secret)
    try:
        validate_policy(realm.password_policy)
    except PolicyError as exc:
        raise ctx.error("$.passwordPolicy", str(exc)) from None
    try:
        check_realm_default(realm.default_signature_algorithm)
    except UnsupportedAlgorithm as exc:
        raise ctx.error(f"$.{REALM_DEFAULT}", str(exc)) from None
    realm = dataclasses.replace(realm, default_role_id=None)
    no_defaults = not realm.default_default_client_scopes and not realm.default_optional_client_scopes
    if "clientScopes" not in rep and no_defaults:
        # Keycloak creates its built-in scopes first, so the file's clients get the defaults.
        realm = dataclasses.replace(
            realm,
            default_default_client_scopes=DEFAULT_SCOPES,
            default_optional_client_scopes=OPTIONAL_SCOPES,
        )
    await ctx.store("$", tx.realms.add(realm))
    return realm


async def _import_scopes_and_clients(ctx: ImportContext, tx: Tx, realm: Realm, rep: Mapping[str, object]) -> None:
    for path, item in ctx.objects(rep, "clientScopes", "$"):
        scope = ctx.convert(
            path,
            client_scope_from_rep,
            item,
            ClientScope(id=ctx.ids.new_id(), realm_id=realm.id, name=""),
            ids=ctx.ids,
            with_id=True,
        )
        await ctx.store(path, tx.client_scopes.add(scope))
    for path, item in ctx.objects(rep, "clients", "$"):
        base = new_client(realm, "", ids=ctx.ids, secret=None)
        client = ctx.convert(path, client_from_rep, item, base, ids=ctx.ids, with_id=True)
        if client.secret == MASKED_SECRET:
            # A partial export masks secrets; the mask is public knowledge, never a secret.
            log.warning("%s: %s: masked client secret replaced by a new one", ctx.source, path)
            client = dataclasses.replace(client, secret=None)
        await ctx.store(path, tx.clients.add(settle_secret(client, ids=ctx.ids)))


async def _import_roles(
    ctx: ImportContext, tx: Tx, realm: Realm, rep: Mapping[str, object]
) -> list[tuple[str, Role, object]]:
    """Add the file's roles without composites; returns (path, role, composites JSON) for pass 2."""
    roles = ctx.mapping(rep, "roles", "$")
    pending: list[tuple[str, Role, object]] = []
    for path, item in ctx.objects(roles, "realm", "$.roles"):
        role = ctx.convert(
            path, role_from_rep, item, Role(id=ctx.ids.new_id(), realm_id=realm.id, name=""), with_id=True
        )
        await ctx.store(path, tx.roles.add(role))
        pending.append((path, role, item.get("composites")))
    for client_id, items in ctx.mapping(roles, "client", "$.roles").items():
        client = await tx.clients.get_by_client_id(realm.id, client_id)
        if client is None:
            client = await ensure_builtin_client(tx, realm, client_id, ids=ctx.ids)
        client_path = f"$.roles.client[{client_id!r}]"
        if client is None:
            raise ctx.error(client_path, f"no client {client_id} in this realm")
        for path, item in ctx.objects({client_id: items}, client_id, "$.roles.client"):
            base = Role(id=ctx.ids.new_id(), realm_id=realm.id, name="", client_id=client.id)
            role = ctx.convert(path, role_from_rep, item, base, with_id=True)
            await ctx.store(path, tx.roles.add(role))
            pending.append((path, role, item.get("composites")))
    return pending


async def _default_role(ctx: ImportContext, tx: Tx, realm: Realm, rep: Mapping[str, object]) -> Realm:
    """``defaultRole`` names the realm role new users get (by id, else by name)."""
    default = ctx.mapping(rep, "defaultRole", "$")
    if not default:
        return realm
    role = None
    if isinstance(default.get("id"), str):
        role = await tx.roles.get(realm.id, str(default["id"]))
    if role is None and isinstance(default.get("name"), str):
        role = await tx.roles.get_realm_role(realm.id, str(default["name"]))
    if role is None:
        raise ctx.error("$.defaultRole", "no such realm role")
    return dataclasses.replace(realm, default_role_id=role.id)


async def _set_composites(
    ctx: ImportContext, tx: Tx, index: RoleIndex, pending: list[tuple[str, Role, object]]
) -> None:
    for path, role, composites in pending:
        with ctx.at(path):
            ids = composite_ids_from_rep(composites, index.resolve)
        if ids:
            await ctx.store(path, tx.roles.update(dataclasses.replace(role, composite_ids=ids)))


async def _legacy_default_roles(
    ctx: ImportContext, tx: Tx, realm: Realm, rep: Mapping[str, object], index: RoleIndex
) -> None:
    """Files from Keycloak < 13 list ``defaultRoles`` on the realm and on clients instead of a
    ``defaultRole``; Keycloak migrates them into the default role's composites, and so do we."""
    if "defaultRole" in rep or realm.default_role_id is None:
        return
    realm_names = ctx.strings(rep, "defaultRoles", "$")
    client_names: dict[str, list[str]] = {}
    for path, item in ctx.objects(rep, "clients", "$"):
        names = ctx.strings(item, "defaultRoles", path)
        if names and isinstance(item.get("clientId"), str):
            client_names[str(item["clientId"])] = names
    if not realm_names and not client_names:
        return
    with ctx.at("$.defaultRoles"):
        ids = role_ids_from_names(realm_names, client_names, index.resolve)
    default = await tx.roles.get(realm.id, realm.default_role_id)
    if default is not None:
        merged = tuple(dict.fromkeys((*default.composite_ids, *ids)))
        await ctx.store("$.defaultRoles", tx.roles.update(dataclasses.replace(default, composite_ids=merged)))


async def _scope_mappings(
    ctx: ImportContext, tx: Tx, realm: Realm, rep: Mapping[str, object], index: RoleIndex
) -> None:
    """``scopeMappings`` (realm roles) and ``clientScopeMappings`` (client roles) of clients/scopes."""
    grants: list[tuple[str, Mapping[str, object], str | None]] = [
        (path, item, None) for path, item in ctx.objects(rep, "scopeMappings", "$")
    ]
    for role_owner, items in ctx.mapping(rep, "clientScopeMappings", "$").items():
        grants += [
            (path, item, role_owner)
            for path, item in ctx.objects({role_owner: items}, role_owner, "$.clientScopeMappings")
        ]
    for path, item, owner in grants:
        names = ctx.strings(item, "roles", path)
        realm_names: list[str] | None = names if owner is None else None
        client_names = None if owner is None else {owner: names}
        with ctx.at(join_path(path, "roles")):
            role_ids = role_ids_from_names(realm_names, client_names, index.resolve)
        if isinstance(item.get("client"), str):
            client = await tx.clients.get_by_client_id(realm.id, str(item["client"]))
            if client is None:
                raise ctx.error(join_path(path, "client"), f"no client {item['client']}")
            merged = tuple(dict.fromkeys((*client.scope_role_ids, *role_ids)))
            await ctx.store(path, tx.clients.update(dataclasses.replace(client, scope_role_ids=merged)))
        elif isinstance(item.get("clientScope"), str):
            scope = await tx.client_scopes.get_by_name(realm.id, str(item["clientScope"]))
            if scope is None:
                raise ctx.error(join_path(path, "clientScope"), f"no client scope {item['clientScope']}")
            merged = tuple(dict.fromkeys((*scope.scope_role_ids, *role_ids)))
            await ctx.store(path, tx.client_scopes.update(dataclasses.replace(scope, scope_role_ids=merged)))
        else:
            raise ctx.error(path, "a scope mapping needs client or clientScope")


async def _identity_providers(ctx: ImportContext, tx: Tx, realm: Realm, rep: Mapping[str, object]) -> None:
    aliases: set[str] = set()
    for path, item in ctx.objects(rep, "identityProviders", "$"):
        base = IdentityProvider(internal_id=ctx.ids.new_id(), realm_id=realm.id, alias="", provider_id="")
        idp = ctx.convert(path, identity_provider_from_rep, item, base, with_id=True)
        await ctx.store(path, tx.identity_providers.add(idp))
        aliases.add(idp.alias)
    for path, item in ctx.objects(rep, "identityProviderMappers", "$"):
        base_mapper = IdentityProviderMapper(
            id=ctx.ids.new_id(), realm_id=realm.id, name="", identity_provider_alias="", identity_provider_mapper=""
        )
        mapper = ctx.convert(path, idp_mapper_from_rep, item, base_mapper, with_id=True)
        if mapper.identity_provider_alias not in aliases:
            raise ctx.error(join_path(path, "identityProviderAlias"), "no such identity provider")
        await ctx.store(path, tx.idp_mappers.add(mapper))


async def import_realm(tx: Tx, rep: Mapping[str, object], *, source: str, now: int, ids: Randomness) -> Realm:
    """Create the realm described by ``rep`` with everything in it (what has no id in the file
    gets one from ``ids``); returns the stored realm."""
    ctx = ImportContext(source, ids)
    if not isinstance(rep, Mapping):
        raise ctx.error("$", "a realm representation must be a JSON object")
    realm = await _import_realm_settings(ctx, tx, rep)
    log_findings(realm.name, realm_findings(realm), context=f"imported from {source}")
    await _import_scopes_and_clients(ctx, tx, realm, rep)
    pending = await _import_roles(ctx, tx, realm, rep)
    realm = await _default_role(ctx, tx, realm, rep)
    await import_key_components(ctx, tx, realm, rep, now=now)
    await import_components(ctx, tx, realm, rep)
    log_findings(realm.name, component_findings(rep.get("components")), context=f"imported from {source}")
    realm = await ensure_builtins(tx, realm, now=now, ids=ids, with_scopes="clientScopes" not in rep)
    index = await RoleIndex.load(tx, realm.id)
    await _set_composites(ctx, tx, index, pending)
    await _legacy_default_roles(ctx, tx, realm, rep, index)
    await _scope_mappings(ctx, tx, realm, rep, index)
    groups_by_path = await import_groups(ctx, tx, realm, rep, index)
    await _identity_providers(ctx, tx, realm, rep)
    await import_users(ctx, tx, realm, rep, index, groups_by_path, now=now)
    await _service_accounts(ctx, tx, realm, rep, now=now)
    return realm


async def _service_accounts(ctx: ImportContext, tx: Tx, realm: Realm, rep: Mapping[str, object], *, now: int) -> None:
    """Clients with service accounts get their service-account user when the file lists none
    (Keycloak creates it on import too); users the file lists were linked by ``import_users``."""
    for client in await tx.clients.list(realm.id):
        if not client.service_accounts_enabled:
            continue
        try:
            await ensure_service_account(tx, realm, client, now=now, ids=ctx.ids)
        except Conflict:
            message = f"a user has the name of client {client.client_id}'s service account"
            raise ctx.error("$.users", message) from None
