"""The whole callback of an OIDC connector against a real loopback upstream: code exchange,
ID token checks in Keycloak's order, access token JWT, userinfo, and the identity built."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from tests.unit.broker.broker_testkit import Clock, Keys, Upstream, sign

from realmgate.broker.connector import BrokeredIdentity, ClientRequest, UpstreamLogin
from realmgate.broker.errors import Check, TokenInvalid, UpstreamError
from realmgate.broker.oidc.connector import OIDCConnector
from realmgate.broker.oidc.keys import UpstreamKeyCache
from realmgate.broker.oidc.oauth2 import ConnectorDeps
from realmgate.broker.registry import create_connector
from realmgate.crypto.secrets import SYSTEM
from realmgate.model.identity_provider import IdentityProvider

ISSUER = "https://upstream.example/realms/slave_realm"
REDIRECT = "http://localhost:8080/realms/master_realm/broker/slave/endpoint"


class World:
    """One provider configured against the loopback upstream, and helpers to script it."""

    def __init__(self, upstream: Upstream, http: httpx.AsyncClient, clock: Clock, keys: Keys) -> None:
        self.upstream, self.http, self.clock, self.keys = upstream, http, clock, keys
        self.cache = UpstreamKeyCache(http, clock=clock)
        upstream.reply("/jwks", Keys.jwks(keys.a))

    def connector(self, provider_id: str = "oidc", **config: str) -> OIDCConnector:
        idp = IdentityProvider(
            internal_id="idp-uuid",
            realm_id="realm-uuid",
            alias="slave",
            provider_id=provider_id,
            config={
                "authorizationUrl": "http://localhost:8081/auth",
                "tokenUrl": self.upstream.url("/token"),
                "clientId": "idp_client",
                "clientSecret": "secret",
                "validateSignature": "true",
                "useJwksUrl": "true",
                "jwksUrl": self.upstream.url("/jwks"),
                "issuer": ISSUER,
                **config,
            },
        )
        connector = create_connector(idp, ConnectorDeps(self.http, self.cache, self.clock, ids=SYSTEM))
        assert isinstance(connector, OIDCConnector)
        return connector

    def id_token(self, login: UpstreamLogin, **claims: Any) -> str:
        now = int(self.clock.now)
        base: dict[str, Any] = {
            "iss": ISSUER,
            "sub": "upstream-sub",
            "aud": "idp_client",
            "azp": "idp_client",
            "exp": now + 300,
            "iat": now,
            "auth_time": now - 10,
            "nonce": login.nonce,
            "sid": "upstream-session",
            "preferred_username": "Slave_User",
            "email": "Slave@Example.com",
            "email_verified": True,
            "given_name": "Slave",
            "family_name": "User",
        }
        base.update(claims)
        key = base.pop("_key", self.keys.a)
        return sign({k: v for k, v in base.items() if v is not None}, key)

    def tokens(self, id_token: str | None, **extra: Any) -> None:
        body: dict[str, Any] = {
            "access_token": extra.pop("access_token", "opaque-at"),
            "token_type": "Bearer",
        }
        if id_token is not None:
            body["id_token"] = id_token
        body.update(expires_in=300, refresh_token="rt", **extra)
        self.upstream.reply("/token", body)


@pytest.fixture
def world(upstream: Upstream, http: httpx.AsyncClient, clock: Clock, keys: Keys) -> World:
    return World(upstream, http, clock, keys)


def _login(connector: OIDCConnector, **client: Any) -> UpstreamLogin:
    return connector.login_url(ClientRequest(**client), redirect_uri=REDIRECT)


async def test_happy_callback_builds_the_identity(world: World) -> None:
    connector = world.connector(pkceEnabled="true", pkceMethod="S256")
    login = _login(connector)
    world.tokens(world.id_token(login), session_state="kc-session")
    identity = await connector.handle_callback("code-1", login)
    sent = world.upstream.script.hits("/token")[0].form
    assert sent["code"] == "code-1" and sent["redirect_uri"] == REDIRECT
    assert sent["code_verifier"] == login.code_verifier
    assert isinstance(identity, BrokeredIdentity)
    assert (identity.alias, identity.id, identity.username) == ("slave", "upstream-sub", "Slave_User")
    assert (identity.email, identity.email_verified) == ("Slave@Example.com", True)
    assert (identity.first_name, identity.last_name) == ("Slave", "User")
    assert identity.broker_user_id == "slave.upstream-sub"
    assert identity.broker_session_id == "slave.upstream-session"
    assert identity.userinfo_claims is None and identity.access_token_claims is None
    assert identity.id_token_claims["sub"] == "upstream-sub"
    stored = json.loads(identity.token or "")
    assert stored["refresh_token"] == "rt"
    assert stored["accessTokenExpiration"] == int(world.clock.now) + 300
    assert identity.id_token is not None


async def test_username_falls_back_to_email_then_sub(world: World) -> None:
    connector = world.connector()
    login = _login(connector)
    world.tokens(world.id_token(login, preferred_username=None))
    assert (await connector.handle_callback("c", login)).username == "Slave@Example.com"
    login = _login(connector)
    world.tokens(world.id_token(login, preferred_username=None, email=None, sid=None), session_state="ss")
    identity = await connector.handle_callback("c", login)
    assert identity.username == "upstream-sub"
    assert identity.broker_session_id == "slave.ss"


async def test_full_name_is_split_when_given_and_family_are_absent(world: World) -> None:
    connector = world.connector()
    login = _login(connector)
    world.tokens(world.id_token(login, given_name=None, family_name=None, name="Mary Ann Smith"))
    identity = await connector.handle_callback("c", login)
    assert (identity.first_name, identity.last_name) == ("Mary Ann", "Smith")


async def _refused(world: World, connector: OIDCConnector, login: UpstreamLogin, token: str | None) -> Check:
    world.tokens(token)
    with pytest.raises(TokenInvalid) as err:
        await connector.handle_callback("c", login)
    assert "eyJ" not in str(err.value.detail) and "eyJ" not in err.value.message
    return err.value.check


@pytest.mark.parametrize(
    ("claims", "check"),
    [
        ({"exp": -1}, Check.EXPIRED),
        ({"exp": None}, Check.EXPIRED),
        ({"nbf": 10_000}, Check.NOT_YET_VALID),
        ({"iat": 10_000}, Check.ISSUED_IN_FUTURE),
        ({"aud": "someone-else"}, Check.AUDIENCE),
        ({"aud": ["someone-else", "idp_client"], "azp": "someone-else"}, Check.AZP),
        ({"iss": "https://evil.example"}, Check.ISSUER),
        ({"nonce": "not-the-nonce"}, Check.NONCE),
        ({"nonce": None}, Check.NONCE),
        ({"_key": "rogue"}, Check.UNKNOWN_KID),
        ({"sub": None}, Check.SUBJECT),
    ],
)
async def test_each_id_token_check_refuses(world: World, claims: dict[str, Any], check: Check) -> None:
    connector = world.connector()
    login = _login(connector)
    now = int(world.clock.now)
    fixed = {k: (now + v if k in ("exp", "nbf", "iat") and isinstance(v, int) else v) for k, v in claims.items()}
    if fixed.get("_key") == "rogue":
        fixed["_key"] = world.keys.rogue
    assert await _refused(world, connector, login, world.id_token(login, **fixed)) is check


async def test_missing_id_token_is_refused(world: World) -> None:
    connector = world.connector()
    assert await _refused(world, connector, _login(connector), None) is Check.MISSING_TOKEN


async def test_clock_skew_is_allowed(world: World) -> None:
    connector = world.connector(allowedClockSkew="30")
    login = _login(connector)
    now = int(world.clock.now)
    world.tokens(world.id_token(login, exp=now - 20, nbf=now + 20, iat=now + 20))
    await connector.handle_callback("c", login)
    login = _login(connector)
    assert await _refused(world, connector, login, world.id_token(login, exp=now - 31)) is Check.EXPIRED


async def test_several_issuers_and_no_issuer_check(world: World) -> None:
    connector = world.connector(issuer=f"https://other.example, {ISSUER}")
    login = _login(connector)
    world.tokens(world.id_token(login))
    await connector.handle_callback("c", login)
    connector = world.connector(issuer="")
    login = _login(connector)
    world.tokens(world.id_token(login, iss="https://anything.example"))
    await connector.handle_callback("c", login)


async def test_unsigned_checks_still_apply_without_signature_validation(world: World) -> None:
    connector = world.connector(validateSignature="false")
    login = _login(connector)
    world.tokens(world.id_token(login, _key=world.keys.rogue))
    await connector.handle_callback("c", login)  # any key: signatures are not checked
    assert world.upstream.script.hits("/jwks") == []
    login = _login(connector)
    assert await _refused(world, connector, login, world.id_token(login, aud="x")) is Check.AUDIENCE


async def test_disable_nonce(world: World) -> None:
    connector = world.connector(disableNonce="true")
    login = _login(connector)
    assert login.nonce is None
    world.tokens(world.id_token(login))
    await connector.handle_callback("c", login)


async def test_max_age_requires_recent_authentication(world: World) -> None:
    connector = world.connector(passMaxAge="true")
    login = _login(connector, max_age=60)
    now = int(world.clock.now)
    world.tokens(world.id_token(login, auth_time=now - 30))
    await connector.handle_callback("c", login)
    login = _login(connector, max_age=60)
    assert await _refused(world, connector, login, world.id_token(login, auth_time=now - 61)) is Check.AUTH_TIME
    login = _login(connector, max_age=60)
    assert await _refused(world, connector, login, world.id_token(login, auth_time=None)) is Check.AUTH_TIME
    # Without passMaxAge, max_age is neither sent nor checked.
    connector = world.connector()
    login = _login(connector, max_age=60)
    world.tokens(world.id_token(login, auth_time=now - 6000))
    await connector.handle_callback("c", login)


@pytest.mark.parametrize(
    ("value", "pattern", "ok"),
    [
        ("gold", "gold", True),
        ("golden", "gold", False),  # the whole value must match
        (["bronze", "gold"], "go.d", True),
        (["bronze"], "gold", False),
        (True, "true", True),
        (None, ".*", False),  # the claim must exist
        ("x", "(", False),  # a broken pattern fails closed
    ],
)
async def test_essential_claim_filter(world: World, value: object, pattern: str, ok: bool) -> None:
    connector = world.connector(filteredByClaim="true", claimFilterName="tier", claimFilterValue=pattern)
    login = _login(connector)
    token = world.id_token(login, tier=value)
    if ok:
        world.tokens(token)
        await connector.handle_callback("c", login)
    else:
        assert await _refused(world, connector, login, token) is Check.CLAIM_FILTER


def _userinfo(world: World, body: Mapping[str, Any] | str, content_type: str = "application/json") -> None:
    world.upstream.reply("/userinfo", body, content_type=content_type)


async def test_userinfo_overrides_profile_and_must_match_sub(world: World) -> None:
    connector = world.connector(userInfoUrl=world.upstream.url("/userinfo"))
    login = _login(connector)
    world.tokens(world.id_token(login), access_token="the-at")
    _userinfo(world, {"sub": "upstream-sub", "preferred_username": "from-userinfo", "email": "u@x.org"})
    identity = await connector.handle_callback("c", login)
    (call,) = world.upstream.script.hits("/userinfo")
    assert call.headers["authorization"] == "Bearer the-at"
    assert identity.username == "from-userinfo" and identity.email == "u@x.org"
    assert identity.first_name is None  # userinfo replaces the ID token's profile
    assert identity.userinfo_claims == {
        "sub": "upstream-sub",
        "preferred_username": "from-userinfo",
        "email": "u@x.org",
    }
    login = _login(connector)
    world.tokens(world.id_token(login))
    _userinfo(world, {"sub": "somebody-else"})
    with pytest.raises(TokenInvalid) as err:
        await connector.handle_callback("c", login)
    assert err.value.check is Check.USERINFO_SUB


async def test_signed_userinfo_is_verified(world: World) -> None:
    connector = world.connector(userInfoUrl=world.upstream.url("/userinfo"))
    login = _login(connector)
    world.tokens(world.id_token(login))
    _userinfo(world, sign({"sub": "upstream-sub", "email": "jwt@x.org"}, world.keys.a), "application/jwt")
    assert (await connector.handle_callback("c", login)).email == "jwt@x.org"
    login = _login(connector)
    world.tokens(world.id_token(login))
    _userinfo(world, sign({"sub": "upstream-sub"}, world.keys.rogue), "application/jwt")
    with pytest.raises(TokenInvalid):
        await connector.handle_callback("c", login)


async def test_disabled_userinfo_is_not_called(world: World) -> None:
    connector = world.connector(userInfoUrl=world.upstream.url("/userinfo"), disableUserInfo="true")
    login = _login(connector)
    world.tokens(world.id_token(login))
    await connector.handle_callback("c", login)
    assert world.upstream.script.hits("/userinfo") == []


async def test_userinfo_failure_is_an_upstream_error(world: World) -> None:
    connector = world.connector(userInfoUrl=world.upstream.url("/userinfo"))
    login = _login(connector)
    world.tokens(world.id_token(login))
    world.upstream.reply("/userinfo", {"error": "invalid_token"}, status=401)
    with pytest.raises(UpstreamError) as err:
        await connector.handle_callback("c", login)
    assert err.value.upstream_error == "invalid_token"


async def test_keycloak_oidc_validates_the_access_token_jwt(world: World) -> None:
    connector = world.connector("keycloak-oidc")
    now = int(world.clock.now)
    at_claims = {
        "iss": ISSUER,
        "sub": "upstream-sub",
        "aud": "account",  # not our client: the audience of an access token is not checked
        "exp": now + 300,
        "realm_access": {"roles": ["admin"]},
    }
    login = _login(connector)
    world.tokens(world.id_token(login), access_token=sign(at_claims, world.keys.a))
    identity = await connector.handle_callback("c", login)
    assert identity.access_token_claims is not None
    assert identity.access_token_claims["realm_access"] == {"roles": ["admin"]}
    login = _login(connector)
    world.tokens(world.id_token(login), access_token=sign({**at_claims, "exp": now - 1}, world.keys.a))
    with pytest.raises(TokenInvalid) as err:
        await connector.handle_callback("c", login)
    assert (err.value.check, err.value.what) == (Check.EXPIRED, "access token")
    login = _login(connector)
    world.tokens(world.id_token(login), access_token="opaque")
    with pytest.raises(TokenInvalid) as err:
        await connector.handle_callback("c", login)
    assert (err.value.check, err.value.what) == (Check.MALFORMED, "access token")


async def test_refresh_of_stored_tokens(world: World) -> None:
    connector = world.connector(minValidityToken="30")
    now = int(world.clock.now)
    stored = json.dumps({"access_token": "old", "refresh_token": "rt-1", "accessTokenExpiration": now + 100})
    assert connector.needs_refresh(stored, now=now) is False
    assert connector.needs_refresh(stored, now=now + 71) is True
    assert connector.needs_refresh(json.dumps({"access_token": "x"}), now=now) is False
    world.upstream.reply("/token", {"access_token": "new", "expires_in": 60, "refresh_token": "rt-2"})
    fresh = json.loads(await connector.refresh(stored))
    assert fresh["access_token"] == "new" and fresh["refresh_token"] == "rt-2"
    assert fresh["accessTokenExpiration"] == now + 60
    assert world.upstream.script.hits("/token")[0].form["refresh_token"] == "rt-1"
