"""A realm: an isolated space of users, clients and keys, with Keycloak's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Realm:
    """Realm settings. Defaults are Keycloak's for a new realm (master overrides the AT lifespan)."""

    id: str
    name: str
    enabled: bool = True
    display_name: str | None = None
    display_name_html: str | None = None
    ssl_required: str = "external"
    access_token_lifespan: int = 300
    access_token_lifespan_for_implicit_flow: int = 900
    access_code_lifespan: int = 60
    access_code_lifespan_user_action: int = 300
    access_code_lifespan_login: int = 1800
    sso_session_idle_timeout: int = 1800
    sso_session_max_lifespan: int = 36000
    offline_session_idle_timeout: int = 2592000
    revoke_refresh_token: bool = False
    refresh_token_max_reuse: int = 0
    registration_allowed: bool = False
    registration_email_as_username: bool = False
    remember_me: bool = False
    verify_email: bool = False
    login_with_email_allowed: bool = True
    duplicate_emails_allowed: bool = False
    reset_password_allowed: bool = False
    edit_username_allowed: bool = False
    not_before: int = 0
    password_policy: str | None = None
    default_signature_algorithm: str = "RS256"
    # Internal id of the realm's ``default-roles-{realm}`` composite role.
    default_role_id: str | None = None
    # Names of client scopes added to every new client (default / optional).
    default_default_client_scopes: tuple[str, ...] = ()
    default_optional_client_scopes: tuple[str, ...] = ()
    events_enabled: bool = False
    events_expiration: int | None = None
    enabled_event_types: tuple[str, ...] = ()
    admin_events_enabled: bool = False
    admin_events_details_enabled: bool = False
    attributes: Mapping[str, str] = field(default_factory=dict)
    # Every other setting of Keycloak's RealmRepresentation, by its Keycloak JSON name, as JSON
    # values (brute force, OTP and WebAuthn policies, flows, required actions, SMTP, client
    # policies, themes, ...). Stored so clients read back what they wrote; which of them realmgate
    # acts on is listed in keycloak/unenforced.py. Only the values set so far are kept here;
    # Keycloak's defaults for the rest are added when the realm is shown.
    extra_settings: Mapping[str, object] = field(default_factory=dict)
