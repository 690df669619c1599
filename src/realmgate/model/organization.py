"""Organizations (Keycloak 26): a named group of users with e-mail domains and the identity
providers its members log in with.

realmgate keeps them as data (admin API, realm files); the login does not consult them yet
(docs/compatibility.md). Every member is an unmanaged one: only an organization login, which
realmgate does not run, makes managed members.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class OrganizationDomain:
    """An e-mail domain of an organization; unique within a realm (stored lower-cased)."""

    name: str
    verified: bool = False


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    realm_id: str
    name: str
    alias: str
    enabled: bool = True
    description: str | None = None
    redirect_url: str | None = None
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    domains: tuple[OrganizationDomain, ...] = ()


UNMANAGED = "UNMANAGED"
