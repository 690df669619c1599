"""Roles (realm or client level, optionally composite) and groups."""

from __future__ import annotations

from collections.abc import Mapping
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
