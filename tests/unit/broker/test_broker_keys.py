"""The upstream key cache: JWKS fetch, 24 h expiry, unknown-kid refetch throttling shared by
concurrent requests, eviction (also when the realm's config version moves), static PEM keys,
and the algorithm allow-list."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from tests.unit.broker.broker_testkit import Clock, Keys, Upstream, sign

from realmgate.broker.errors import Check, TokenInvalid, UpstreamError
from realmgate.broker.oidc.config import OIDCConfig, parse_config
from realmgate.broker.oidc.keys import UpstreamKeyCache

CLAIMS = {"sub": "u1", "iss": "https://idp"}


def _cfg(upstream: Upstream, **config: str) -> OIDCConfig:
    return parse_config(
        "oidc",
        {
            "authorizationUrl": "http://localhost/auth",
            "tokenUrl": "http://localhost/token",
            "clientId": "c",
            "validateSignature": "true",
            "useJwksUrl": "true",
            "jwksUrl": upstream.url("/jwks"),
            **config,
        },
    )


@pytest.fixture
def cache(http: httpx.AsyncClient, clock: Clock) -> UpstreamKeyCache:
    """A fresh key cache on the test's HTTP client and fake clock."""
    return UpstreamKeyCache(http, clock=clock)


def _fetches(upstream: Upstream) -> int:
    return len(upstream.script.hits("/jwks"))


async def _first_fetch(upstream: Upstream, cache: UpstreamKeyCache, keys: Keys) -> OIDCConfig:
    """Serve key ``a`` and let one verification fetch the JWKS; the config of provider "idp"."""
    upstream.reply("/jwks", Keys.jwks(keys.a))
    cfg = _cfg(upstream)
    await cache.verify(sign(CLAIMS, keys.a), "idp", cfg)
    return cfg


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_jwks_is_fetched_once_and_cached(upstream: Upstream, cache: UpstreamKeyCache, keys: Keys) -> None:
    upstream.reply("/jwks", Keys.jwks(keys.a, keys.ec))
    cfg = _cfg(upstream)
    assert await cache.verify(sign(CLAIMS, keys.a), "idp-1", cfg) == CLAIMS
    assert await cache.verify(sign(CLAIMS, keys.ec), "idp-1", cfg) == CLAIMS
    assert _fetches(upstream) == 1
    # Another provider has its own entry.
    await cache.verify(sign(CLAIMS, keys.a), "idp-2", cfg)
    assert _fetches(upstream) == 2


async def test_entries_expire_after_a_day(
    upstream: Upstream, cache: UpstreamKeyCache, clock: Clock, keys: Keys
) -> None:
    cfg = await _first_fetch(upstream, cache, keys)
    clock.advance(86_399)
    await cache.verify(sign(CLAIMS, keys.a), "idp", cfg)
    assert _fetches(upstream) == 1
    clock.advance(2)
    await cache.verify(sign(CLAIMS, keys.a), "idp", cfg)
    assert _fetches(upstream) == 2


async def test_rotation_new_kid_triggers_one_refetch(
    upstream: Upstream, cache: UpstreamKeyCache, clock: Clock, keys: Keys
) -> None:
    cfg = await _first_fetch(upstream, cache, keys)
    clock.advance(11)
    upstream.reply("/jwks", Keys.jwks(keys.a, keys.b))  # the upstream rotated
    assert await cache.verify(sign(CLAIMS, keys.b), "idp", cfg) == CLAIMS
    assert _fetches(upstream) == 2


async def test_unknown_kid_refetch_is_throttled_to_one_per_ten_seconds(
    upstream: Upstream, cache: UpstreamKeyCache, clock: Clock, keys: Keys
) -> None:
    cfg = await _first_fetch(upstream, cache, keys)
    forged = sign(CLAIMS, keys.rogue)
    clock.advance(5)
    with pytest.raises(TokenInvalid) as err:
        await cache.verify(forged, "idp", cfg)
    assert err.value.check is Check.UNKNOWN_KID
    assert _fetches(upstream) == 1  # within 10 s of the last fetch: no refetch
    clock.advance(6)
    with pytest.raises(TokenInvalid) as err:
        await cache.verify(forged, "idp", cfg)
    assert err.value.check is Check.UNKNOWN_KID
    assert _fetches(upstream) == 2  # refetched once, key still unknown
    for _ in range(5):
        with pytest.raises(TokenInvalid):
            await cache.verify(forged, "idp", cfg)
    assert _fetches(upstream) == 2
    # Known keys keep working while refetches are throttled.
    assert await cache.verify(sign(CLAIMS, keys.a), "idp", cfg) == CLAIMS


async def test_concurrent_unknown_kids_share_one_fetch(
    upstream: Upstream, cache: UpstreamKeyCache, clock: Clock, keys: Keys
) -> None:
    cfg = await _first_fetch(upstream, cache, keys)
    clock.advance(30)
    upstream.reply("/jwks", Keys.jwks(keys.a, keys.b), delay=0.2)
    token = sign(CLAIMS, keys.b)
    results = await asyncio.gather(*(cache.verify(token, "idp", cfg) for _ in range(10)))
    assert results == [CLAIMS] * 10
    assert _fetches(upstream) == 2


async def test_concurrent_first_fetch_is_shared(upstream: Upstream, cache: UpstreamKeyCache, keys: Keys) -> None:
    upstream.reply("/jwks", Keys.jwks(keys.a), delay=0.2)
    cfg = _cfg(upstream)
    token = sign(CLAIMS, keys.a)
    await asyncio.gather(*(cache.verify(token, "idp", cfg) for _ in range(5)))
    assert _fetches(upstream) == 1


async def test_evict_and_clear_force_a_new_fetch(upstream: Upstream, cache: UpstreamKeyCache, keys: Keys) -> None:
    upstream.reply("/jwks", Keys.jwks(keys.a))
    cfg = _cfg(upstream)
    token = sign(CLAIMS, keys.a)
    await cache.verify(token, "idp", cfg)
    await cache.verify(token, "other", cfg)
    cache.evict("idp")
    await cache.verify(token, "idp", cfg)
    await cache.verify(token, "other", cfg)
    assert _fetches(upstream) == 3
    cache.clear()
    await cache.verify(token, "other", cfg)
    assert _fetches(upstream) == 4


async def test_a_moved_realm_version_forgets_that_realms_providers_keys(
    upstream: Upstream, cache: UpstreamKeyCache, keys: Keys
) -> None:
    """What another instance changed (a provider edit, clear-keys-cache) reaches this cache as a
    new config version of the realm: its providers' keys are fetched again, others' are kept."""
    cache.follow("r1", 5, ["idp"])
    cfg = await _first_fetch(upstream, cache, keys)
    await cache.verify(sign(CLAIMS, keys.a), "other-realms-idp", cfg)
    assert _fetches(upstream) == 2
    cache.follow("r1", 5, ["idp"])  # unchanged: cached
    await cache.verify(sign(CLAIMS, keys.a), "idp", cfg)
    assert _fetches(upstream) == 2
    cache.follow("r1", 6, ["idp"])
    await cache.verify(sign(CLAIMS, keys.a), "idp", cfg)
    await cache.verify(sign(CLAIMS, keys.a), "other-realms-idp", cfg)
    assert _fetches(upstream) == 3


async def test_reload_fetches_only_with_a_jwks_url(upstream: Upstream, cache: UpstreamKeyCache, keys: Keys) -> None:
    upstream.reply("/jwks", Keys.jwks(keys.a))
    assert await cache.reload("idp", _cfg(upstream)) is True
    assert await cache.reload("idp", _cfg(upstream, useJwksUrl="false")) is False
    assert _fetches(upstream) == 1


async def test_jwks_entries_that_are_not_signature_keys_are_ignored(
    upstream: Upstream, cache: UpstreamKeyCache, keys: Keys
) -> None:
    enc = dict(Keys.jwks(keys.a)["keys"][0])  # type: ignore[index]
    enc["use"] = "enc"
    upstream.reply("/jwks", {"keys": [enc, {"kty": "oct", "kid": "h", "k": "c2VjcmV0"}, "junk"]})
    with pytest.raises(TokenInvalid) as err:
        await cache.verify(sign(CLAIMS, keys.a), "idp", _cfg(upstream))
    assert err.value.check is Check.UNKNOWN_KID


async def test_jwks_fetch_failure_is_an_upstream_error(upstream: Upstream, cache: UpstreamKeyCache, keys: Keys) -> None:
    upstream.reply("/jwks", "oops", status=500, content_type="text/plain")
    with pytest.raises(UpstreamError):
        await cache.verify(sign(CLAIMS, keys.a), "idp", _cfg(upstream))


async def test_wrong_signature_is_refused(upstream: Upstream, cache: UpstreamKeyCache, keys: Keys) -> None:
    upstream.reply("/jwks", Keys.jwks(keys.a))
    header, _payload, signature = sign(CLAIMS, keys.a).split(".")
    other_payload = sign({"sub": "admin"}, keys.a).split(".")[1]
    with pytest.raises(TokenInvalid) as err:
        await cache.verify(f"{header}.{other_payload}.{signature}", "idp", _cfg(upstream))
    assert err.value.check is Check.SIGNATURE


async def test_none_and_hmac_are_never_accepted(upstream: Upstream, cache: UpstreamKeyCache, keys: Keys) -> None:
    upstream.reply("/jwks", Keys.jwks(keys.a))
    kid = keys.a.kid.encode()
    unsigned = _b64(b'{"alg":"none","kid":"%s"}' % kid) + "." + _b64(b'{"sub":"u1"}') + "."
    with pytest.raises(TokenInvalid) as err:
        await cache.verify(unsigned, "idp", _cfg(upstream))
    assert err.value.check is Check.ALGORITHM
    # HS256 "signed" with the RSA public key as the HMAC secret (the classic confusion attack).
    assert keys.a.public_pem is not None
    signing_input = _b64(b'{"alg":"HS256","kid":"%s"}' % kid) + "." + _b64(b'{"sub":"u1"}')
    mac = hmac.new(keys.a.public_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(TokenInvalid) as err:
        await cache.verify(signing_input + "." + _b64(mac), "idp", _cfg(upstream))
    assert err.value.check is Check.ALGORITHM
    with pytest.raises(TokenInvalid) as err:
        await cache.verify("not-a-jwt", "idp", _cfg(upstream))
    assert err.value.check is Check.MALFORMED


def _pem(keys: Keys) -> str:
    assert keys.a.public_pem is not None
    return keys.a.public_pem


async def test_static_pem_key_without_kid_verifies_any_kid(
    upstream: Upstream, cache: UpstreamKeyCache, keys: Keys
) -> None:
    cfg = _cfg(upstream, useJwksUrl="false", publicKeySignatureVerifier=_pem(keys))
    assert await cache.verify(sign(CLAIMS, keys.a), "idp", cfg) == CLAIMS
    with pytest.raises(TokenInvalid) as err:
        await cache.verify(sign(CLAIMS, keys.b), "idp", cfg)
    assert err.value.check is Check.SIGNATURE
    assert upstream.script.hits("/jwks") == []


async def test_static_key_with_kid_as_bare_base64_and_as_certificate(
    upstream: Upstream, cache: UpstreamKeyCache, keys: Keys
) -> None:
    token = sign(CLAIMS, keys.a)
    pem = _pem(keys)
    with_kid = _cfg(
        upstream,
        useJwksUrl="false",
        publicKeySignatureVerifier=pem,
        publicKeySignatureVerifierKeyId=keys.a.kid,
    )
    assert await cache.verify(token, "idp", with_kid) == CLAIMS
    wrong_kid = _cfg(
        upstream, useJwksUrl="false", publicKeySignatureVerifier=pem, publicKeySignatureVerifierKeyId="other"
    )
    with pytest.raises(TokenInvalid) as err:
        await cache.verify(token, "idp", wrong_kid)
    assert err.value.check is Check.UNKNOWN_KID
    der = serialization.load_pem_public_key(pem.encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    bare = _cfg(upstream, useJwksUrl="false", publicKeySignatureVerifier=base64.b64encode(der).decode())
    assert await cache.verify(token, "idp", bare) == CLAIMS
    assert keys.a.certificate is not None
    cert = _cfg(upstream, useJwksUrl="false", publicKeySignatureVerifier=keys.a.certificate)
    assert await cache.verify(token, "idp", cert) == CLAIMS


async def test_unreadable_or_missing_static_key(upstream: Upstream, cache: UpstreamKeyCache, keys: Keys) -> None:
    for cfg in (
        _cfg(upstream, useJwksUrl="false", publicKeySignatureVerifier="garbage!"),
        _cfg(upstream, useJwksUrl="false"),
        _cfg(upstream, jwksUrl=""),
    ):
        with pytest.raises(TokenInvalid) as err:
            await cache.verify(sign(CLAIMS, keys.a), "idp", cfg)
        assert err.value.check is Check.NO_KEYS
