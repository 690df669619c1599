"""The broker's calls to the upstream token endpoint: code exchange and refresh.

Client authentication follows the provider's ``clientAuthMethod``: the secret in the form
(``client_secret_post``), in an RFC 6749 §2.3.1 Basic header (``client_secret_basic``), or a
signed client assertion (RFC 7523): HMAC over the client secret (``client_secret_jwt``) or the
realm's own private key (``private_key_jwt``), which the upstream fetches from our JWKS.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import quote_plus

import httpx
from joserfc import jws
from joserfc.jwk import OctKey

from realmgate.broker.errors import ConfigInvalid, UpstreamError, UpstreamErrorKind
from realmgate.broker.oidc.config import OIDCConfig
from realmgate.broker.upstream import call
from realmgate.clock import Clock
from realmgate.crypto import jws as realm_jws
from realmgate.crypto.realm_keys import active_key
from realmgate.crypto.secrets import Randomness
from realmgate.model.keys import RealmKey

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ACCESS_TOKEN_EXPIRATION = "accessTokenExpiration"
_HMAC_ALGS = ("HS256", "HS384", "HS512")


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """An upstream token response. ``raw`` is the JSON as received plus, when the upstream
    said how long the access token lives, ``accessTokenExpiration`` (epoch seconds) as Keycloak
    stores it for ``storeToken``."""

    raw: Mapping[str, object]
    access_token: str
    id_token: str | None = None
    refresh_token: str | None = None
    expires_in: int | None = None
    session_state: str | None = None

    def to_json(self) -> str:
        return json.dumps(dict(self.raw), separators=(",", ":"))

    @property
    def access_token_expiration(self) -> int | None:
        value = self.raw.get(ACCESS_TOKEN_EXPIRATION)
        return value if isinstance(value, int) else None


def parse_token_response(body: Mapping[str, object], *, now: int) -> TokenResponse:
    """Check the fields a token response must have and note the access token's expiry."""
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise UpstreamError(UpstreamErrorKind.BAD_RESPONSE, "token endpoint")
    raw = dict(body)
    expires_in = body.get("expires_in")
    expires = expires_in if isinstance(expires_in, int) and not isinstance(expires_in, bool) else None
    if expires is not None and expires > 0:
        raw[ACCESS_TOKEN_EXPIRATION] = now + expires

    def text(key: str) -> str | None:
        value = body.get(key)
        return value if isinstance(value, str) and value else None

    return TokenResponse(
        raw=raw,
        access_token=access_token,
        id_token=text("id_token"),
        refresh_token=text("refresh_token"),
        expires_in=expires,
        session_state=text("session_state"),
    )


@dataclass(frozen=True, slots=True)
class TokenClient:
    """Talks to one provider's token endpoint.

    ``realm_keys`` are the realm's keys (for ``private_key_jwt``); ``assertion_lifespan`` is the
    realm's access-code lifespan, which Keycloak uses as the client assertion's lifetime.
    """

    http: httpx.AsyncClient
    cfg: OIDCConfig
    clock: Clock
    ids: Randomness
    realm_keys: Sequence[RealmKey] = field(default_factory=tuple)
    assertion_lifespan: int = 60

    def _assertion_claims(self, now: int) -> dict[str, object]:
        return {
            "jti": self.ids.new_id(),
            "iss": self.cfg.client_id,
            "sub": self.cfg.client_id,
            "aud": self.cfg.client_assertion_audience or self.cfg.token_url,
            "iat": now,
            "exp": now + self.assertion_lifespan,
        }

    def _secret_assertion(self, now: int) -> str:
        alg = self.cfg.client_assertion_signing_alg or "HS256"
        if alg not in _HMAC_ALGS or not self.cfg.client_secret:
            raise ConfigInvalid("client_secret_jwt needs a client secret and an HMAC algorithm")
        payload = json.dumps(self._assertion_claims(now), separators=(",", ":")).encode("utf-8")
        key = OctKey.import_key(self.cfg.client_secret.encode("utf-8"))
        return jws.serialize_compact({"alg": alg, "typ": "JWT"}, payload, key, algorithms=[alg])

    def _private_key_assertion(self, now: int) -> str:
        alg = self.cfg.client_assertion_signing_alg or "RS256"
        key = active_key(self.realm_keys, alg)
        if key is None:
            raise ConfigInvalid(f"private_key_jwt needs an active {alg} realm key")
        return realm_jws.sign(self._assertion_claims(now), key)

    def _authenticate(self, form: dict[str, str], headers: dict[str, str]) -> None:
        method = self.cfg.client_auth_method
        secret = self.cfg.client_secret
        now = int(self.clock())
        if method == "client_secret_basic" and secret:
            pair = f"{quote_plus(self.cfg.client_id, safe='')}:{quote_plus(secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
            return
        form["client_id"] = self.cfg.client_id
        if method == "client_secret_jwt":
            form.update(client_assertion_type=JWT_BEARER, client_assertion=self._secret_assertion(now))
        elif method == "private_key_jwt":
            form.update(client_assertion_type=JWT_BEARER, client_assertion=self._private_key_assertion(now))
        elif secret:
            # client_secret_post; without a secret this is a public client (PKCE only).
            form["client_secret"] = secret

    async def _post(self, form: dict[str, str]) -> TokenResponse:
        headers = {"Accept": "application/json"}
        self._authenticate(form, headers)
        resp = await call(self.http, "POST", self.cfg.token_url, what="token endpoint", data=form, headers=headers)
        return parse_token_response(resp.json_object("token endpoint"), now=int(self.clock()))

    async def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str | None) -> TokenResponse:
        """Trade the authorization code from the callback for tokens."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if code_verifier is not None:
            form["code_verifier"] = code_verifier
        if self.cfg.is_keycloak:
            # Lets an upstream Keycloak register an adapter session for k_logout.
            form["client_session_state"] = "n/a"
        return await self._post(form)

    async def refresh(self, stored: Mapping[str, object]) -> TokenResponse:
        """Refresh a stored token response; a reply without a refresh token keeps the old one."""
        refresh_token = stored.get("refresh_token")
        if not isinstance(refresh_token, str) or not refresh_token:
            raise UpstreamError(UpstreamErrorKind.BAD_RESPONSE, "stored token")
        fresh = await self._post({"grant_type": "refresh_token", "refresh_token": refresh_token})
        if fresh.refresh_token is not None:
            return fresh
        return replace(fresh, raw={**fresh.raw, "refresh_token": refresh_token}, refresh_token=refresh_token)
