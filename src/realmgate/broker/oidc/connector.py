"""The OpenID Connect connector: Keycloak's ``OIDCIdentityProvider`` and, with
``providerId=keycloak-oidc``, ``KeycloakOIDCIdentityProvider`` (access token read as a JWT,
``client_session_state`` sent with the code)."""

from __future__ import annotations

from collections.abc import Mapping

from realmgate.broker.connector import BrokeredIdentity, UpstreamLogin
from realmgate.broker.oidc.config import parse_config
from realmgate.broker.oidc.id_token import (
    check_claim_filter,
    check_nonce,
    validate_access_token,
    validate_id_token,
)
from realmgate.broker.oidc.oauth2 import ConnectorDeps, OAuth2Connector, split_name, text_claim
from realmgate.broker.oidc.token_client import TokenResponse
from realmgate.broker.oidc.userinfo import fetch_userinfo, wants_userinfo
from realmgate.model.identity_provider import IdentityProvider


def _verified(claims: Mapping[str, object], name: str) -> bool | None:
    value = claims.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


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
    first, last = text_claim(source, "given_name"), text_claim(source, "family_name")
    if first is None and last is None:
        first, last = split_name(text_claim(source, "name"))
    email = text_claim(source, "email")
    session = text_claim(id_claims, "sid") or tokens.session_state
    return BrokeredIdentity(
        alias=idp.alias,
        provider_id=idp.provider_id,
        id=sub,
        username=text_claim(source, "preferred_username") or email or sub,
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


class OIDCConnector(OAuth2Connector):
    """One configured OIDC identity provider (implements ``IdentityConnector``)."""

    def __init__(self, idp: IdentityProvider, deps: ConnectorDeps) -> None:
        super().__init__(idp, deps, parse_config(idp.provider_id, idp.config))

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
