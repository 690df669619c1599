"""``partial-export`` and ``partialImport``, as Keycloak does them.

Export never contains users, keys or secrets (client secrets and identity provider secrets are
masked ``**********``); clients, and groups with roles, only when asked (``exportClients``,
``exportGroupsAndRoles``).

Import takes clients, realm and client roles, groups, identity providers and users; for each
resource that already exists ``ifResourceExists`` decides: ``FAIL`` (409, nothing imported),
``SKIP`` (kept as it is) or ``OVERWRITE`` (replaced). The answer is Keycloak's
``{"overwritten", "added", "skipped", "results": [{"action", "resourceType", "resourceName",
"id"}]}``. The whole import is one transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from realmgate.admin.api_schemas import PARTIAL_IMPORT
from realmgate.admin.auth import require_grantable
from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError
from realmgate.admin.lookup import group_paths
from realmgate.admin.reps import body_object
from realmgate.admin.schema import validate
from realmgate.keycloak.defaults import new_client, settle_secret
from realmgate.keycloak.import_users import import_groups, import_users
from realmgate.keycloak.realm_export import export_realm
from realmgate.keycloak.realm_file import ImportContext, RealmFileError, RoleIndex, join_path
from realmgate.keycloak.representations import (
    client_from_rep,
    composite_ids_from_rep,
    identity_provider_from_rep,
    idp_mapper_from_rep,
    role_from_rep,
)
from realmgate.model.identity_provider import IdentityProvider, IdentityProviderMapper
from realmgate.model.realm import Realm
from realmgate.model.role import Role
from realmgate.store.interface import Tx

MASK = "**********"
POLICIES = ("FAIL", "SKIP", "OVERWRITE")


def _mask_secrets(rep: dict[str, Any]) -> None:
    for client in rep.get("clients", []):
        if isinstance(client, dict) and client.get("secret"):
            client["secret"] = MASK
    for idp in rep.get("identityProviders", []):
        config = idp.get("config") if isinstance(idp, dict) else None
        if isinstance(config, dict) and config.get("clientSecret"):
            config["clientSecret"] = MASK


async def partial_export(call: AdminCall) -> object:
    rep: dict[str, Any] = dict(await export_realm(call.tx, call.realm.name, include_users=False))
    rep.pop("components", None)
    if not call.bool_arg("exportClients", False):
        for key in ("clients", "clientScopeMappings"):
            rep.pop(key, None)
        roles = rep.get("roles")
        if isinstance(roles, dict):
            roles.pop("client", None)
    if not call.bool_arg("exportGroupsAndRoles", False):
        for key in ("groups", "roles", "scopeMappings"):
            rep.pop(key, None)
    _mask_secrets(rep)
    return rep


class _Importer:
    """One partial import: the policy, the results so far, and the Keycloak wording."""

    def __init__(self, call: AdminCall, policy: str) -> None:
        self.call = call
        self.tx: Tx = call.tx
        self.realm: Realm = call.realm
        self.policy = policy
        self.ctx = ImportContext("partial import", call.ids)
        self.results: list[dict[str, str]] = []

    async def one(
        self,
        resource_type: str,
        name: str,
        existing_id: str | None,
        delete: Callable[[str], Awaitable[None]],
        add: Callable[[], Awaitable[str]],
    ) -> None:
        """Apply the policy to one resource; ``add`` writes it and returns its id."""
        action = "ADDED"
        if existing_id is not None:
            if self.policy == "FAIL":
                label = resource_type.replace("_", " ").capitalize()
                raise AdminError.conflict(f"{label} '{name}' already exists.")
            if self.policy == "SKIP":
                self.results.append(_result("SKIPPED", resource_type, name, existing_id))
                return
            await delete(existing_id)
            action = "OVERWRITTEN"
        self.results.append(_result(action, resource_type, name, await add()))

    async def clients(self, rep: Mapping[str, Any]) -> None:
        for path, item in self.ctx.objects(rep, "clients", "$"):
            base = new_client(self.realm, "", ids=self.ctx.ids, secret=None)
            read = self.ctx.convert(path, client_from_rep, item, base, ids=self.ctx.ids, with_id=True)
            client = settle_secret(read, ids=self.ctx.ids)
            existing = await self.tx.clients.get_by_client_id(self.realm.id, client.client_id)

            async def add(client: Any = client, path: str = path) -> str:
                await self.ctx.store(path, self.tx.clients.add(client))
                return str(client.id)

            await self.one(
                "CLIENT",
                client.client_id,
                existing.id if existing else None,
                lambda i: self.tx.clients.delete(self.realm.id, i),
                add,
            )

    async def roles(self, rep: Mapping[str, Any]) -> None:
        roles = self.ctx.mapping(rep, "roles", "$")
        pending: list[tuple[str, Role, object]] = []
        for path, item in self.ctx.objects(roles, "realm", "$.roles"):
            base = Role(id=self.ctx.ids.new_id(), realm_id=self.realm.id, name="")
            role = self.ctx.convert(path, role_from_rep, item, base, with_id=True)
            existing = await self.tx.roles.get_realm_role(self.realm.id, role.name)
            await self._role("REALM_ROLE", path, role, existing, item, pending)
        for client_id, items in self.ctx.mapping(roles, "client", "$.roles").items():
            client = await self.tx.clients.get_by_client_id(self.realm.id, client_id)
            if client is None:
                raise self.ctx.error(f"$.roles.client[{client_id!r}]", f"no client {client_id} in this realm")
            for path, item in self.ctx.objects({client_id: items}, client_id, "$.roles.client"):
                base = Role(id=self.ctx.ids.new_id(), realm_id=self.realm.id, name="", client_id=client.id)
                role = self.ctx.convert(path, role_from_rep, item, base, with_id=True)
                existing = await self.tx.roles.get_client_role(self.realm.id, client.id, role.name)
                await self._role("CLIENT_ROLE", path, role, existing, item, pending)
        index = await RoleIndex.load(self.tx, self.realm.id)
        for path, role, composites in pending:
            with self.ctx.at(path):
                ids = composite_ids_from_rep(composites, index.resolve)
            if ids:
                await self.tx.roles.update(replace(role, composite_ids=ids))

    async def _role(
        self,
        kind: str,
        path: str,
        role: Role,
        existing: Role | None,
        item: Mapping[str, Any],
        pending: list[tuple[str, Role, object]],
    ) -> None:
        async def add() -> str:
            await self.ctx.store(path, self.tx.roles.add(role))
            pending.append((path, role, item.get("composites")))
            return role.id

        if existing is not None and existing.id == self.realm.default_role_id and self.policy == "OVERWRITE":
            raise AdminError.bad_request("You can't overwrite the default role")
        await self.one(
            kind, role.name, existing.id if existing else None, lambda i: self.tx.roles.delete(self.realm.id, i), add
        )

    async def groups(self, rep: Mapping[str, Any]) -> dict[str, str]:
        top = {g.name: g.id for g in await self.tx.groups.list(self.realm.id) if g.parent_id is None}
        by_path: dict[str, str] = {}
        index = await RoleIndex.load(self.tx, self.realm.id)
        for path, item in self.ctx.objects(rep, "groups", "$"):
            name = str(item.get("name") or "")

            async def add(item: Mapping[str, Any] = item, path: str = path) -> str:
                added = await import_groups(self.ctx, self.tx, self.realm, {"groups": [item]}, index)
                by_path.update(added)
                return added.get("/" + str(item.get("name")), "")

            await self.one("GROUP", name, top.get(name), lambda i: self.tx.groups.delete(self.realm.id, i), add)
        return by_path

    async def identity_providers(self, rep: Mapping[str, Any]) -> None:
        for path, item in self.ctx.objects(rep, "identityProviders", "$"):
            base = IdentityProvider(internal_id=self.ctx.ids.new_id(), realm_id=self.realm.id, alias="", provider_id="")
            idp = self.ctx.convert(path, identity_provider_from_rep, item, base, with_id=True)
            existing = await self.tx.identity_providers.get(self.realm.id, idp.alias)

            async def add(idp: IdentityProvider = idp, path: str = path) -> str:
                await self.ctx.store(path, self.tx.identity_providers.add(idp))
                return idp.internal_id

            async def drop(_: str, alias: str = idp.alias) -> None:
                await self.tx.identity_providers.delete(self.realm.id, alias)

            await self.one(
                "IDP",
                idp.alias,
                existing.internal_id if existing else None,
                drop,
                add,
            )

    async def identity_provider_mappers(self, rep: Mapping[str, Any]) -> None:
        """Keycloak's ``IdentityProviderMappersPartialImport``: a mapper is known by its provider
        alias and name; the provider must exist (in the realm or earlier in this import)."""
        for path, item in self.ctx.objects(rep, "identityProviderMappers", "$"):
            base = IdentityProviderMapper(
                id=self.ctx.ids.new_id(),
                realm_id=self.realm.id,
                name="",
                identity_provider_alias="",
                identity_provider_mapper="",
            )
            mapper = self.ctx.convert(path, idp_mapper_from_rep, item, base, with_id=True)
            alias = mapper.identity_provider_alias
            if await self.tx.identity_providers.get(self.realm.id, alias) is None:
                raise self.ctx.error(join_path(path, "identityProviderAlias"), "no such identity provider")
            siblings = await self.tx.idp_mappers.list(self.realm.id, alias)
            existing = next((m.id for m in siblings if m.name == mapper.name), None)

            async def add(mapper: IdentityProviderMapper = mapper, path: str = path) -> str:
                await self.ctx.store(path, self.tx.idp_mappers.add(mapper))
                return mapper.id

            await self.one(
                "IDP_MAPPER", mapper.name, existing, lambda i: self.tx.idp_mappers.delete(self.realm.id, i), add
            )

    async def users(self, rep: Mapping[str, Any], groups_by_path: Mapping[str, str]) -> None:
        index = await RoleIndex.load(self.tx, self.realm.id)
        groups = await self.tx.groups.list(self.realm.id)
        paths = {path: gid for gid, path in group_paths({g.id: g for g in groups}).items()}
        paths.update(groups_by_path)
        for _path, item in self.ctx.objects(rep, "users", "$"):
            username = str(item.get("username") or "").lower()
            existing = await self.tx.users.get_by_username(self.realm.id, username)

            async def add(item: Mapping[str, Any] = item, username: str = username) -> str:
                await import_users(self.ctx, self.tx, self.realm, {"users": [item]}, index, paths, now=self.call.now)
                user = await self.tx.users.get_by_username(self.realm.id, username)
                return user.id if user else ""

            await self.one(
                "USER",
                username,
                existing.id if existing else None,
                lambda i: self.tx.users.delete(self.realm.id, i),
                add,
            )


async def _check_granted_roles(call: AdminCall, results: list[dict[str, str]]) -> None:
    """Imported users, groups and roles may hand out only admin roles the caller holds (the
    import is one transaction, so a refusal here undoes all of it)."""
    tx, realm = call.tx, call.realm
    granted: set[str] = set()
    groups = {g.id: g for g in await tx.groups.list(realm.id)}
    for result in results:
        if result["action"] == "SKIPPED":
            continue
        if result["resourceType"] == "USER":
            granted.update(await tx.users.role_ids(realm.id, result["id"]))
        elif result["resourceType"] == "GROUP":
            stack = [result["id"]]
            while stack:
                group = groups.get(stack.pop())
                if group is not None:
                    granted.update(group.role_ids)
                    stack.extend(g.id for g in groups.values() if g.parent_id == group.id)
        elif result["resourceType"] in ("REALM_ROLE", "CLIENT_ROLE"):
            role = await tx.roles.get(realm.id, result["id"])
            granted.update(role.composite_ids if role else ())
    snapshot = await call.auth.snapshot(tx, realm.id)
    roles = [snapshot.roles[i] for i in granted if i in snapshot.roles]
    await require_grantable(tx, call.who, realm, snapshot, roles)


def _result(action: str, resource_type: str, name: str, id: str) -> dict[str, str]:
    return {"action": action, "resourceType": resource_type, "resourceName": name, "id": id}


async def partial_import(call: AdminCall) -> object:
    validate(call.body, PARTIAL_IMPORT)
    rep = body_object(call.body)
    policy = rep.get("ifResourceExists") or rep.get("policy") or "FAIL"
    if policy not in POLICIES:
        raise AdminError.bad_request(f"Invalid value for ifResourceExists: {policy}")
    importer = _Importer(call, str(policy))
    try:
        await importer.clients(rep)
        await importer.roles(rep)
        await importer.identity_providers(rep)
        await importer.identity_provider_mappers(rep)
        groups_by_path = await importer.groups(rep)
        await importer.users(rep, groups_by_path)
    except RealmFileError as exc:
        raise AdminError.bad_request(f"{exc.json_path}: {exc.message}") from None
    await _check_granted_roles(call, importer.results)
    counts = {
        action: sum(1 for r in importer.results if r["action"] == action)
        for action in ("ADDED", "SKIPPED", "OVERWRITTEN")
    }
    return {
        "overwritten": counts["OVERWRITTEN"],
        "added": counts["ADDED"],
        "skipped": counts["SKIPPED"],
        "results": importer.results,
    }
