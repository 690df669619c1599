"""Identity provider mappers in the admin API, and the admin-side upkeep of mapper configs.

Endpoints under ``/admin/realms/{realm}/identity-provider/instances/{alias}``:
``mapper-types`` (the types this provider's kind supports), ``mappers`` (list, create) and
``mappers/{id}`` (get, update, delete). Texts as Keycloak: an unknown provider is 404
``HTTP 404 Not Found`` (``{alias}`` may also be the provider's internal id), an unknown mapper
404 ``Model not found``; a mapper that names a missing role or group, an unknown type or a
type the provider does not support is refused with 400 and the reason, so no login ever meets
a dangling reference that an administrator could have been told about.

Unlike Keycloak, a mapper is always stored under the provider of the path (the body's
``identityProviderAlias`` cannot move it elsewhere) and a mapper id is only found under its
own provider.

Upkeep the other admin services call (hooks): ``role_renamed``, ``client_renamed`` and
``group_moved`` carry renames into mapper configs (Keycloak's ``ConfigSyncEventListener``);
``forget_grants`` makes a role mapping or group membership an administrator granted or removed
directly the administrator's, so a FORCE mapper never revokes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError
from realmgate.admin.identity_providers import find_provider
from realmgate.admin.reps import read
from realmgate.broker.mappers import registry
from realmgate.broker.mappers.refs import group_paths
from realmgate.broker.mappers.resolve import role_id
from realmgate.keycloak.representations import idp_mapper_from_rep, idp_mapper_to_rep
from realmgate.model.identity_provider import GrantKind, IdentityProvider, IdentityProviderMapper
from realmgate.store.interface import Tx

REPRESENTATION = "IdentityProviderMapperRepresentation"
DUPLICATE_NAME = "Identity provider mapper name must be unique per identity provider"


async def _provider(call: AdminCall) -> IdentityProvider:
    return await find_provider(call.tx, call.realm.id, call.path["alias"])


async def _mapper(call: AdminCall, idp: IdentityProvider) -> IdentityProviderMapper:
    found = await call.tx.idp_mappers.get(call.realm.id, call.path["id"])
    if found is None or found.identity_provider_alias != idp.alias:
        raise AdminError.not_found("Model not found")
    return found


def _from_body(body: Any, base: IdentityProviderMapper, idp: IdentityProvider) -> IdentityProviderMapper:
    def convert(rep: Any, b: IdentityProviderMapper) -> tuple[IdentityProviderMapper, list[str]]:
        # The path names the provider; a body without the alias is fine.
        return idp_mapper_from_rep({"identityProviderAlias": idp.alias, **rep}, b)

    mapper = read(convert, body, base, REPRESENTATION)
    return dataclasses.replace(mapper, id=base.id, realm_id=base.realm_id, identity_provider_alias=idp.alias)


async def _validate(tx: Tx, idp: IdentityProvider, mapper: IdentityProviderMapper) -> None:
    """400 with the reason when the mapper cannot work (see ``registry.validate``)."""
    roles = {ref: await role_id(tx, idp.realm_id, ref) is not None for ref in registry.role_refs(mapper)}
    paths = group_paths(await tx.groups.list(idp.realm_id)) if registry.group_refs(mapper) else {}
    reason = registry.validate(
        mapper,
        lambda ref: roles.get(ref, False),
        lambda path: path in paths,
        provider_id=idp.provider_id,
    )
    if reason is not None:
        raise AdminError.bad_request(reason)


async def _check_name(tx: Tx, mapper: IdentityProviderMapper) -> None:
    for other in await tx.idp_mappers.list(mapper.realm_id, mapper.identity_provider_alias):
        if other.name == mapper.name and other.id != mapper.id:
            raise AdminError.conflict(DUPLICATE_NAME)


async def mapper_types(call: AdminCall) -> object:
    return registry.mapper_types_rep((await _provider(call)).provider_id)


async def list_mappers(call: AdminCall) -> object:
    idp = await _provider(call)
    return [idp_mapper_to_rep(m) for m in await call.tx.idp_mappers.list(call.realm.id, idp.alias)]


async def get_mapper(call: AdminCall) -> object:
    idp = await _provider(call)
    return idp_mapper_to_rep(await _mapper(call, idp))


async def create_mapper(call: AdminCall) -> Created:
    idp = await _provider(call)
    base = IdentityProviderMapper(
        id=call.ids.new_id(),
        realm_id=call.realm.id,
        name="",
        identity_provider_alias=idp.alias,
        identity_provider_mapper="",
    )
    mapper = _from_body(call.body, base, idp)
    await _validate(call.tx, idp, mapper)
    await _check_name(call.tx, mapper)
    await call.tx.idp_mappers.add(mapper)
    return Created(mapper.id)


async def update_mapper(call: AdminCall) -> None:
    idp = await _provider(call)
    current = await _mapper(call, idp)
    mapper = _from_body(call.body, current, idp)
    await _validate(call.tx, idp, mapper)
    await _check_name(call.tx, mapper)
    await call.tx.idp_mappers.update(mapper)


async def delete_mapper(call: AdminCall) -> None:
    idp = await _provider(call)
    await call.tx.idp_mappers.delete(call.realm.id, (await _mapper(call, idp)).id)


# --- hooks for the other admin services ---------------------------------------------------------


async def _save(tx: Tx, changed: Sequence[IdentityProviderMapper]) -> None:
    for mapper in changed:
        await tx.idp_mappers.update(mapper)


async def role_renamed(tx: Tx, realm_id: str, *, client_id: str | None, old_name: str, new_name: str) -> None:
    """A role was renamed; ``client_id`` is its client's public clientId (None: realm role)."""
    if old_name != new_name:
        mappers = await tx.idp_mappers.list(realm_id)
        await _save(
            tx, registry.rename_role_in_configs(mappers, client_id=client_id, old_name=old_name, new_name=new_name)
        )


async def client_renamed(tx: Tx, realm_id: str, *, old_client_id: str, new_client_id: str) -> None:
    """A client's clientId changed: its roles' references follow."""
    if old_client_id != new_client_id:
        mappers = await tx.idp_mappers.list(realm_id)
        await _save(
            tx, registry.rename_client_in_configs(mappers, old_client_id=old_client_id, new_client_id=new_client_id)
        )


async def group_moved(tx: Tx, realm_id: str, *, old_path: str, new_path: str) -> None:
    """A group was renamed or moved: references to it and to its subgroups follow."""
    if old_path != new_path:
        mappers = await tx.idp_mappers.list(realm_id)
        await _save(tx, registry.rename_group_in_configs(mappers, old_path=old_path, new_path=new_path))


async def forget_grants(tx: Tx, realm_id: str, user_id: str, kind: GrantKind, target_ids: Sequence[str]) -> None:
    """An administrator granted or removed these roles (``kind="role"``) or group memberships
    directly: from now on they are the administrator's, never revoked by a mapper."""
    if target_ids:
        await tx.mapper_grants.forget(realm_id, user_id, kind, list(target_ids))
