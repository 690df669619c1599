"""OIDC clients, client scopes and the protocol mappers that fill token claims."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ProtocolMapper:
    """A Keycloak protocol mapper: ``protocol_mapper`` is the type id (e.g. ``oidc-usermodel-property-mapper``)."""

    id: str
    name: str
    protocol_mapper: str
    protocol: str = "openid-connect"
    config: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClientScope:
    id: str
    realm_id: str
    name: str
    description: str | None = None
    protocol: str = "openid-connect"
    attributes: Mapping[str, str] = field(default_factory=dict)
    protocol_mappers: tuple[ProtocolMapper, ...] = ()
    # Roles in this scope's scope mappings (limit which roles appear in tokens).
    scope_role_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Client:
    """An OIDC client. ``id`` is the internal UUID, ``client_id`` the public identifier."""

    id: str
    realm_id: str
    client_id: str
    name: str | None = None
    description: str | None = None
    enabled: bool = True
    public_client: bool = False
    bearer_only: bool = False
    # Plain: Keycloak returns it from GET client-secret, so it cannot be hashed.
    secret: str | None = None
    client_authenticator_type: str = "client-secret"
    root_url: str | None = None
    base_url: str | None = None
    admin_url: str | None = None
    redirect_uris: tuple[str, ...] = ()
    web_origins: tuple[str, ...] = ()
    standard_flow_enabled: bool = True
    implicit_flow_enabled: bool = False
    direct_access_grants_enabled: bool = False
    service_accounts_enabled: bool = False
    consent_required: bool = False
    frontchannel_logout: bool = True
    full_scope_allowed: bool = True
    surrogate_auth_required: bool = False
    always_display_in_console: bool = False
    node_re_registration_timeout: int = -1
    not_before: int = 0
    protocol: str = "openid-connect"
    attributes: Mapping[str, str] = field(default_factory=dict)
    protocol_mappers: tuple[ProtocolMapper, ...] = ()
    # Client scope *names* attached as default / optional scopes.
    default_client_scopes: tuple[str, ...] = ()
    optional_client_scopes: tuple[str, ...] = ()
    # Role ids in this client's scope mappings (used when full_scope_allowed is false).
    scope_role_ids: tuple[str, ...] = ()
