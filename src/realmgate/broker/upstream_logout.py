"""Logout in both directions (reference §4.5).

Outgoing: the browser redirect to the upstream's ``logoutUrl`` (RP-initiated logout) or the
same GET made by the server (``backchannelSupported``). Incoming: an OIDC Back-Channel Logout
``logout_token`` from an upstream, verified and turned into the broker session / broker user
ids whose local sessions must end. The incoming token's signature is checked even when the
provider's ``validateSignature`` is off (Keycloak CVE, issue #51381).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

import httpx

from realmgate.broker.errors import BrokerError, Check, TokenInvalid, UpstreamError
from realmgate.broker.oidc.config import OIDCConfig
from realmgate.broker.oidc.id_token import check_audience, check_times
from realmgate.broker.oidc.keys import UpstreamKeyCache
from realmgate.broker.upstream import call, with_query
from realmgate.crypto import jws
from realmgate.model.identity_provider import IdentityProvider

log = logging.getLogger(__name__)

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def logout_response_url(frontend_base: str, realm: str, alias: str) -> str:
    """Where the upstream sends the browser back after its logout."""
    return f"{frontend_base.rstrip('/')}/realms/{realm}/broker/{alias}/endpoint/logout_response"


def _logout_params(cfg: OIDCConfig, *, id_token: str | None, state: str) -> dict[str, str]:
    params = {"state": state}
    if cfg.send_id_token_on_logout and id_token:
        params["id_token_hint"] = id_token
    if cfg.send_client_id_on_logout:
        params["client_id"] = cfg.client_id
    return params


def upstream_logout_url(
    cfg: OIDCConfig, *, id_token: str | None, state: str, post_logout_redirect_uri: str
) -> str | None:
    """``logoutUrl?state&id_token_hint[&client_id]&post_logout_redirect_uri``, or ``None``
    when the provider has no logout URL. ``state`` is the local user session id."""
    if cfg.logout_url is None:
        return None
    params = _logout_params(cfg, id_token=id_token, state=state)
    params["post_logout_redirect_uri"] = post_logout_redirect_uri
    return with_query(cfg.logout_url, params)


async def backchannel_logout(http: httpx.AsyncClient, cfg: OIDCConfig, *, id_token: str | None, state: str) -> bool:
    """The same logout URL called by the server; a failure is logged, never raised (the local
    logout goes on)."""
    if cfg.logout_url is None:
        return False
    url = with_query(cfg.logout_url, _logout_params(cfg, id_token=id_token, state=state))
    try:
        await call(http, "GET", url, what="logout endpoint")
    except UpstreamError as exc:
        log.warning("upstream back-channel logout failed: %s", exc.detail)
        return False
    return True


@dataclass(frozen=True, slots=True)
class LogoutTarget:
    """Local sessions to end: by broker session id when the token named a session (``sid``),
    else every session of the broker user id."""

    alias: str
    broker_session_id: str | None
    broker_user_id: str | None


def _logout_claims_ok(claims: dict[str, object]) -> tuple[str | None, str | None]:
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_LOGOUT_EVENT), dict):
        raise TokenInvalid(Check.LOGOUT_EVENT, "logout token")
    if "nonce" in claims:
        raise TokenInvalid(Check.NONCE, "logout token", detail="a logout token must not carry a nonce")
    sid, sub = claims.get("sid"), claims.get("sub")
    sid = sid if isinstance(sid, str) and sid else None
    sub = sub if isinstance(sub, str) and sub else None
    if sid is None and sub is None:
        raise TokenInvalid(Check.SUBJECT, "logout token", detail="neither sid nor sub")
    return sid, sub


async def verify_logout_token(
    token: str,
    providers: Sequence[tuple[IdentityProvider, OIDCConfig]],
    *,
    keys: UpstreamKeyCache,
    now: float,
) -> list[LogoutTarget]:
    """Verify an incoming ``logout_token`` (OIDC Back-Channel Logout 1.0 §2.6) against the
    enabled providers whose configured issuer is the token's ``iss``.

    Raises ``TokenInvalid`` (the last failure) when no provider accepts it.
    """
    what = "logout token"
    try:
        header = jws.unverified_header(token)
        issuer = jws.unverified_claims(token).get("iss")
    except jws.BadSignature:
        raise TokenInvalid(Check.MALFORMED, what) from None
    typ = header.get("typ")
    if typ is not None and str(typ).lower() not in ("logout+jwt", "application/logout+jwt"):
        raise TokenInvalid(Check.LOGOUT_TYPE, what)
    candidates = [(idp, cfg) for idp, cfg in providers if idp.enabled and issuer in cfg.issuers]
    if not candidates:
        raise TokenInvalid(Check.ISSUER, what)
    targets: list[LogoutTarget] = []
    failure: BrokerError = TokenInvalid(Check.ISSUER, what)
    for idp, cfg in candidates:
        try:
            # Signature checked whatever validateSignature says.
            claims = await keys.verify(token, idp.internal_id, replace(cfg, validate_signature=True), what=what)
            check_times(claims, now=now, skew=cfg.allowed_clock_skew, what=what, require_exp=False)
            check_audience(claims, cfg.client_id, what)
            sid, sub = _logout_claims_ok(claims)
        except (TokenInvalid, UpstreamError) as exc:
            failure = exc
            continue
        targets.append(
            LogoutTarget(
                alias=idp.alias,
                broker_session_id=f"{idp.alias}.{sid}" if sid else None,
                broker_user_id=f"{idp.alias}.{sub}" if sub and not sid else None,
            )
        )
    if not targets:
        raise failure
    return targets


async def verify_keycloak_logout_action(
    token: str, idp: IdentityProvider, cfg: OIDCConfig, *, keys: UpstreamKeyCache, now: float
) -> list[str]:
    """``POST /broker/{alias}/endpoint/k_logout`` (keycloak-oidc only): an upstream Keycloak's
    signed ``LogoutAction`` for our client. Returns the broker session ids to end
    (``alias.{keycloakSessionId}``). The signature is always checked, like a logout token's."""
    what = "logout action"
    claims = await keys.verify(token, idp.internal_id, replace(cfg, validate_signature=True), what=what)
    if claims.get("action") != "LOGOUT":
        raise TokenInvalid(Check.LOGOUT_EVENT, what)
    expiration = claims.get("expiration")
    if not isinstance(expiration, int) or isinstance(expiration, bool) or expiration < now:
        raise TokenInvalid(Check.EXPIRED, what)
    if claims.get("resource") != cfg.client_id:
        raise TokenInvalid(Check.AUDIENCE, what)
    ids = claims.get("keycloakSessionIds")
    if not isinstance(ids, list):
        return []
    return [f"{idp.alias}.{sid}" for sid in ids if isinstance(sid, str) and sid]
