"""Validation of the upstream's ID token (and JWT access token), in Keycloak's order
(reference §4.2): signature, time, audience, azp, issuer, max_age; then, once userinfo is in,
the essential-claim filter and the nonce.

Each failure is a ``TokenInvalid`` naming the check, so the log line says which check failed
and never contains the token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from realmgate.broker.errors import Check, TokenInvalid
from realmgate.broker.oidc.config import OIDCConfig
from realmgate.broker.oidc.keys import ASYMMETRIC_ALGORITHMS, UpstreamKeyCache
from realmgate.crypto import jws
from realmgate.crypto.secrets import constant_time_equals

Claims = dict[str, object]

IAT_GRACE_SECONDS = 5
"""``iat`` is not a validity bound, only a sanity check: two servers' clocks are never exactly
equal, so a token "issued" a few seconds ahead of our clock is still accepted."""


def _number(claims: Mapping[str, object], name: str) -> float | None:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


async def read_jwt(token: str, *, cfg: OIDCConfig, internal_id: str, keys: UpstreamKeyCache, what: str) -> Claims:
    """The claims of an upstream JWT, signature-checked when ``validateSignature`` is on.

    Even unchecked, a token must be a well-formed JWS with an asymmetric ``alg``: ``none`` is
    never read.
    """
    if cfg.validate_signature:
        return await keys.verify(token, internal_id, cfg, what=what)
    try:
        header = jws.unverified_header(token)
        claims = jws.unverified_claims(token)
    except jws.BadSignature:
        raise TokenInvalid(Check.MALFORMED, what) from None
    if header.get("alg") not in ASYMMETRIC_ALGORITHMS:
        raise TokenInvalid(Check.ALGORITHM, what)
    return claims


def check_times(claims: Mapping[str, object], *, now: float, skew: int, what: str, require_exp: bool = True) -> None:
    """``exp`` (required for ID tokens), ``nbf`` and ``iat``, each with ``allowedClockSkew``
    (``iat`` with a few seconds more)."""
    exp = _number(claims, "exp")
    if exp is None:
        if require_exp:
            raise TokenInvalid(Check.EXPIRED, what, detail="no exp")
    elif now > exp + skew:
        raise TokenInvalid(Check.EXPIRED, what)
    nbf = _number(claims, "nbf")
    if nbf is not None and now < nbf - skew:
        raise TokenInvalid(Check.NOT_YET_VALID, what)
    iat = _number(claims, "iat")
    if iat is not None and iat > now + skew + IAT_GRACE_SECONDS:
        raise TokenInvalid(Check.ISSUED_IN_FUTURE, what)


def check_issuer(claims: Mapping[str, object], cfg: OIDCConfig, what: str) -> None:
    """``iss`` must be one of the configured issuers; with none configured it is not checked."""
    if cfg.issuers and claims.get("iss") not in cfg.issuers:
        raise TokenInvalid(Check.ISSUER, what)


def _audiences(claims: Mapping[str, object]) -> list[object]:
    aud = claims.get("aud")
    return aud if isinstance(aud, list) else [aud]


def check_audience(claims: Mapping[str, object], client_id: str, what: str) -> None:
    """``aud`` contains our client id, and ``azp``, when present, is our client id."""
    if client_id not in _audiences(claims):
        raise TokenInvalid(Check.AUDIENCE, what)
    azp = claims.get("azp")
    if azp is not None and azp != client_id:
        raise TokenInvalid(Check.AZP, what)


async def validate_id_token(
    token: str | None,
    *,
    cfg: OIDCConfig,
    internal_id: str,
    keys: UpstreamKeyCache,
    now: float,
    max_age: int | None,
) -> Claims:
    """Signature → exp/nbf/iat → aud → azp → iss → auth_time (when max_age was sent)."""
    what = "ID token"
    if token is None:
        raise TokenInvalid(Check.MISSING_TOKEN, what)
    claims = await read_jwt(token, cfg=cfg, internal_id=internal_id, keys=keys, what=what)
    check_times(claims, now=now, skew=cfg.allowed_clock_skew, what=what)
    check_audience(claims, cfg.client_id, what)
    check_issuer(claims, cfg, what)
    if cfg.pass_max_age and max_age is not None:
        auth_time = _number(claims, "auth_time") or 0.0
        if auth_time + max_age + cfg.allowed_clock_skew < now:
            raise TokenInvalid(Check.AUTH_TIME, what, detail="user not re-authenticated")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenInvalid(Check.SUBJECT, what)
    return claims


async def validate_access_token(
    token: str, *, cfg: OIDCConfig, internal_id: str, keys: UpstreamKeyCache, now: float
) -> Claims:
    """The access token read as a JWT (``isAccessTokenJWT``, always for keycloak-oidc):
    signature, time and issuer; the audience is not ours to check."""
    what = "access token"
    claims = await read_jwt(token, cfg=cfg, internal_id=internal_id, keys=keys, what=what)
    check_times(claims, now=now, skew=cfg.allowed_clock_skew, what=what, require_exp=False)
    check_issuer(claims, cfg, what)
    return claims


def check_claim_filter(claims: Mapping[str, object], cfg: OIDCConfig) -> None:
    """ "Verify essential claim": the claim exists and its value (any element of a list) fully
    matches the configured regular expression."""
    if not cfg.filtered_by_claim:
        return
    name, pattern = cfg.claim_filter_name, cfg.claim_filter_value or ""
    if name is None or name not in claims:
        raise TokenInvalid(Check.CLAIM_FILTER, detail="essential claim missing")
    value = claims[name]
    values = value if isinstance(value, list) else [value]
    try:
        regex = re.compile(pattern)
    except re.error:
        raise TokenInvalid(Check.CLAIM_FILTER, detail="essential claim pattern is invalid") from None
    if not any(regex.fullmatch(_as_text(v)) for v in values):
        raise TokenInvalid(Check.CLAIM_FILTER, detail="essential claim does not match")


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_nonce(claims: Mapping[str, object], expected: str | None, cfg: OIDCConfig) -> None:
    """The ID token repeats the nonce the broker sent (unless ``disableNonce``)."""
    if cfg.disable_nonce:
        return
    nonce = claims.get("nonce")
    if expected is None or not isinstance(nonce, str) or not constant_time_equals(nonce, expected):
        raise TokenInvalid(Check.NONCE)
