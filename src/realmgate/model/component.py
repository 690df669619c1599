"""Keycloak components other than key providers: client-registration policies, user storage
and whatever else a realm file or admin call holds, kept as Keycloak shows them.

Key providers are not stored as ``Component``: they are the realm's keys (``model.keys``),
shown as components by ``keycloak.components``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Component:
    id: str
    realm_id: str
    name: str
    provider_id: str
    provider_type: str
    parent_id: str
    sub_type: str | None = None
    config: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
