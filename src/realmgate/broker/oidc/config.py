"""A typed, validated view of an OIDC identity provider's config map.

Keycloak stores every setting as a string in ``IdentityProvider.config``; this module reads
that map once, with Keycloak's defaults, so the rest of the broker works with typed values.
``validate_config`` gives the admin API the same 400 messages Keycloak gives on save.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from realmgate.broker.errors import ConfigInvalid

OIDC = "oidc"
KEYCLOAK_OIDC = "keycloak-oidc"
OIDC_PROVIDER_IDS = (OIDC, KEYCLOAK_OIDC)

CLIENT_AUTH_METHODS = ("client_secret_post", "client_secret_basic", "client_secret_jwt", "private_key_jwt")
PKCE_METHODS = ("plain", "S256")
SYNC_MODES = ("LEGACY", "IMPORT", "FORCE")


def _flag(config: Mapping[str, str], key: str, default: bool = False) -> bool:
    """Keycloak's ``Boolean.parseBoolean``: only ``"true"`` (any case) is true."""
    value = config.get(key)
    if value is None or value == "":
        return default
    return value.strip().lower() == "true"


def _int(config: Mapping[str, str], key: str, default: int) -> int:
    """Keycloak ignores an unparsable number and uses the default."""
    try:
        return int(config.get(key) or default)
    except ValueError:
        return default


def _text(config: Mapping[str, str], key: str) -> str | None:
    value = config.get(key)
    return value.strip() if value and value.strip() else None


def _scope_with_openid(scope: str | None) -> str:
    parts = (scope or "").split()
    if "openid" not in parts:
        parts.insert(0, "openid")
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class OIDCConfig:
    """The settings of one OIDC identity provider (reference §1.2-1.5), typed."""

    provider_id: str
    authorization_url: str
    token_url: str
    client_id: str
    client_secret: str | None = None
    client_auth_method: str = "client_secret_post"
    client_assertion_signing_alg: str | None = None
    client_assertion_audience: str | None = None
    user_info_url: str | None = None
    token_introspection_url: str | None = None
    logout_url: str | None = None
    backchannel_supported: bool = False
    send_id_token_on_logout: bool = True
    send_client_id_on_logout: bool = False
    disable_user_info: bool = False
    issuers: tuple[str, ...] = ()
    default_scope: str = "openid"
    prompt: str | None = None
    validate_signature: bool = False
    use_jwks_url: bool = False
    jwks_url: str | None = None
    public_key_signature_verifier: str | None = None
    public_key_signature_verifier_key_id: str | None = None
    pkce_enabled: bool = False
    pkce_method: str | None = None
    sync_mode: str = "LEGACY"
    gui_order: str | None = None
    login_hint: bool = False
    pass_max_age: bool = False
    ui_locales: bool = False
    forward_parameters: tuple[str, ...] = ("acr_values",)
    allowed_clock_skew: int = 0
    disable_nonce: bool = False
    is_access_token_jwt: bool = False
    filtered_by_claim: bool = False
    claim_filter_name: str | None = None
    claim_filter_value: str | None = None
    accepts_prompt_none_forward_from_client: bool = False
    case_sensitive_original_username: bool = False
    show_in_account_console: str = "ALWAYS"
    min_validity_token: int = 5
    requires_short_state_parameter: bool = False
    metadata_descriptor_url: str | None = None

    @property
    def is_keycloak(self) -> bool:
        return self.provider_id == KEYCLOAK_OIDC


def parse_config(provider_id: str, config: Mapping[str, str]) -> OIDCConfig:
    """Read a stored config map. Raises ``ConfigInvalid`` only for what makes the provider
    unusable at runtime (no authorization/token URL, no client id); ``validate_config`` is the
    stricter check run on save."""
    if provider_id not in OIDC_PROVIDER_IDS:
        raise ConfigInvalid(f"Not an OpenID Connect provider: {provider_id}")
    authorization_url = _text(config, "authorizationUrl")
    token_url = _text(config, "tokenUrl")
    if authorization_url is None or token_url is None:
        raise ConfigInvalid("The identity provider is missing its authorization URL, token URL or client ID")
    return read_oauth2_config(
        provider_id,
        config,
        authorization_url=authorization_url,
        token_url=token_url,
        user_info_url=_text(config, "userInfoUrl"),
        default_scope=_scope_with_openid(config.get("defaultScope")),
    )


def read_oauth2_config(
    provider_id: str,
    config: Mapping[str, str],
    *,
    authorization_url: str,
    token_url: str,
    user_info_url: str | None,
    default_scope: str,
) -> OIDCConfig:
    """The settings every OAuth 2.0 provider shares (Keycloak's ``OAuth2IdentityProviderConfig``,
    which ``OIDCIdentityProviderConfig`` extends), read from ``config``; the endpoints and the
    default scope come from the caller, because a social provider derives them (GitHub: from
    ``baseUrl``/``apiUrl``) where an OIDC provider stores them."""
    client_id = _text(config, "clientId")
    if client_id is None:
        raise ConfigInvalid("The identity provider is missing its authorization URL, token URL or client ID")
    issuer = _text(config, "issuer") or ""
    forward = config.get("forwardParameters")
    method = _text(config, "clientAuthMethod") or "client_secret_post"
    sync_mode = (_text(config, "syncMode") or "LEGACY").upper()
    return OIDCConfig(
        provider_id=provider_id,
        authorization_url=authorization_url,
        token_url=token_url,
        client_id=client_id,
        client_secret=config.get("clientSecret") or None,
        client_auth_method=method,
        client_assertion_signing_alg=_text(config, "clientAssertionSigningAlg"),
        client_assertion_audience=_text(config, "clientAssertionAudience"),
        user_info_url=user_info_url,
        token_introspection_url=_text(config, "tokenIntrospectionUrl"),
        logout_url=_text(config, "logoutUrl"),
        backchannel_supported=_flag(config, "backchannelSupported"),
        send_id_token_on_logout=_flag(config, "sendIdTokenOnLogout", default=True),
        send_client_id_on_logout=_flag(config, "sendClientIdOnLogout"),
        disable_user_info=_flag(config, "disableUserInfo"),
        issuers=tuple(i.strip() for i in issuer.split(",") if i.strip()),
        default_scope=default_scope,
        prompt=_text(config, "prompt"),
        validate_signature=_flag(config, "validateSignature"),
        use_jwks_url=_flag(config, "useJwksUrl"),
        jwks_url=_text(config, "jwksUrl"),
        public_key_signature_verifier=_text(config, "publicKeySignatureVerifier"),
        public_key_signature_verifier_key_id=_text(config, "publicKeySignatureVerifierKeyId"),
        pkce_enabled=_flag(config, "pkceEnabled"),
        pkce_method=_text(config, "pkceMethod"),
        sync_mode=sync_mode if sync_mode in SYNC_MODES else "LEGACY",
        gui_order=_text(config, "guiOrder"),
        login_hint=_flag(config, "loginHint"),
        pass_max_age=_flag(config, "passMaxAge"),
        ui_locales=_flag(config, "uiLocales"),
        forward_parameters=(
            ("acr_values",) if forward is None else tuple(p.strip() for p in forward.split(",") if p.strip())
        ),
        allowed_clock_skew=max(0, _int(config, "allowedClockSkew", 0)),
        disable_nonce=_flag(config, "disableNonce"),
        # keycloak-oidc always reads the upstream's access token as a JWT (roles live there).
        is_access_token_jwt=provider_id == KEYCLOAK_OIDC or _flag(config, "isAccessTokenJWT"),
        filtered_by_claim=_flag(config, "filteredByClaim"),
        claim_filter_name=_text(config, "claimFilterName"),
        claim_filter_value=config.get("claimFilterValue") or None,
        accepts_prompt_none_forward_from_client=_flag(config, "acceptsPromptNoneForwardFromClient"),
        case_sensitive_original_username=_flag(config, "caseSensitiveOriginalUsername"),
        show_in_account_console=_text(config, "showInAccountConsole") or "ALWAYS",
        min_validity_token=_int(config, "minValidityToken", 5),
        requires_short_state_parameter=_flag(config, "requiresShortStateParameter"),
        metadata_descriptor_url=_text(config, "metadataDescriptorUrl"),
    )


def _is_local_host(host: str) -> bool:
    """Keycloak's ``sslRequired=external`` test without a DNS lookup: loopback and private
    addresses, ``localhost``, and single-label intranet names (``keycloak-slave``) are local."""
    if host == "localhost" or host.endswith(".localhost") or "." not in host.strip("[]"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def check_url(ssl_required: str, url: str | None, name: str) -> None:
    """Keycloak's ``UriUtils.checkUrl``: same rules, same messages."""
    if url is None:
        return
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise ConfigInvalid(f"The url [{name}] is malformed") from None
    if not parts.scheme or not host:
        raise ConfigInvalid(f"The url [{name}] is malformed")
    if parts.scheme.lower() not in ("http", "https"):
        raise ConfigInvalid(f"Invalid protocol/scheme for url [{name}]")
    if parts.scheme.lower() == "http" and (
        ssl_required == "all" or (ssl_required == "external" and not _is_local_host(host))
    ):
        raise ConfigInvalid(f"The url [{name}] requires secure connections")


def validate_config(provider_id: str, config: Mapping[str, str], *, ssl_required: str = "external") -> None:
    """The checks Keycloak runs when an administrator saves the provider (400 on failure)."""
    if provider_id not in OIDC_PROVIDER_IDS:
        raise ConfigInvalid(f"Invalid identity provider type: {provider_id}")
    for key, name in (("authorizationUrl", "authorization_url"), ("tokenUrl", "token_url")):
        if _text(config, key) is None:
            raise ConfigInvalid(f"The url [{name}] is required")
    for key, name in (
        ("authorizationUrl", "authorization_url"),
        ("tokenUrl", "token_url"),
        ("userInfoUrl", "userinfo_url"),
        ("tokenIntrospectionUrl", "tokenIntrospection_url"),
        ("jwksUrl", "jwks_url"),
        ("logoutUrl", "logout_url"),
    ):
        check_url(ssl_required, _text(config, key), name)
    if _flag(config, "validateSignature"):
        if _flag(config, "useJwksUrl"):
            if _text(config, "jwksUrl") is None:
                raise ConfigInvalid(
                    "JWKS URL is required when 'Validate signatures' enabled and 'Use JWKS URL' enabled"
                )
        elif _text(config, "publicKeySignatureVerifier") is None:
            raise ConfigInvalid(
                "The 'Validating public key' is required when 'Validate signatures' enabled and 'Use JWKS URL' disabled"
            )
    validate_oauth2_config(config)


def validate_oauth2_config(config: Mapping[str, str]) -> None:
    """The save-time checks of the settings every OAuth 2.0 provider shares (PKCE, client
    authentication, sync mode, numbers); each provider type checks its own URLs first."""
    if _flag(config, "pkceEnabled") and config.get("pkceMethod") not in PKCE_METHODS:
        raise ConfigInvalid(f"PKCE Method not supported: {config.get('pkceMethod')}")
    method = _text(config, "clientAuthMethod")
    if method is not None and method not in CLIENT_AUTH_METHODS:
        raise ConfigInvalid(f"Unsupported client authentication method: {method}")
    sync_mode = _text(config, "syncMode")
    if sync_mode is not None and sync_mode.upper() not in SYNC_MODES:
        raise ConfigInvalid(f"Invalid sync mode: {sync_mode}")
    for key in ("allowedClockSkew", "minValidityToken"):
        value = _text(config, key)
        if value is not None and not value.lstrip("-").isdigit():
            raise ConfigInvalid(f"Invalid number for {key}: {value}")


SECRET_MASK = "**********"
_SECRET_KEYS = ("clientSecret",)
# Where the client secret is sent or how it is used: changing any of these with the mask would
# hand the stored secret to a new destination (Keycloak CVE, issue #50945).
# ``baseUrl`` is where a GitHub provider's token URL lives.
_SECRET_DESTINATION_KEYS = ("tokenUrl", "baseUrl", "clientId", "clientAuthMethod", "tokenIntrospectionUrl")


def _is_vault_reference(value: str) -> bool:
    return value.startswith("${vault.") and value.endswith("}")


def mask_config(config: Mapping[str, str]) -> dict[str, str]:
    """The config as the admin API returns it: secrets replaced by ``**********``
    (a vault reference is not a secret and is shown as is)."""
    masked = dict(config)
    for key in _SECRET_KEYS:
        value = masked.get(key)
        if value and not _is_vault_reference(value):
            masked[key] = SECRET_MASK
    return masked


def merge_secret_on_update(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, str]:
    """The config to store when an admin PUTs ``new`` over ``old``.

    A secret sent back as the mask means "unchanged" and keeps the stored one, unless a
    destination of the secret (token URL, client id, auth method, introspection URL) changed in
    the same update: then the mask is refused, so the secret must be typed again.
    """
    merged = dict(new)
    for key in _SECRET_KEYS:
        if merged.get(key) != SECRET_MASK:
            continue
        moved = [k for k in _SECRET_DESTINATION_KEYS if (old.get(k) or "") != (new.get(k) or "")]
        if moved:
            raise ConfigInvalid(f"The client secret must be entered again when {', '.join(moved)} changes")
        if old.get(key):
            merged[key] = old[key]
        else:
            del merged[key]
    return merged
