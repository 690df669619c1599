"""Upstream identity providers and their mappers, as Keycloak represents them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    internal_id: str
    realm_id: str
    alias: str
    provider_id: str  # "oidc" or "keycloak-oidc"
    display_name: str | None = None
    enabled: bool = True
    trust_email: bool = False
    store_token: bool = False
    add_read_token_role_on_create: bool = False
    link_only: bool = False
    hide_on_login: bool = False
    first_broker_login_flow_alias: str = "first broker login"
    post_broker_login_flow_alias: str | None = None
    config: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IdentityProviderMapper:
    id: str
    realm_id: str
    name: str
    identity_provider_alias: str
    identity_provider_mapper: str  # mapper type id, e.g. "oidc-role-idp-mapper"
    config: Mapping[str, str] = field(default_factory=dict)


GrantKind = Literal["role", "group"]


@dataclass(frozen=True, slots=True, order=True)
class MapperGrant:
    """Provenance: mapper ``mapper_id`` of provider ``identity_provider`` granted ``target_id``
    (a role or group id) to a user.

    Why it exists: a FORCE mapper must revoke what it granted once the upstream stops saying
    so, but must never take away a role an administrator granted, nor one another mapper still
    grants. Keycloak cannot tell these apart (it revokes admin-granted roles); realmgate keeps
    one record per (user, role or group, provider alias, mapper id). The rules that use the
    records are in ``realmgate.broker.mappers.apply``.
    """

    kind: GrantKind
    target_id: str
    identity_provider: str
    mapper_id: str
