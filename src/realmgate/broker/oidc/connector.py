"""The OpenID Connect connector: Keycloak's ``OIDCIdentityProvider`` and, with
``providerId=keycloak-oidc``, ``KeycloakOIDCIdentityProvider`` (access token read as a JWT,
``client_session_state`` sent with the code)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import httpx

from realmgate.broker.connector import BrokeredIdentity, ClientRequest, UpstreamLogin
from realmgate.broker.errors import UpstreamError, UpstreamErrorKind
from realmgate.broker.logout import backchannel_logout, upstream_logout_url
from realmgate.broker.oidc.config import OIDCConfig, parse_config
from realmgate.broker.oidc.id_token import (
    check_claim_filter,
    check_nonce,
    validate_access_token,
    validate_id_token,
)
from realmgate.broker.oidc.keys import UpstreamKeyCache
from realmgate.broker.oidc.login_request import build_login_request
from realmgate.broker.oidc.token_client import ACCESS_TOKEN_EXPIRATION, TokenClient, TokenResponse
from realmgate.broker.oidc.userinfo import fetch_userinfo, wants_userinfo
from realmgate.clock import Clock
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
    realm_keys: Sequence[RealmKey] = field(default_factory=tuple)
    assertion_lifespan: int = 60


def _text(claims: Mapping[str, object] | None, name: str) -> str | None:
    value = claims.get(name) if claims is not None else None
    return value if isinstance(value, str) and value else None


def _verified(claims: Mapping[str, object], name: str) -> bool | None:
    value = claims.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _split_name(name: str | None) -> tuple[str | None, str | None]:
    """Keycloak's ``setName``: the last word is the last name."""
    if not name:
        return None, None
    first, _, last = name.rpartition(" ")
    return (first, last) if first else (last, None)


def build_identity(
    idp: IdentityProvider,
    *,
    id_claims: Mapping[str, object],
    userinfo: Mapping[str, object] | None,
    access_claims: Mapping[str, object] | None,
    tokens: TokenResponse,
) -> BrokeredIdentity:
    """The identity as Keycloak extracts it: userinfo, when called, replaces the ID token's
    profile claims; username is preferred_username, else email, else sub."""
    source = userinfo if userinfo is not None else id_claims
    sub = str(id_claims["sub"])
    first, last = _text(source, "given_name"), _text(source, "family_name")
    if first is None and last is None:
        first, last = _split_name(_text(source, "name"))
    email = _text(source, "email")
    session = _text(id_claims, "sid") or tokens.session_state
    return BrokeredIdentity(
        alias=idp.alias,
        provider_id=idp.provider_id,
        id=sub,
        username=_text(source, "preferred_username") or email or sub,
        email=email,
        email_verified=_verified(source, "email_verified"),
        first_name=first,
        last_name=last,
        id_token_claims=dict(id_claims),
        userinfo_claims=dict(userinfo) if userinfo is not None else None,
        access_token_claims=dict(access_claims) if access_claims is not None else None,
        token=tokens.to_json(),
        id_token=tokens.id_token,
        session_id=session,
    )


class OIDCConnector:
    """One configured OIDC identity provider (implements ``IdentityConnector``)."""

    def __init__(self, idp: IdentityProvider, deps: ConnectorDeps) -> None:
        self.idp = idp
        self.cfg: OIDCConfig = parse_config(idp.provider_id, idp.config)
        self._deps = deps
        self._tokens = TokenClient(
            deps.http,
            self.cfg,
            deps.clock,
            realm_keys=deps.realm_keys,
            assertion_lifespan=deps.assertion_lifespan,
        )

    @property
    def backchannel_supported(self) -> bool:
        return self.cfg.backchannel_supported

    def login_url(self, client: ClientRequest, *, redirect_uri: str) -> UpstreamLogin:
        return build_login_request(self.cfg, redirect_uri=redirect_uri, client=client)

    async def handle_callback(self, code: str, login: UpstreamLogin) -> BrokeredIdentity:
        """Code exchange, then the checks in Keycloak's order (reference §4.2)."""
        cfg, deps, internal_id = self.cfg, self._deps, self.idp.internal_id
        tokens = await self._tokens.exchange_code(
            code, redirect_uri=login.redirect_uri, code_verifier=login.code_verifier
        )
        now = deps.clock()
        id_claims = await validate_id_token(
            tokens.id_token, cfg=cfg, internal_id=internal_id, keys=deps.keys, now=now, max_age=login.max_age
        )
        access_claims = None
        if cfg.is_access_token_jwt:
            access_claims = await validate_access_token(
                tokens.access_token, cfg=cfg, internal_id=internal_id, keys=deps.keys, now=now
            )
        userinfo = None
        if wants_userinfo(cfg):
            userinfo = await fetch_userinfo(
                deps.http,
                cfg=cfg,
                access_token=tokens.access_token,
                internal_id=internal_id,
                keys=deps.keys,
                expected_sub=str(id_claims["sub"]),
            )
        check_claim_filter(id_claims, cfg)
        check_nonce(id_claims, login.nonce, cfg)
        return build_identity(
            self.idp, id_claims=id_claims, userinfo=userinfo, access_claims=access_claims, tokens=tokens
        )

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
