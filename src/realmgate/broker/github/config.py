"""A GitHub provider's config: the OAuth 2.0 settings it shares with OIDC, its URLs derived
from ``baseUrl`` (web) and ``apiUrl`` (REST API), as Keycloak's ``GitHubIdentityProvider`` does.

On github.com the defaults apply; a GitHub Enterprise Server sets ``baseUrl`` to
``https://HOST`` and ``apiUrl`` to ``https://HOST/api/v3``. An admin's ``authorizationUrl``,
``tokenUrl`` or ``userInfoUrl`` in the map are ignored (Keycloak overwrites them too), and so are
the OIDC-only logout settings: GitHub has no logout endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from realmgate.broker.errors import ConfigInvalid
from realmgate.broker.oidc.config import OIDCConfig, check_url, read_oauth2_config, validate_oauth2_config

GITHUB = "github"
DEFAULT_BASE_URL = "https://github.com"
DEFAULT_API_URL = "https://api.github.com"
AUTHORIZE_PATH = "/login/oauth/authorize"
TOKEN_PATH = "/login/oauth/access_token"
PROFILE_PATH = "/user"
EMAILS_PATH = "/user/emails"
DEFAULT_SCOPE = "user:email"
BASE_URL = "baseUrl"
API_URL = "apiUrl"


@dataclass(frozen=True, slots=True)
class GitHubConfig:
    """``oauth2`` drives the redirect, code exchange and refresh; ``profile_url`` and
    ``emails_url`` are read after the exchange."""

    oauth2: OIDCConfig
    profile_url: str
    emails_url: str


def _url(config: Mapping[str, str], key: str, default: str) -> str:
    """Keycloak's ``getUrlFromConfig``: blank means the default; one trailing slash is dropped."""
    url = (config.get(key) or "").strip() or default
    return url[:-1] if url.endswith("/") else url


def parse_github_config(provider_id: str, config: Mapping[str, str]) -> GitHubConfig:
    """The typed config; ``ConfigInvalid`` when it cannot work (no client id)."""
    if provider_id != GITHUB:
        raise ConfigInvalid(f"Not a GitHub provider: {provider_id}")
    base, api = _url(config, BASE_URL, DEFAULT_BASE_URL), _url(config, API_URL, DEFAULT_API_URL)
    oauth2 = read_oauth2_config(
        provider_id,
        config,
        authorization_url=base + AUTHORIZE_PATH,
        token_url=base + TOKEN_PATH,
        user_info_url=api + PROFILE_PATH,
        default_scope=(config.get("defaultScope") or "").strip() or DEFAULT_SCOPE,
    )
    oauth2 = replace(oauth2, logout_url=None, backchannel_supported=False, token_introspection_url=None)
    return GitHubConfig(oauth2=oauth2, profile_url=api + PROFILE_PATH, emails_url=api + EMAILS_PATH)


def validate_github_config(provider_id: str, config: Mapping[str, str], *, ssl_required: str = "external") -> None:
    """On save: the two URLs follow the realm's ``sslRequired`` like every provider URL, then the
    shared OAuth 2.0 checks. A missing client id is allowed, as in Keycloak (the login fails)."""
    if provider_id != GITHUB:
        raise ConfigInvalid(f"Invalid identity provider type: {provider_id}")
    for key in (BASE_URL, API_URL):
        value = (config.get(key) or "").strip()
        check_url(ssl_required, value or None, key)
    validate_oauth2_config(config)


def parse_metadata(document: bytes | str | Mapping[str, object]) -> dict[str, str | None]:
    """``import-config`` for GitHub: there is no metadata document to read, so, as Keycloak's
    factory does, nothing is imported."""
    return {}
