"""Users, their credentials and their links to upstream identity providers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Keycloak's built-in required-action ids (``User.required_actions`` holds these names).
UPDATE_PASSWORD = "UPDATE_PASSWORD"
CONFIGURE_TOTP = "CONFIGURE_TOTP"
TERMS_AND_CONDITIONS = "TERMS_AND_CONDITIONS"
UPDATE_PROFILE = "UPDATE_PROFILE"
VERIFY_EMAIL = "VERIFY_EMAIL"


@dataclass(frozen=True, slots=True)
class User:
    """A realm user. ``username`` and ``email`` are stored lower-cased, as Keycloak does."""

    id: str
    realm_id: str
    username: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    enabled: bool = True
    email_verified: bool = False
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    required_actions: tuple[str, ...] = ()
    created_timestamp: int = 0  # epoch milliseconds
    # Internal id of the client whose service account this user is.
    service_account_client_id: str | None = None
    not_before: int = 0


@dataclass(frozen=True, slots=True)
class Credential:
    """A stored credential. ``secret_data``/``credential_data`` are JSON strings in Keycloak's format."""

    id: str
    user_id: str
    type: str
    secret_data: str
    credential_data: str
    created_date: int = 0  # epoch milliseconds
    user_label: str | None = None
    priority: int = 10


@dataclass(frozen=True, slots=True)
class FederatedIdentity:
    """A link between a local user and an account at an upstream identity provider."""

    realm_id: str
    user_id: str
    identity_provider: str  # alias
    idp_user_id: str  # upstream ``sub``
    idp_username: str
    token: str | None = None  # upstream token response JSON when the provider stores tokens
