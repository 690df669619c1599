"""Protocol mappers and scope mappings, shared by clients and client scopes (both carry
``protocol_mappers`` and ``scope_role_ids``), so one implementation serves
``/clients/{id}/...`` and ``/client-scopes/{id}/...``.

Texts as Keycloak: an unknown mapper is 404 ``Model not found``; a second mapper of the same
name is 409 ``Protocol mapper exists with same name``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from realmgate.admin import lookup
from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_list, read
from realmgate.admin.roles import mappings_rep, resolve_roles, role_reps
from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.representations import protocol_mapper_from_rep, protocol_mapper_to_rep
from realmgate.model.client import Client, ClientScope, ProtocolMapper
from realmgate.model.role import expand_composites

Owner = Client | ClientScope


def _new_mapper(rep: Any, base: ProtocolMapper | None, ids: Randomness) -> ProtocolMapper:
    def convert(r: Any, b: ProtocolMapper | None) -> tuple[ProtocolMapper, list[str]]:
        return protocol_mapper_from_rep(r, b, ids=ids)

    return read(convert, rep, base, "ProtocolMapperRepresentation")


@dataclass(frozen=True, slots=True)
class MapperOwners:
    """Services for the mappers and scope mappings of clients or of client scopes."""

    kind: Literal["client", "client_scope"]

    async def _load(self, call: AdminCall, *, for_update: bool = False) -> Owner:
        if self.kind == "client":
            return await lookup.client(call.tx, call.realm, call.path["id"], for_update=for_update)
        return await lookup.client_scope(call.tx, call.realm, call.path["id"], for_update=for_update)

    async def _save(self, call: AdminCall, owner: Owner) -> None:
        if isinstance(owner, Client):
            await call.tx.clients.update(owner)
        else:
            await call.tx.client_scopes.update(owner)

    # --- protocol mappers -----------------------------------------------------------------------

    async def list_mappers(self, call: AdminCall) -> object:
        owner = await self._load(call)
        return [protocol_mapper_to_rep(m) for m in owner.protocol_mappers]

    async def mappers_by_protocol(self, call: AdminCall) -> object:
        """``.../protocol-mappers/protocol/{protocol}``: the mappers of that protocol only."""
        owner = await self._load(call)
        return [protocol_mapper_to_rep(m) for m in owner.protocol_mappers if m.protocol == call.path["protocol"]]

    async def get_mapper(self, call: AdminCall) -> object:
        owner = await self._load(call)
        return protocol_mapper_to_rep(_find(owner, call.path["mapper_id"]))

    async def _add(self, call: AdminCall, owner: Owner, reps: list[Any]) -> tuple[Owner, list[str]]:
        mappers = list(owner.protocol_mappers)
        ids = []
        for rep in reps:
            if isinstance(rep, dict) and not rep.get("protocolMapper"):
                # Keycloak looks the mapper's provider up before anything else is checked.
                raise AdminError.not_found("ProtocolMapper provider not found")
            mapper = _new_mapper(rep, None, call.ids)
            if any(m.name == mapper.name for m in mappers):
                raise AdminError.conflict("Protocol mapper exists with same name")
            mappers.append(mapper)
            ids.append(mapper.id)
        return replace(owner, protocol_mappers=tuple(mappers)), ids

    async def create_mapper(self, call: AdminCall) -> Created:
        owner, ids = await self._add(call, await self._load(call, for_update=True), [call.body])
        await self._save(call, owner)
        return Created(ids[0])

    async def add_mappers(self, call: AdminCall) -> None:
        owner, _ = await self._add(call, await self._load(call, for_update=True), body_list(call.body))
        await self._save(call, owner)

    async def update_mapper(self, call: AdminCall) -> None:
        owner = await self._load(call, for_update=True)
        current = _find(owner, call.path["mapper_id"])
        updated = replace(_new_mapper(call.body, current, call.ids), id=current.id)
        if any(m.name == updated.name and m.id != current.id for m in owner.protocol_mappers):
            raise AdminError.conflict("Protocol mapper exists with same name")
        mappers = tuple(updated if m.id == current.id else m for m in owner.protocol_mappers)
        await self._save(call, replace(owner, protocol_mappers=mappers))

    async def delete_mapper(self, call: AdminCall) -> None:
        owner = await self._load(call, for_update=True)
        current = _find(owner, call.path["mapper_id"])
        mappers = tuple(m for m in owner.protocol_mappers if m.id != current.id)
        await self._save(call, replace(owner, protocol_mappers=mappers))

    # --- scope mappings -------------------------------------------------------------------------

    async def _target(self, call: AdminCall) -> Client | None:
        target = call.path.get("client")
        return None if target is None else await lookup.client(call.tx, call.realm, target)

    async def all_scope_mappings(self, call: AdminCall) -> object:
        owner = await self._load(call)
        roles = await call.tx.roles.get_many(call.realm.id, list(owner.scope_role_ids))
        return mappings_rep(roles, await call.tx.clients.list(call.realm.id), call.realm)

    async def scope_mappings(self, call: AdminCall) -> object:
        owner = await self._load(call)
        target = await self._target(call)
        roles = await call.tx.roles.get_many(call.realm.id, list(owner.scope_role_ids))
        wanted = target.id if target else None
        return role_reps([r for r in roles if r.client_id == wanted], call.realm)

    async def available_scope_mappings(self, call: AdminCall) -> object:
        owner = await self._load(call)
        target = await self._target(call)
        if target is None:
            roles = await call.tx.roles.list_realm_roles(call.realm.id)
        else:
            roles = await call.tx.roles.list_client_roles(call.realm.id, target.id)
        return role_reps([r for r in roles if r.id not in owner.scope_role_ids], call.realm)

    async def composite_scope_mappings(self, call: AdminCall) -> object:
        """The realm's (or the target client's) roles the owner has in scope, as Keycloak's
        ``hasScope``: a scope mapping or a composite one of them contains; for a client also
        everything when full scope is allowed, and its own roles."""
        owner = await self._load(call)
        target = await self._target(call)
        graph = await call.auth.role_graph(call.tx, call.realm.id)
        in_scope = set(expand_composites(owner.scope_role_ids, graph))
        wanted = target.id if target else None
        if isinstance(owner, Client):
            in_scope |= {r.id for r in graph.values() if owner.full_scope_allowed or r.client_id == owner.id}
        roles = [r for r in graph.values() if r.client_id == wanted and r.id in in_scope]
        return role_reps(roles, call.realm)

    async def add_scope_mappings(self, call: AdminCall) -> None:
        owner = await self._load(call, for_update=True)
        roles = await resolve_roles(call.tx, call.realm, call.body, client=await self._target(call))
        ids = tuple(dict.fromkeys((*owner.scope_role_ids, *(r.id for r in roles))))
        await self._save(call, replace(owner, scope_role_ids=ids))

    async def remove_scope_mappings(self, call: AdminCall) -> None:
        owner = await self._load(call, for_update=True)
        removed = {r.id for r in await resolve_roles(call.tx, call.realm, call.body, client=await self._target(call))}
        await self._save(
            call, replace(owner, scope_role_ids=tuple(i for i in owner.scope_role_ids if i not in removed))
        )


def _find(owner: Owner, mapper_id: str) -> ProtocolMapper:
    for mapper in owner.protocol_mappers:
        if mapper.id == mapper_id:
            return mapper
    raise AdminError.not_found("Model not found")


CLIENT_MAPPERS = MapperOwners("client")
CLIENT_SCOPE_MAPPERS = MapperOwners("client_scope")
