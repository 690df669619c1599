"""Roles (realm or client level, optionally composite) and groups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Role:
    """A realm role when ``client_id`` is None, else a role of that client (internal client id)."""

    id: str
    realm_id: str
    name: str
    description: str | None = None
    client_id: str | None = None
    # Ids of the roles this composite role contains (realm or client roles).
    composite_ids: tuple[str, ...] = ()
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def composite(self) -> bool:
        return bool(self.composite_ids)


@dataclass(frozen=True, slots=True)
class Group:
    """A group; its path (``/parent/child``) is derived from the parent chain by the services."""

    id: str
    realm_id: str
    name: str
    parent_id: str | None = None
    description: str | None = None
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    role_ids: tuple[str, ...] = ()


def expand_composites(role_ids: Iterable[str], graph: Mapping[str, Role]) -> frozenset[str]:
    """All role ids reachable from ``role_ids`` through composites (cycles are harmless)."""
    seen: set[str] = set()
    stack = list(role_ids)
    while stack:
        role_id = stack.pop()
        if role_id in seen:
            continue
        seen.add(role_id)
        role = graph.get(role_id)
        if role is not None:
            stack.extend(role.composite_ids)
    return frozenset(seen)
