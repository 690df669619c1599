"""Role and group references in mapper configs, and how they are resolved.

A role reference is ``realmRole`` or ``clientId.clientRole``. Client ids may contain dots,
so Keycloak (``KeycloakModelUtils.getRoleFromString``) tries every split from the *last*
dot leftwards and takes the first prefix that names an existing client (even when that
client has no such role); only when no prefix is a client is the whole text a realm role.
A group reference is a path ``/parent/child`` (a missing leading slash is tolerated, a
trailing one ignored: Keycloak's ``normalizeGroupPath``).

Resolution needs the store, so it happens before the mappers run: the flow resolves
``referenced_roles``/``referenced_groups`` of the provider's mappers and hands over a
``Directory``; ``ResolvedDirectory`` is the plain-dict one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from realmgate.model.role import Group


def role_ref_candidates(ref: str) -> list[tuple[str | None, str]]:
    """``(client_id, role_name)`` pairs in lookup order; ``None`` client means a realm role.

    The caller takes the first pair whose client exists (then that client's role or
    nothing); the final ``(None, ref)`` pair is used only when no prefix is a client.
    """
    candidates: list[tuple[str | None, str]] = []
    dot = ref.rfind(".")
    while dot > 0:
        candidates.append((ref[:dot], ref[dot + 1 :]))
        dot = ref.rfind(".", 0, dot)
    candidates.append((None, ref))
    return candidates


def role_qualifier(client_id: str | None, role_name: str) -> str:
    """The reference text for a role: ``name`` or ``clientId.name``."""
    return role_name if client_id is None else f"{client_id}.{role_name}"


def normalize_group_path(path: str) -> str:
    """``a/b/`` -> ``/a/b``."""
    normalized = path if path.startswith("/") else "/" + path
    return normalized[:-1] if len(normalized) > 1 and normalized.endswith("/") else normalized


class Directory(Protocol):
    """Resolves the references mappers name to role and group ids (None: does not exist)."""

    def role_id(self, ref: str) -> str | None: ...

    def group_id(self, path: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ResolvedDirectory:
    """References resolved ahead of the login: role ref -> role id, group path -> group id."""

    roles: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, str] = field(default_factory=dict)

    def role_id(self, ref: str) -> str | None:
        return self.roles.get(ref)

    def group_id(self, path: str) -> str | None:
        return self.groups.get(normalize_group_path(path))


def group_paths(groups: Sequence[Group]) -> dict[str, str]:
    """``/parent/child`` -> group id for every group of a realm (a cycle or orphan is skipped)."""
    by_id = {g.id: g for g in groups}
    paths: dict[str, str] = {}
    for group in groups:
        names = [group.name]
        seen = {group.id}
        parent_id = group.parent_id
        while parent_id is not None and parent_id in by_id and parent_id not in seen:
            seen.add(parent_id)
            names.append(by_id[parent_id].name)
            parent_id = by_id[parent_id].parent_id
        if parent_id is None:
            paths["/" + "/".join(reversed(names))] = group.id
    return paths
