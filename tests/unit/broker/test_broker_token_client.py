"""Code exchange and refresh against a real loopback upstream, with each client auth method."""

from __future__ import annotations

import base64
from urllib.parse import unquote_plus

import httpx
import pytest
from joserfc import jws as jose_jws
from joserfc.jwk import OctKey, RSAKey
from tests.unit.broker.broker_testkit import Clock, Keys, Upstream

from realmgate.broker.errors import ConfigInvalid, UpstreamError, UpstreamErrorKind
from realmgate.broker.oidc.config import parse_config
from realmgate.broker.oidc.token_client import TokenClient
from realmgate.crypto import jws
from realmgate.crypto.secrets import SYSTEM

TOKENS = {
    "access_token": "at-1",
    "id_token": "id-1",
    "refresh_token": "rt-1",
    "expires_in": 300,
    "token_type": "Bearer",
    "session_state": "sess-1",
}


def _client(upstream: Upstream, http: httpx.AsyncClient, clock: Clock, **config: str) -> TokenClient:
    cfg = parse_config(
        config.pop("providerId", "oidc"),
        {
            "authorizationUrl": "http://localhost/auth",
            "tokenUrl": upstream.url("/token"),
            "clientId": "idp client",
            "clientSecret": "s3cr:et+&",
            **config,
        },
    )
    return TokenClient(http, cfg, clock, ids=SYSTEM)


async def test_client_secret_post_exchange(upstream: Upstream, http: httpx.AsyncClient, clock: Clock) -> None:
    upstream.reply("/token", TOKENS)
    tokens = await _client(upstream, http, clock).exchange_code(
        "the-code", redirect_uri="http://rp/cb", code_verifier="v" * 43
    )
    (sent,) = upstream.script.hits("/token")
    assert sent.method == "POST"
    assert sent.form == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": "http://rp/cb",
        "code_verifier": "v" * 43,
        "client_id": "idp client",
        "client_secret": "s3cr:et+&",
    }
    assert "authorization" not in sent.headers
    assert tokens.access_token == "at-1" and tokens.id_token == "id-1" and tokens.refresh_token == "rt-1"
    assert tokens.session_state == "sess-1"
    assert tokens.access_token_expiration == int(clock.now) + 300
    assert tokens.raw["accessTokenExpiration"] == int(clock.now) + 300


async def test_client_secret_basic_is_form_encoded(upstream: Upstream, http: httpx.AsyncClient, clock: Clock) -> None:
    upstream.reply("/token", TOKENS)
    await _client(upstream, http, clock, clientAuthMethod="client_secret_basic").exchange_code(
        "c", redirect_uri="http://rp/cb", code_verifier=None
    )
    (sent,) = upstream.script.hits("/token")
    assert "client_secret" not in sent.form and "client_id" not in sent.form
    scheme, value = sent.headers["authorization"].split(" ")
    user, _, password = base64.b64decode(value).decode().partition(":")
    assert scheme == "Basic"
    # RFC 6749 §2.3.1: each part form-url-encoded before Basic encoding.
    assert user == "idp+client" and password == "s3cr%3Aet%2B%26"
    assert (unquote_plus(user), unquote_plus(password)) == ("idp client", "s3cr:et+&")


async def test_client_secret_jwt_assertion(upstream: Upstream, http: httpx.AsyncClient, clock: Clock) -> None:
    upstream.reply("/token", TOKENS)
    secret = "a-long-enough-client-secret-for-hmac"
    await _client(upstream, http, clock, clientAuthMethod="client_secret_jwt", clientSecret=secret).exchange_code(
        "c", redirect_uri="http://rp/cb", code_verifier=None
    )
    (sent,) = upstream.script.hits("/token")
    assert sent.form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert "client_secret" not in sent.form
    result = jose_jws.deserialize_compact(
        sent.form["client_assertion"], OctKey.import_key(secret.encode()), algorithms=["HS256"]
    )
    claims = jws.unverified_claims(sent.form["client_assertion"])
    assert result.protected["alg"] == "HS256"
    assert claims["iss"] == claims["sub"] == "idp client"
    assert claims["aud"] == upstream.url("/token")
    assert claims["iat"] == int(clock.now) and claims["exp"] == int(clock.now) + 60
    assert isinstance(claims["jti"], str)


async def test_private_key_jwt_uses_the_realm_key(
    upstream: Upstream, http: httpx.AsyncClient, clock: Clock, keys: Keys
) -> None:
    upstream.reply("/token", TOKENS)
    cfg = parse_config(
        "oidc",
        {
            "authorizationUrl": "http://localhost/auth",
            "tokenUrl": upstream.url("/token"),
            "clientId": "broker",
            "clientAuthMethod": "private_key_jwt",
            "clientAssertionAudience": "https://idp.example/",
        },
    )
    client = TokenClient(http, cfg, clock, realm_keys=[keys.b, keys.a], assertion_lifespan=120, ids=SYSTEM)
    await client.exchange_code("c", redirect_uri="http://rp/cb", code_verifier=None)
    (sent,) = upstream.script.hits("/token")
    assertion = sent.form["client_assertion"]
    assert jws.unverified_header(assertion)["kid"] in (keys.a.kid, keys.b.kid)
    public = keys.a if jws.unverified_header(assertion)["kid"] == keys.a.kid else keys.b
    assert public.public_pem is not None
    jose_jws.deserialize_compact(assertion, RSAKey.import_key(public.public_pem), algorithms=["RS256"])
    claims = jws.unverified_claims(assertion)
    assert claims["aud"] == "https://idp.example/"
    assert claims["exp"] == int(clock.now) + 120
    assert sent.form["client_id"] == "broker"


async def test_private_key_jwt_without_a_realm_key_is_a_config_error(
    upstream: Upstream, http: httpx.AsyncClient, clock: Clock
) -> None:
    client = _client(upstream, http, clock, clientAuthMethod="private_key_jwt")
    with pytest.raises(ConfigInvalid):
        await client.exchange_code("c", redirect_uri="http://rp/cb", code_verifier=None)
    assert upstream.script.hits("/token") == []


async def test_public_client_sends_only_its_id(upstream: Upstream, http: httpx.AsyncClient, clock: Clock) -> None:
    upstream.reply("/token", TOKENS)
    await _client(upstream, http, clock, clientSecret="").exchange_code("c", redirect_uri="x", code_verifier="v" * 43)
    (sent,) = upstream.script.hits("/token")
    assert sent.form["client_id"] == "idp client" and "client_secret" not in sent.form


async def test_keycloak_oidc_sends_client_session_state(
    upstream: Upstream, http: httpx.AsyncClient, clock: Clock
) -> None:
    upstream.reply("/token", TOKENS)
    await _client(upstream, http, clock, providerId="keycloak-oidc").exchange_code(
        "c", redirect_uri="x", code_verifier=None
    )
    assert upstream.script.hits("/token")[0].form["client_session_state"] == "n/a"


@pytest.mark.parametrize(
    ("reply", "kind", "upstream_error"),
    [
        (
            {"status": 400, "body": {"error": "invalid_grant", "error_description": "Code not valid"}},
            UpstreamErrorKind.BAD_STATUS,
            "invalid_grant",
        ),
        (
            {"status": 502, "body": "<html>bad gateway</html>", "content_type": "text/html"},
            UpstreamErrorKind.BAD_STATUS,
            None,
        ),
        ({"body": "not json"}, UpstreamErrorKind.BAD_JSON, None),
        ({"body": [1, 2]}, UpstreamErrorKind.BAD_JSON, None),
        ({"body": {"token_type": "Bearer"}}, UpstreamErrorKind.BAD_RESPONSE, None),
    ],
)
async def test_upstream_failures_are_typed(
    upstream: Upstream,
    http: httpx.AsyncClient,
    clock: Clock,
    reply: dict[str, object],
    kind: UpstreamErrorKind,
    upstream_error: str | None,
) -> None:
    body = reply.pop("body")
    upstream.reply("/token", body, **reply)  # type: ignore[arg-type]
    with pytest.raises(UpstreamError) as err:
        await _client(upstream, http, clock).exchange_code("c", redirect_uri="x", code_verifier=None)
    assert err.value.kind is kind
    assert err.value.upstream_error == upstream_error
    assert "s3cr" not in err.value.message and "s3cr" not in (err.value.detail or "")


async def test_slow_upstream_times_out(upstream: Upstream, clock: Clock) -> None:
    upstream.reply("/token", TOKENS, delay=1.0)
    async with httpx.AsyncClient(timeout=0.2) as http:
        with pytest.raises(UpstreamError) as err:
            await _client(upstream, http, clock).exchange_code("c", redirect_uri="x", code_verifier=None)
    assert err.value.kind is UpstreamErrorKind.TIMEOUT
    assert "did not answer in time" in err.value.message


async def test_unreachable_upstream(http: httpx.AsyncClient, clock: Clock) -> None:
    cfg = parse_config(
        "oidc", {"authorizationUrl": "http://x/auth", "tokenUrl": "http://127.0.0.1:1/token", "clientId": "c"}
    )
    with pytest.raises(UpstreamError) as err:
        await TokenClient(http, cfg, clock, ids=SYSTEM).exchange_code("c", redirect_uri="x", code_verifier=None)
    assert err.value.kind is UpstreamErrorKind.UNREACHABLE


async def test_oversized_answer_is_refused(upstream: Upstream, http: httpx.AsyncClient, clock: Clock) -> None:
    upstream.reply("/token", b"{" + b" " * 1_100_000 + b"}")
    with pytest.raises(UpstreamError) as err:
        await _client(upstream, http, clock).exchange_code("c", redirect_uri="x", code_verifier=None)
    assert err.value.kind is UpstreamErrorKind.BAD_RESPONSE


async def test_refresh_keeps_the_old_refresh_token_when_none_comes_back(
    upstream: Upstream, http: httpx.AsyncClient, clock: Clock
) -> None:
    upstream.reply("/token", {"access_token": "at-2", "expires_in": 60})
    fresh = await _client(upstream, http, clock).refresh({"access_token": "at-1", "refresh_token": "rt-1"})
    (sent,) = upstream.script.hits("/token")
    assert sent.form["grant_type"] == "refresh_token" and sent.form["refresh_token"] == "rt-1"
    assert sent.form["client_secret"] == "s3cr:et+&"
    assert fresh.access_token == "at-2" and fresh.refresh_token == "rt-1"
    assert fresh.raw["refresh_token"] == "rt-1"
    assert fresh.access_token_expiration == int(clock.now) + 60


async def test_refresh_without_refresh_token_fails_without_calling(
    upstream: Upstream, http: httpx.AsyncClient, clock: Clock
) -> None:
    with pytest.raises(UpstreamError):
        await _client(upstream, http, clock).refresh({"access_token": "at-1"})
    assert upstream.script.hits("/token") == []
