"""The upstream userinfo call: ``Bearer`` access token, JSON or a signed ``application/jwt``
answer, whose ``sub`` must be the ID token's (OIDC Core §5.3.2)."""

from __future__ import annotations

import httpx

from realmgate.broker.errors import Check, ConfigInvalid, TokenInvalid, UpstreamError, UpstreamErrorKind
from realmgate.broker.oidc.config import OIDCConfig
from realmgate.broker.oidc.id_token import Claims, read_jwt
from realmgate.broker.oidc.keys import UpstreamKeyCache
from realmgate.broker.upstream import call

WHAT = "userinfo endpoint"


def wants_userinfo(cfg: OIDCConfig) -> bool:
    return cfg.user_info_url is not None and not cfg.disable_user_info


async def fetch_userinfo(
    http: httpx.AsyncClient,
    *,
    cfg: OIDCConfig,
    access_token: str,
    internal_id: str,
    keys: UpstreamKeyCache,
    expected_sub: str,
) -> Claims:
    """Call userinfo and check its subject."""
    if cfg.user_info_url is None:
        raise ConfigInvalid("The identity provider has no userinfo URL")
    resp = await call(
        http,
        "GET",
        cfg.user_info_url,
        what=WHAT,
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json, application/jwt"},
    )
    if resp.content_type.split(";")[0].strip().lower() == "application/jwt":
        try:
            token = resp.body.decode("ascii").strip()
        except UnicodeDecodeError:
            raise UpstreamError(UpstreamErrorKind.BAD_RESPONSE, WHAT) from None
        claims = await read_jwt(token, cfg=cfg, internal_id=internal_id, keys=keys, what="userinfo")
    else:
        claims = resp.json_object(WHAT)
    if claims.get("sub") != expected_sub:
        raise TokenInvalid(Check.USERINFO_SUB, "userinfo")
    return claims
