"""What every OAuth 2.0 connector shares, whatever it reads the user from afterwards.

Keycloak's ``AbstractOAuth2IdentityProvider`` is the base of its OIDC provider and of its
social providers (GitHub ...): the authorization redirect, the code exchange with the
configured client authentication, refresh of a stored token and the (optional) logout URL are
the same for all of them; only how the identity is obtained after the code exchange differs
(ID token + userinfo for OIDC, a profile API for GitHub). ``OAuth2Connector`` holds the shared
part; a subclass adds ``handle_callback``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import httpx

from realmgate.broker.connector import ClientRequest, UpstreamLogin
from realmgate.broker.errors import UpstreamError, UpstreamErrorKind
from realmgate.broker.oidc.config import OIDCConfig
from realmgate.broker.oidc.keys import UpstreamKeyCache
from realmgate.broker.oidc.login_request import build_login_request
from realmgate.broker.oidc.token_client import ACCESS_TOKEN_EXPIRATION, TokenClient
from realmgate.broker.upstream_logout import backchannel_logout, upstream_logout_url
from realmgate.clock import Clock
from realmgate.crypto.secrets import Randomness
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.keys import RealmKey


@dataclass(frozen=True, slots=True)
class ConnectorDeps:
    """Process-wide parts a connector uses; built once by the composition root.

    ``realm_keys`` and ``assertion_lifespan`` (the realm's access-code lifespan) are per
    realm: only ``private_key_jwt`` needs them.
    """

    http: httpx.AsyncClient
    keys: UpstreamKeyCache
    clock: Clock
    ids: Randomness
    realm_keys: Sequence[RealmKey] = field(default_factory=tuple)
    assertion_lifespan: int = 60


def text_claim(claims: Mapping[str, object] | None, name: str) -> str | None:
    """A non-empty string member of an upstream JSON object, else None."""
    value = claims.get(name) if claims is not None else None
    return value if isinstance(value, str) and value else None


def split_name(name: str | None) -> tuple[str | None, str | None]:
    """Keycloak's ``BrokeredIdentityContext.setName``: the last word is the last name."""
    if not name:
        return None, None
    first, _, last = name.rpartition(" ")
    return (first, last) if first else (last, None)


class OAuth2Connector:
    """The capabilities every OAuth 2.0 provider has; ``cfg`` is its typed config."""

    def __init__(self, idp: IdentityProvider, deps: ConnectorDeps, cfg: OIDCConfig) -> None:
        self.idp = idp
        self.cfg = cfg
        self._deps = deps
        self._tokens = TokenClient(
            deps.http,
            cfg,
            deps.clock,
            deps.ids,
            realm_keys=deps.realm_keys,
            assertion_lifespan=deps.assertion_lifespan,
        )

    @property
    def backchannel_supported(self) -> bool:
        return self.cfg.backchannel_supported

    def login_url(self, client: ClientRequest, *, redirect_uri: str) -> UpstreamLogin:
        return build_login_request(self.cfg, redirect_uri=redirect_uri, client=client, ids=self._deps.ids)

    def needs_refresh(self, stored_token: str, *, now: float) -> bool:
        expiration = _stored(stored_token).get(ACCESS_TOKEN_EXPIRATION)
        if not isinstance(expiration, int | float) or isinstance(expiration, bool) or expiration <= 0:
            return False
        return now + self.cfg.min_validity_token >= expiration

    async def refresh(self, stored_token: str) -> str:
        return (await self._tokens.refresh(_stored(stored_token))).to_json()

    def logout_url(self, *, id_token: str | None, state: str, post_logout_redirect_uri: str) -> str | None:
        return upstream_logout_url(
            self.cfg, id_token=id_token, state=state, post_logout_redirect_uri=post_logout_redirect_uri
        )

    async def backchannel_logout(self, *, id_token: str | None, state: str) -> bool:
        return await backchannel_logout(self._deps.http, self.cfg, id_token=id_token, state=state)


def _stored(stored_token: str) -> dict[str, object]:
    try:
        value = json.loads(stored_token)
    except ValueError:
        raise UpstreamError(UpstreamErrorKind.BAD_JSON, "stored token") from None
    if not isinstance(value, dict):
        raise UpstreamError(UpstreamErrorKind.BAD_JSON, "stored token")
    return value
