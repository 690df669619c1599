"""Logout both ways: the upstream logout redirect, the server-side GET, and verification of an
incoming OIDC Back-Channel Logout token."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from tests.unit.broker.broker_testkit import Clock, Keys, Upstream, sign

from realmgate.broker.errors import Check, TokenInvalid
from realmgate.broker.oidc.config import OIDCConfig, parse_config
from realmgate.broker.oidc.keys import UpstreamKeyCache
from realmgate.broker.upstream_logout import (
    BACKCHANNEL_LOGOUT_EVENT,
    backchannel_logout,
    logout_response_url,
    upstream_logout_url,
    verify_keycloak_logout_action,
    verify_logout_token,
)
from realmgate.model.identity_provider import IdentityProvider

ISSUER = "https://upstream.example/realms/slave_realm"
RETURN = logout_response_url("http://localhost:8080", "master_realm", "slave")


def _cfg(**config: str) -> OIDCConfig:
    return parse_config(
        "oidc",
        {
            "authorizationUrl": "http://u/auth",
            "tokenUrl": "http://u/token",
            "clientId": "idp_client",
            **config,
        },
    )


def test_logout_response_url() -> None:
    assert RETURN == "http://localhost:8080/realms/master_realm/broker/slave/endpoint/logout_response"


def test_logout_redirect_parameters() -> None:
    assert upstream_logout_url(_cfg(), id_token="idt", state="s", post_logout_redirect_uri=RETURN) is None
    url = upstream_logout_url(
        _cfg(logoutUrl="http://u/logout"), id_token="idt", state="us-1", post_logout_redirect_uri=RETURN
    )
    assert url is not None and url.startswith("http://u/logout?")
    q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert q == {"state": "us-1", "id_token_hint": "idt", "post_logout_redirect_uri": RETURN}
    url = upstream_logout_url(
        _cfg(logoutUrl="http://u/logout", sendIdTokenOnLogout="false", sendClientIdOnLogout="true"),
        id_token="idt",
        state="us-1",
        post_logout_redirect_uri=RETURN,
    )
    q = {k: v[0] for k, v in parse_qs(urlsplit(url or "").query).items()}
    assert "id_token_hint" not in q and q["client_id"] == "idp_client"


async def test_backchannel_logout_is_a_server_side_get(upstream: Upstream, http: httpx.AsyncClient) -> None:
    upstream.reply("/logout", "", content_type="text/plain")
    cfg = _cfg(logoutUrl=upstream.url("/logout"), backchannelSupported="true")
    assert await backchannel_logout(http, cfg, id_token="idt", state="us-1") is True
    (call,) = upstream.script.hits("/logout")
    assert call.method == "GET" and call.query == {"state": "us-1", "id_token_hint": "idt"}
    upstream.reply("/logout", "no", status=500)
    assert await backchannel_logout(http, cfg, id_token="idt", state="us-1") is False  # logged, not raised
    assert await backchannel_logout(http, _cfg(), id_token="idt", state="us-1") is False


def _provider(upstream: Upstream, alias: str = "slave", **config: str) -> tuple[IdentityProvider, OIDCConfig]:
    settings = {
        "authorizationUrl": "http://u/auth",
        "tokenUrl": "http://u/token",
        "clientId": "idp_client",
        "issuer": ISSUER,
        "useJwksUrl": "true",
        "jwksUrl": upstream.url("/jwks"),
        **config,
    }
    idp = IdentityProvider(internal_id=f"id-{alias}", realm_id="r", alias=alias, provider_id="oidc", config=settings)
    return idp, parse_config("oidc", settings)


def _logout_token(keys: Keys, clock: Clock, *, typ: str = "logout+jwt", **claims: Any) -> str:
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": "idp_client",
        "iat": int(clock.now),
        "exp": int(clock.now) + 60,
        "jti": "j1",
        "sub": "upstream-sub",
        "sid": "upstream-session",
        "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
    }
    base.update(claims)
    key = base.pop("_key", keys.a)
    return sign({k: v for k, v in base.items() if v is not None}, key, typ=typ)


async def test_logout_token_names_the_broker_session(
    upstream: Upstream, http: httpx.AsyncClient, clock: Clock, keys: Keys
) -> None:
    upstream.reply("/jwks", Keys.jwks(keys.a))
    cache = UpstreamKeyCache(http, clock=clock)
    providers = [_provider(upstream), _provider(upstream, "other", issuer="https://elsewhere")]
    (target,) = await verify_logout_token(_logout_token(keys, clock), providers, keys=cache, now=clock.now)
    assert (target.alias, target.broker_session_id, target.broker_user_id) == (
        "slave",
        "slave.upstream-session",
        None,
    )
    (target,) = await verify_logout_token(_logout_token(keys, clock, sid=None), providers, keys=cache, now=clock.now)
    assert (target.broker_session_id, target.broker_user_id) == (None, "slave.upstream-sub")


async def test_logout_token_signature_is_checked_even_when_validation_is_off(
    upstream: Upstream, http: httpx.AsyncClient, clock: Clock, keys: Keys
) -> None:
    upstream.reply("/jwks", Keys.jwks(keys.a))
    cache = UpstreamKeyCache(http, clock=clock)
    providers = [_provider(upstream, validateSignature="false")]
    with pytest.raises(TokenInvalid) as err:
        await verify_logout_token(_logout_token(keys, clock, _key=keys.rogue), providers, keys=cache, now=clock.now)
    assert err.value.check is Check.UNKNOWN_KID
    # No keys configured at all: refused, never read unsigned.
    bare = [_provider(upstream, useJwksUrl="false", jwksUrl="")]
    with pytest.raises(TokenInvalid) as err:
        await verify_logout_token(_logout_token(keys, clock), bare, keys=cache, now=clock.now)
    assert err.value.check is Check.NO_KEYS


@pytest.mark.parametrize(
    ("change", "check"),
    [
        ({"iss": "https://unknown"}, Check.ISSUER),
        ({"events": None}, Check.LOGOUT_EVENT),
        ({"events": {"http://other/event": {}}}, Check.LOGOUT_EVENT),
        ({"nonce": "n"}, Check.NONCE),
        ({"sid": None, "sub": None}, Check.SUBJECT),
        ({"aud": "someone-else"}, Check.AUDIENCE),
        ({"exp": 1}, Check.EXPIRED),
        ({"typ": "JWT"}, Check.LOGOUT_TYPE),
    ],
)
async def test_bad_logout_tokens_are_refused(
    upstream: Upstream,
    http: httpx.AsyncClient,
    clock: Clock,
    keys: Keys,
    change: dict[str, Any],
    check: Check,
) -> None:
    upstream.reply("/jwks", Keys.jwks(keys.a))
    cache = UpstreamKeyCache(http, clock=clock)
    typ = change.pop("typ", "logout+jwt")
    with pytest.raises(TokenInvalid) as err:
        await verify_logout_token(
            _logout_token(keys, clock, typ=typ, **change), [_provider(upstream)], keys=cache, now=clock.now
        )
    assert err.value.check is check


async def test_disabled_provider_is_not_a_logout_source(
    upstream: Upstream, http: httpx.AsyncClient, clock: Clock, keys: Keys
) -> None:
    upstream.reply("/jwks", Keys.jwks(keys.a))
    idp, cfg = _provider(upstream)
    with pytest.raises(TokenInvalid):
        await verify_logout_token(
            _logout_token(keys, clock),
            [(replace(idp, enabled=False), cfg)],
            keys=UpstreamKeyCache(http, clock=clock),
            now=clock.now,
        )


async def test_keycloak_adapter_logout_action(
    upstream: Upstream, http: httpx.AsyncClient, clock: Clock, keys: Keys
) -> None:
    upstream.reply("/jwks", Keys.jwks(keys.a))
    cache = UpstreamKeyCache(http, clock=clock)
    idp, cfg = _provider(upstream, validateSignature="false")
    action = {
        "id": "a1",
        "action": "LOGOUT",
        "resource": "idp_client",
        "expiration": int(clock.now) + 30,
        "keycloakSessionIds": ["s1", "s2"],
    }
    assert await verify_keycloak_logout_action(sign(action, keys.a), idp, cfg, keys=cache, now=clock.now) == [
        "slave.s1",
        "slave.s2",
    ]
    for bad, check in (
        ({**action, "resource": "other"}, Check.AUDIENCE),
        ({**action, "expiration": int(clock.now) - 1}, Check.EXPIRED),
        ({**action, "action": "PUSH_NOT_BEFORE"}, Check.LOGOUT_EVENT),
    ):
        with pytest.raises(TokenInvalid) as err:
            await verify_keycloak_logout_action(sign(bad, keys.a), idp, cfg, keys=cache, now=clock.now)
        assert err.value.check is check
    with pytest.raises(TokenInvalid) as err:  # signature checked although validateSignature is off
        await verify_keycloak_logout_action(sign(action, keys.rogue), idp, cfg, keys=cache, now=clock.now)
    assert err.value.check is Check.UNKNOWN_KID
