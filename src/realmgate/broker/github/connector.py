"""The GitHub connector: OAuth 2.0 code flow (shared with OIDC), then GitHub's REST API.

GitHub issues no ID token: who the user is comes from ``GET {apiUrl}/user`` with the access
token. ``id`` (a number) is the stable upstream id, ``login`` the username, ``name`` is split
into first and last name. A profile without a public email falls back to
``GET {apiUrl}/user/emails`` (needs the ``user:email`` scope) and takes the address that is both
primary and verified; unlike Keycloak, which takes the primary address even when unverified and
fails the login when there is none, an unverified primary gives no email (the first-login
review asks for one) so an address nobody proved can never link an existing account.
The whole profile is kept as the identity's userinfo claims, where the username template
(``${CLAIM.login}``) and ``github-user-attribute-mapper`` read it.
"""

from __future__ import annotations

from collections.abc import Mapping

from realmgate.broker.connector import BrokeredIdentity, UpstreamLogin
from realmgate.broker.errors import UpstreamError, UpstreamErrorKind
from realmgate.broker.github.config import parse_github_config
from realmgate.broker.oidc.oauth2 import ConnectorDeps, OAuth2Connector, split_name, text_claim
from realmgate.broker.oidc.token_client import TokenResponse
from realmgate.broker.upstream import UpstreamResponse, call
from realmgate.model.identity_provider import IdentityProvider

PROFILE = "profile endpoint"
EMAILS = "emails endpoint"
# GitHub's documented media type for its REST API.
ACCEPT = "application/vnd.github+json"


def primary_verified_email(emails: list[object]) -> str | None:
    """The address GitHub marks ``primary`` and ``verified``, if there is one."""
    for item in emails:
        if isinstance(item, Mapping) and item.get("primary") is True and item.get("verified") is True:
            return text_claim(item, "email")
    return None


def profile_id(profile: Mapping[str, object]) -> str:
    """``id`` as text (GitHub sends a number; Keycloak reads it with ``asText``)."""
    value = profile.get("id")
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        raise UpstreamError(UpstreamErrorKind.BAD_RESPONSE, PROFILE)
    return str(value)


def identity_from_profile(
    idp: IdentityProvider,
    profile: Mapping[str, object],
    *,
    email: str | None,
    email_verified: bool | None,
    tokens: TokenResponse,
) -> BrokeredIdentity:
    """Keycloak's ``extractIdentityFromProfile``: id, login, name and email."""
    upstream_id = profile_id(profile)
    first, last = split_name(text_claim(profile, "name"))
    return BrokeredIdentity(
        alias=idp.alias,
        provider_id=idp.provider_id,
        id=upstream_id,
        username=text_claim(profile, "login") or upstream_id,
        email=email,
        email_verified=email_verified,
        first_name=first,
        last_name=last,
        userinfo_claims=dict(profile),
        token=tokens.to_json(),
    )


class GitHubConnector(OAuth2Connector):
    """One configured GitHub (or GitHub Enterprise Server) provider (an ``IdentityConnector``)."""

    def __init__(self, idp: IdentityProvider, deps: ConnectorDeps) -> None:
        github = parse_github_config(idp.provider_id, idp.config)
        super().__init__(idp, deps, github.oauth2)
        self.github = github

    async def _api(self, url: str, access_token: str, what: str) -> UpstreamResponse:
        headers = {"Authorization": f"Bearer {access_token}", "Accept": ACCEPT}
        return await call(self._deps.http, "GET", url, what=what, headers=headers)

    async def handle_callback(self, code: str, login: UpstreamLogin) -> BrokeredIdentity:
        """Code exchange, the profile, and the emails list when the profile shows no email."""
        tokens = await self._tokens.exchange_code(
            code, redirect_uri=login.redirect_uri, code_verifier=login.code_verifier
        )
        profile = (await self._api(self.github.profile_url, tokens.access_token, PROFILE)).json_object(PROFILE)
        email = text_claim(profile, "email")
        verified: bool | None = None  # GitHub shows only a verified address as the public one
        if email is None:
            emails = (await self._api(self.github.emails_url, tokens.access_token, EMAILS)).json_array(EMAILS)
            email = primary_verified_email(emails)
            verified = True if email is not None else None
        return identity_from_profile(self.idp, profile, email=email, email_verified=verified, tokens=tokens)
