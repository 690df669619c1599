"""Connectors by Keycloak ``providerId``: the one place that knows which provider types exist.

The admin API lists them (``providers/{id}``), parses ``import-config`` documents and validates
configs through this table; the web layer builds connectors with ``create_connector``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from realmgate.broker.connector import IdentityConnector
from realmgate.broker.errors import UnknownProvider
from realmgate.broker.github import config as github
from realmgate.broker.github.connector import GitHubConnector
from realmgate.broker.oidc.config import KEYCLOAK_OIDC, OIDC, validate_config
from realmgate.broker.oidc.connector import OIDCConnector
from realmgate.broker.oidc.discovery import parse_discovery
from realmgate.broker.oidc.oauth2 import ConnectorDeps
from realmgate.model.identity_provider import IdentityProvider


class ConfigValidator(Protocol):
    def __call__(self, provider_id: str, config: Mapping[str, str], *, ssl_required: str = ...) -> None: ...


@dataclass(frozen=True, slots=True)
class ProviderType:
    """One kind of identity provider: its Keycloak id and name, how to build a connector, how
    to validate a config on save, and how ``import-config`` reads a metadata document.
    ``social`` marks Keycloak's ``SocialIdentityProvider`` types (GitHub ...), which server info
    lists apart and the account console shows as social links."""

    id: str
    name: str
    create: Callable[[IdentityProvider, ConnectorDeps], IdentityConnector]
    validate: ConfigValidator
    parse_metadata: Callable[[bytes | str | Mapping[str, object]], dict[str, str | None]]
    social: bool = False

    def info(self) -> dict[str, str]:
        """``GET /admin/realms/{r}/identity-provider/providers/{id}``."""
        return {"id": self.id, "name": self.name}

    def server_info(self) -> dict[str, str]:
        """An entry of server info's ``identityProviders`` / ``socialProviders``."""
        return {"groupName": "Social" if self.social else "User-defined", "name": self.name, "id": self.id}


PROVIDER_TYPES: Mapping[str, ProviderType] = {
    OIDC: ProviderType(OIDC, "OpenID Connect v1.0", OIDCConnector, validate_config, parse_discovery),
    KEYCLOAK_OIDC: ProviderType(
        KEYCLOAK_OIDC, "Keycloak OpenID Connect", OIDCConnector, validate_config, parse_discovery
    ),
    github.GITHUB: ProviderType(
        github.GITHUB,
        "GitHub",
        GitHubConnector,
        github.validate_github_config,
        github.parse_metadata,
        social=True,
    ),
}


def provider_type(provider_id: str) -> ProviderType:
    try:
        return PROVIDER_TYPES[provider_id]
    except KeyError:
        # Keycloak's RepresentationToModel text, which create and update answer with (400).
        raise UnknownProvider(f"Invalid identity provider id [{provider_id}]") from None


def create_connector(idp: IdentityProvider, deps: ConnectorDeps) -> IdentityConnector:
    """A connector for this configured provider; ``ConfigInvalid`` if its config is unusable."""
    return provider_type(idp.provider_id).create(idp, deps)
