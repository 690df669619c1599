"""All mapper types by Keycloak id, their admin descriptions, validation and rename helpers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence

from realmgate.broker.mappers import (
    advanced_claim_to_group,
    advanced_claim_to_role,
    attribute_importer,
    claim_to_role,
    external_role_to_role,
    github_user_attribute,
    hardcoded_attribute,
    hardcoded_group,
    hardcoded_role,
    hardcoded_session_note,
    session_note,
    username_template,
)
from realmgate.broker.mappers.base import GROUP_TYPE, ROLE_TYPE, MapperType
from realmgate.broker.mappers.refs import normalize_group_path, role_qualifier
from realmgate.broker.mappers.sync import SYNC_MODE, MapperSyncMode
from realmgate.model.identity_provider import IdentityProviderMapper

MAPPER_TYPES: Mapping[str, MapperType] = {
    m.id: m
    for m in (
        hardcoded_role.MAPPER,
        hardcoded_attribute.MAPPER,
        hardcoded_group.MAPPER,
        hardcoded_session_note.MAPPER,
        attribute_importer.MAPPER,
        claim_to_role.MAPPER,
        advanced_claim_to_role.MAPPER,
        advanced_claim_to_group.MAPPER,
        username_template.MAPPER,
        external_role_to_role.MAPPER,
        session_note.MAPPER,
        github_user_attribute.MAPPER,
    )
}


def get(type_id: str) -> MapperType | None:
    return MAPPER_TYPES.get(type_id)


def types_for(provider_id: str) -> dict[str, MapperType]:
    """The mapper types a provider of ``provider_id`` (``oidc``, ``keycloak-oidc``, ``github``) can use."""
    return {type_id: m for type_id, m in MAPPER_TYPES.items() if m.supports(provider_id)}


def mapper_types_rep(provider_id: str) -> dict[str, dict[str, object]]:
    """Body of ``GET .../identity-provider/instances/{alias}/mapper-types``."""
    return {type_id: m.to_rep() for type_id, m in types_for(provider_id).items()}


def role_refs(mapper: IdentityProviderMapper) -> tuple[str, ...]:
    """Role references a mapper names (the admin API checks they exist before ``validate``)."""
    mapper_type = get(mapper.identity_provider_mapper)
    return mapper_type.role_refs(mapper.config) if mapper_type else ()


def group_refs(mapper: IdentityProviderMapper) -> tuple[str, ...]:
    """Group paths a mapper names."""
    mapper_type = get(mapper.identity_provider_mapper)
    return mapper_type.group_refs(mapper.config) if mapper_type else ()


def validate(
    mapper: IdentityProviderMapper,
    role_exists: Callable[[str], bool],
    group_exists: Callable[[str], bool],
    *,
    provider_id: str,
) -> str | None:
    """Why the admin API must refuse this mapper with 400, or None when it may be saved.

    ``role_exists`` takes a role reference (``role`` / ``clientId.role``), ``group_exists`` a
    group path; the caller resolves ``role_refs``/``group_refs`` against the store first.
    """
    mapper_type = get(mapper.identity_provider_mapper)
    if mapper_type is None:
        return f"Unknown identity provider mapper type: {mapper.identity_provider_mapper}"
    if not mapper_type.supports(provider_id):
        return f"Mapper type {mapper_type.id} is not supported by identity provider type {provider_id}"
    if not mapper.name or not mapper.name.strip():
        return "Mapper name is required"
    sync_mode = mapper.config.get(SYNC_MODE)
    if sync_mode and sync_mode not in MapperSyncMode.__members__:
        return f"Invalid sync mode: {sync_mode}"
    problem = mapper_type.config_error(mapper.config)
    if problem:
        return problem
    for ref in mapper_type.role_refs(mapper.config):
        if not role_exists(ref):
            return f"Unable to find role: {ref}"
    for path in mapper_type.group_refs(mapper.config):
        if not group_exists(normalize_group_path(path)):
            return f"Unable to find group: {path}"
    return None


def _rewrite(
    mappers: Iterable[IdentityProviderMapper],
    property_type: str,
    rewrite: Callable[[str], str | None],
) -> list[IdentityProviderMapper]:
    """Apply ``rewrite`` to every config property of ``property_type``; return the changed mappers."""
    changed: list[IdentityProviderMapper] = []
    for mapper in mappers:
        mapper_type = get(mapper.identity_provider_mapper)
        if mapper_type is None:
            continue
        config = dict(mapper.config)
        for prop in mapper_type.properties:
            value = config.get(prop.name)
            if prop.type == property_type and value:
                new_value = rewrite(value)
                if new_value is not None and new_value != value:
                    config[prop.name] = new_value
        if config != dict(mapper.config):
            changed.append(dataclasses.replace(mapper, config=config))
    return changed


def rename_role_in_configs(
    mappers: Sequence[IdentityProviderMapper], *, client_id: str | None, old_name: str, new_name: str
) -> list[IdentityProviderMapper]:
    """A role was renamed (``client_id`` is the public clientId of its client, None for realm roles).

    Returns the mappers whose ``role`` reference changed, ready for ``tx.idp_mappers.update``
    (Keycloak's ``RoleConfigPropertyByRoleNameSynchronizer``).
    """
    old, new = role_qualifier(client_id, old_name), role_qualifier(client_id, new_name)
    return _rewrite(mappers, ROLE_TYPE, lambda value: new if value == old else None)


def rename_client_in_configs(
    mappers: Sequence[IdentityProviderMapper], *, old_client_id: str, new_client_id: str
) -> list[IdentityProviderMapper]:
    """A client's clientId changed: ``old.role`` references become ``new.role``."""
    prefix = old_client_id + "."

    def rewrite(value: str) -> str | None:
        # Only ``old.role`` with no further dot: ``old.x.role`` resolves to client ``old.x`` first.
        role = value[len(prefix) :]
        return new_client_id + "." + role if value.startswith(prefix) and "." not in role else None

    return _rewrite(mappers, ROLE_TYPE, rewrite)


def rename_group_in_configs(
    mappers: Sequence[IdentityProviderMapper], *, old_path: str, new_path: str
) -> list[IdentityProviderMapper]:
    """A group was renamed or moved: references to it and to its subgroups follow."""
    old, new = normalize_group_path(old_path), normalize_group_path(new_path)

    def rewrite(value: str) -> str | None:
        path = normalize_group_path(value)
        if path == old:
            return new
        if path.startswith(old + "/"):
            return new + path[len(old) :]
        return None

    return _rewrite(mappers, GROUP_TYPE, rewrite)
