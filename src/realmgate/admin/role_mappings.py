"""Role mappings of users and groups (``.../role-mappings``), one implementation for both.

Direct mappings are what was granted; ``composite`` is the effective set (for users: also via
their groups and the groups' ancestors; for groups: also via ancestors; composites expanded);
``available`` is what could still be granted (roles of that container not mapped directly).
Adding a role that is not of this realm, or not of the named client, is 404 ``Role not found``
and maps nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from realmgate.admin import idp_mappers, lookup
from realmgate.admin.auth import effective_role_ids, require_grantable
from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError
from realmgate.admin.roles import mappings_rep, resolve_roles, role_reps
from realmgate.model.client import Client
from realmgate.model.role import Role, expand_composites


@dataclass(frozen=True, slots=True)
class _Subject:
    """A user or a group, seen only through its role mappings."""

    call: AdminCall
    kind: Literal["user", "group"]
    id: str

    async def direct(self) -> list[str]:
        if self.kind == "user":
            return list(await self.call.tx.users.role_ids(self.call.realm.id, self.id))
        return list((await lookup.group(self.call.tx, self.call.realm, self.id)).role_ids)

    async def effective(self, graph: Mapping[str, Role]) -> frozenset[str]:
        tx, realm = self.call.tx, self.call.realm
        if self.kind == "user":
            return await effective_role_ids(tx, realm.id, self.id, graph)
        groups = {g.id: g for g in await tx.groups.list(realm.id)}
        ids: list[str] = []
        current = groups.get(self.id)
        seen: set[str] = set()
        while current is not None and current.id not in seen:
            seen.add(current.id)
            ids.extend(current.role_ids)
            current = groups.get(current.parent_id) if current.parent_id else None
        return expand_composites(ids, graph)

    async def grant(self, roles: Iterable[Role]) -> None:
        ids = [r.id for r in roles]
        tx, realm = self.call.tx, self.call.realm
        if self.kind == "user":
            await tx.users.grant_roles(realm.id, self.id, ids)
            await idp_mappers.forget_grants(tx, realm.id, self.id, "role", ids)
            return
        group = await lookup.group(tx, realm, self.id, for_update=True)
        await tx.groups.update(replace(group, role_ids=tuple(dict.fromkeys((*group.role_ids, *ids)))))

    async def revoke(self, roles: Iterable[Role]) -> None:
        ids = {r.id for r in roles}
        tx, realm = self.call.tx, self.call.realm
        if self.kind == "user":
            await tx.users.revoke_roles(realm.id, self.id, list(ids))
            await idp_mappers.forget_grants(tx, realm.id, self.id, "role", sorted(ids))
            return
        group = await lookup.group(tx, realm, self.id, for_update=True)
        await tx.groups.update(replace(group, role_ids=tuple(i for i in group.role_ids if i not in ids)))


def _of(roles: Iterable[Role], client: Client | None) -> list[Role]:
    owner = client.id if client else None
    return [r for r in roles if r.client_id == owner]


@dataclass(frozen=True, slots=True)
class RoleMappings:
    """The role-mapping services for users (``kind="user"``) or groups; bound methods are the
    services the route table points at."""

    kind: Literal["user", "group"]

    async def _subject(self, call: AdminCall) -> _Subject:
        if self.kind == "user":
            await lookup.user(call.tx, call.realm, call.path["id"])
        else:
            await lookup.group(call.tx, call.realm, call.path["id"])
        return _Subject(call, self.kind, call.path["id"])

    async def _client(self, call: AdminCall) -> Client | None:
        client_id = call.path.get("client")
        if client_id is None:
            return None
        client = await call.tx.clients.get(call.realm.id, client_id)
        if client is None:
            # Keycloak's role-mapper resources word it so, unlike ``/clients/{id}``.
            raise AdminError.not_found("Client not found")
        return client

    async def _roles(self, call: AdminCall, ids: Collection[str]) -> list[Role]:
        return list(await call.tx.roles.get_many(call.realm.id, list(ids)))

    async def all(self, call: AdminCall) -> object:
        subject = await self._subject(call)
        roles = await self._roles(call, await subject.direct())
        clients: list[Client] = []
        for internal_id in dict.fromkeys(r.client_id for r in roles if r.client_id is not None):
            client = await call.tx.clients.get(call.realm.id, internal_id)
            if client is not None:
                clients.append(client)
        return mappings_rep(roles, clients, call.realm)

    async def listed(self, call: AdminCall) -> object:
        subject = await self._subject(call)
        client = await self._client(call)
        return role_reps(_of(await self._roles(call, await subject.direct()), client), call.realm)

    async def composite(self, call: AdminCall) -> object:
        subject = await self._subject(call)
        client = await self._client(call)
        graph = await call.auth.role_graph(call.tx, call.realm.id)
        effective = await subject.effective(graph)
        return role_reps(_of((graph[i] for i in effective if i in graph), client), call.realm)

    async def available(self, call: AdminCall) -> object:
        # Keycloak leaves out only the roles mapped directly: a role held through a composite (the
        # default roles, say) can still be mapped on its own.
        subject = await self._subject(call)
        client = await self._client(call)
        graph = await call.auth.role_graph(call.tx, call.realm.id)
        direct = set(await subject.direct())
        return role_reps(_of((r for i, r in graph.items() if i not in direct), client), call.realm)

    async def add(self, call: AdminCall) -> None:
        subject = await self._subject(call)
        client = await self._client(call)
        roles = await resolve_roles(call.tx, call.realm, call.body, client=client)
        snapshot = await call.auth.snapshot(call.tx, call.realm.id)
        await require_grantable(call.tx, call.who, call.realm, snapshot, roles)
        await subject.grant(roles)

    async def remove(self, call: AdminCall) -> None:
        subject = await self._subject(call)
        client = await self._client(call)
        await subject.revoke(await resolve_roles(call.tx, call.realm, call.body, client=client))


USER_ROLE_MAPPINGS = RoleMappings("user")
GROUP_ROLE_MAPPINGS = RoleMappings("group")
