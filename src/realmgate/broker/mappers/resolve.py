"""Resolve the role and group references of a provider's mappers against the store.

The only module of the package that awaits the store, and it only reads: it turns the
references named in mapper configs into a ``ResolvedDirectory`` before the pure planning
runs (``apply.plan_login``) or before an admin save is validated (``registry.validate``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from realmgate.broker.mappers import registry
from realmgate.broker.mappers.refs import (
    ResolvedDirectory,
    group_paths,
    normalize_group_path,
    role_ref_candidates,
)
from realmgate.model.client import Client
from realmgate.model.identity_provider import IdentityProviderMapper
from realmgate.model.role import Group, Role


class _Clients(Protocol):
    async def get_by_client_id(self, realm_id: str, client_id: str) -> Client | None: ...


class _Roles(Protocol):
    async def get_realm_role(self, realm_id: str, name: str) -> Role | None: ...
    async def get_client_role(self, realm_id: str, client_id: str, name: str) -> Role | None: ...


class _Groups(Protocol):
    async def list(self, realm_id: str) -> Sequence[Group]: ...


class ReferenceSource(Protocol):
    """The part of ``store.interface.Tx`` this module reads."""

    @property
    def clients(self) -> _Clients: ...
    @property
    def roles(self) -> _Roles: ...
    @property
    def groups(self) -> _Groups: ...


async def role_id(tx: ReferenceSource, realm_id: str, ref: str) -> str | None:
    """Keycloak's lookup: the first dot split (from the right) whose prefix is a client decides."""
    for client_id, name in role_ref_candidates(ref):
        if client_id is None:
            role = await tx.roles.get_realm_role(realm_id, name)
            return role.id if role else None
        client = await tx.clients.get_by_client_id(realm_id, client_id)
        if client is not None:
            role = await tx.roles.get_client_role(realm_id, client.id, name)
            return role.id if role else None
    return None


async def resolve_references(
    tx: ReferenceSource, realm_id: str, mappers: Iterable[IdentityProviderMapper]
) -> ResolvedDirectory:
    """The roles and groups the mappers name that exist (missing ones are simply absent)."""
    mappers = list(mappers)
    roles: dict[str, str] = {}
    for ref in {r for m in mappers for r in registry.role_refs(m)}:
        found = await role_id(tx, realm_id, ref)
        if found is not None:
            roles[ref] = found
    wanted = {normalize_group_path(p) for m in mappers for p in registry.group_refs(m)}
    groups: dict[str, str] = {}
    if wanted:
        all_paths = group_paths(await tx.groups.list(realm_id))
        groups = {path: all_paths[path] for path in wanted if path in all_paths}
    return ResolvedDirectory(roles=roles, groups=groups)
