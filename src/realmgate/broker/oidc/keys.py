"""The upstream providers' signature keys, cached per process (reference §2.1), and dropped
on every instance when the realm's config version moves (``UpstreamKeyCache.follow``).

Keycloak's rules, kept: keys are fetched from ``jwksUrl`` and cached per provider (its
internal id and the URL, so an edited URL is a new entry); an entry lives 24 hours; a token whose
``kid`` is not in the cache triggers a refetch, but at most one every 10 seconds per provider,
and concurrent requests share the one fetch in flight. Or the provider has a static PEM key
(``publicKeySignatureVerifier``), optionally with a key id.

Only asymmetric algorithms are accepted (RS*, PS*, ES*): never ``none``, and never an HMAC key
built from a public key.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.jwk import ECKey, RSAKey

from realmgate.broker.errors import Check, TokenInvalid
from realmgate.broker.oidc.config import OIDCConfig
from realmgate.broker.upstream import call
from realmgate.clock import Clock
from realmgate.crypto import jws

ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
MAX_CACHE_SECONDS = 86_400.0
MIN_SECONDS_BETWEEN_FETCHES = 10.0
_PUBLIC_MEMBERS = ("kty", "kid", "use", "alg", "n", "e", "crv", "x", "y", "x5c", "x5t", "x5t#S256")

Jwk = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class _Entry:
    keys: tuple[Jwk, ...]
    fetched_at: float
    generation: int


def _public_signing_keys(document: Mapping[str, object]) -> tuple[Jwk, ...]:
    """The usable entries of a JWKS: RSA/EC keys meant for signatures, public members only."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        return ()
    keys: list[Jwk] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC"):
            continue
        if entry.get("use") not in (None, "sig"):
            continue
        keys.append({k: entry[k] for k in _PUBLIC_MEMBERS if k in entry})
    return tuple(keys)


@functools.lru_cache(maxsize=64)
def _pem_jwk(material: str) -> Jwk:
    """A JWK from Keycloak's "Validating public key": a PEM public key or certificate, or the
    same as bare base64 DER (what people paste from Keycloak's realm keys page)."""
    text = material.strip()
    public: object
    try:
        if "-----BEGIN CERTIFICATE" in text:
            public = x509.load_pem_x509_certificate(text.encode("ascii")).public_key()
        elif "-----BEGIN" in text:
            public = serialization.load_pem_public_key(text.encode("ascii"))
        else:
            der = base64.b64decode("".join(text.split()), validate=True)
            try:
                public = serialization.load_der_public_key(der)
            except ValueError:
                public = x509.load_der_x509_certificate(der).public_key()
    except (ValueError, binascii.Error, UnicodeEncodeError):
        raise TokenInvalid(Check.NO_KEYS, detail="the configured public key cannot be read") from None
    if isinstance(public, rsa.RSAPublicKey):
        pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        return RSAKey.import_key(pem).as_dict(private=False)
    if isinstance(public, ec.EllipticCurvePublicKey):
        pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        return ECKey.import_key(pem).as_dict(private=False)
    raise TokenInvalid(Check.NO_KEYS, detail="the configured public key is not RSA or EC")


def _header(token: str, what: str) -> tuple[str, str | None]:
    """The token's ``alg`` (refused unless asymmetric) and ``kid``."""
    try:
        header = jws.unverified_header(token)
    except jws.BadSignature:
        raise TokenInvalid(Check.MALFORMED, what) from None
    alg, kid = header.get("alg"), header.get("kid")
    if not isinstance(alg, str) or alg not in ASYMMETRIC_ALGORITHMS:
        raise TokenInvalid(Check.ALGORITHM, what, detail=f"alg {str(alg)[:16]!r} not allowed")
    if kid is not None and not isinstance(kid, str):
        raise TokenInvalid(Check.MALFORMED, what)
    return alg, kid


def _verify(token: str, keys: tuple[Jwk, ...] | list[Jwk], what: str) -> dict[str, object]:
    try:
        return jws.verify_with_jwks(token, keys, algorithms=ASYMMETRIC_ALGORITHMS)
    except jws.UnknownKey:
        raise
    except jws.BadSignature:
        raise TokenInvalid(Check.SIGNATURE, what) from None


class UpstreamKeyCache:
    """One per process: verifies upstream tokens against cached provider keys."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        clock: Clock,
        max_age: float = MAX_CACHE_SECONDS,
        min_interval: float = MIN_SECONDS_BETWEEN_FETCHES,
    ) -> None:
        self._http = http
        self._clock = clock
        self._max_age = max_age
        self._min_interval = min_interval
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._last_request: dict[tuple[str, str], float] = {}
        self._inflight: dict[tuple[str, str], asyncio.Task[_Entry]] = {}
        self._versions: dict[str, int] = {}  # realm id -> config version last seen

    def follow(self, realm_id: str, version: int, internal_ids: Iterable[str]) -> None:
        """Called with the realm snapshot before each use: once the realm's config version has
        moved (an edit of a provider, ``clear-keys-cache`` or ``reload-keys`` on any instance
        bumps it) the keys of its providers are forgotten and fetched again on next use, so
        every instance follows within one request."""
        seen = self._versions.get(realm_id)
        if seen is not None and seen != version:
            for internal_id in internal_ids:
                self.evict(internal_id)
        self._versions[realm_id] = version

    def evict(self, internal_id: str) -> None:
        """Forget a provider's keys (it was updated or removed)."""
        for key in [k for k in self._entries if k[0] == internal_id]:
            del self._entries[key]
        for key in [k for k in self._last_request if k[0] == internal_id]:
            del self._last_request[key]

    def clear(self) -> None:
        """Forget every provider's keys (``clear-keys-cache``)."""
        self._entries.clear()
        self._last_request.clear()

    async def reload(self, internal_id: str, cfg: OIDCConfig) -> bool:
        """Fetch the JWKS now (``reload-keys``); ``False`` when the provider has no JWKS URL."""
        if not cfg.use_jwks_url or cfg.jwks_url is None:
            return False
        await self._fetch((internal_id, cfg.jwks_url))
        return True

    async def verify(
        self, token: str, internal_id: str, cfg: OIDCConfig, *, what: str = "ID token"
    ) -> dict[str, object]:
        """Check ``token``'s signature with the provider's keys; returns its claims.

        Raises ``TokenInvalid`` naming the failed check, or ``UpstreamError`` when the JWKS
        cannot be fetched.
        """
        _alg, kid = _header(token, what)
        if not cfg.use_jwks_url:
            return self._verify_static(token, kid, cfg, what)
        if cfg.jwks_url is None:
            raise TokenInvalid(Check.NO_KEYS, what)
        key = (internal_id, cfg.jwks_url)
        entry = await self._current(key)
        try:
            return _verify(token, entry.keys, what)
        except jws.UnknownKey:
            pass
        newer = await self._after_unknown_kid(key, entry)
        if newer is None:
            raise TokenInvalid(Check.UNKNOWN_KID, what, detail="refetch throttled")
        try:
            return _verify(token, newer.keys, what)
        except jws.UnknownKey:
            raise TokenInvalid(Check.UNKNOWN_KID, what) from None

    def _verify_static(self, token: str, kid: str | None, cfg: OIDCConfig, what: str) -> dict[str, object]:
        if cfg.public_key_signature_verifier is None:
            raise TokenInvalid(Check.NO_KEYS, what)
        jwk = dict(_pem_jwk(cfg.public_key_signature_verifier))
        # Without a configured key id the one key is used whatever kid the token names.
        configured = cfg.public_key_signature_verifier_key_id
        if configured is not None:
            jwk["kid"] = configured
        elif kid is not None:
            jwk["kid"] = kid
        try:
            return _verify(token, [jwk], what)
        except jws.UnknownKey:
            raise TokenInvalid(Check.UNKNOWN_KID, what) from None

    async def _current(self, key: tuple[str, str]) -> _Entry:
        entry = self._entries.get(key)
        if entry is not None and self._clock() < entry.fetched_at + self._max_age:
            return entry
        return await self._fetch(key)

    async def _after_unknown_kid(self, key: tuple[str, str], seen: _Entry) -> _Entry | None:
        """Newer keys to retry with, or ``None`` when a refetch is not allowed yet."""
        current = self._entries.get(key)
        if current is not None and current.generation > seen.generation:
            return current  # another request refreshed the keys meanwhile
        if key in self._inflight:
            return await self._fetch(key)
        if self._clock() < self._last_request.get(key, float("-inf")) + self._min_interval:
            return None
        return await self._fetch(key)

    async def _fetch(self, key: tuple[str, str]) -> _Entry:
        """Fetch the JWKS, sharing the fetch already in flight for this provider if any."""
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._load(key))
            self._inflight[key] = task

            def _done(finished: asyncio.Task[_Entry]) -> None:
                if self._inflight.get(key) is finished:
                    del self._inflight[key]

            task.add_done_callback(_done)
        return await asyncio.shield(task)

    async def _load(self, key: tuple[str, str]) -> _Entry:
        self._last_request[key] = self._clock()
        response = await call(self._http, "GET", key[1], what="JWKS endpoint", headers={"Accept": "application/json"})
        keys = _public_signing_keys(response.json_object("JWKS endpoint"))
        previous = self._entries.get(key)
        entry = _Entry(keys, self._clock(), (previous.generation + 1) if previous else 1)
        self._entries[key] = entry
        return entry
