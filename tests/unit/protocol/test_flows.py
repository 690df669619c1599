"""Protocol flows over a real SQLite store: grants, code replay, sessions, userinfo, revocation."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from tests.unit.protocol.conftest import NOW, PASSWORD, SECRET, World

from realmgate.crypto import jws
from realmgate.crypto.secrets import SYSTEM
from realmgate.protocol import introspection, login_flow, revocation
from realmgate.protocol.authorize import parse_authorization_request
from realmgate.protocol.end_session import backchannel_logout
from realmgate.protocol.errors import InvalidGrant, InvalidToken, OAuthError
from realmgate.protocol.pkce import s256
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.requests import EndpointCall, parse_adapter_logout, parse_token_query, parse_token_request
from realmgate.protocol.token_endpoint import token_request
from realmgate.protocol.tokens import at_hash
from realmgate.protocol.userinfo import userinfo
from realmgate.store.interface import Tx

ISSUER = "http://sso.test/realms/test"
VERIFIER = "v" * 50


T = TypeVar("T")
R = TypeVar("R")
APP = {"client_id": "app", "client_secret": SECRET}


async def token(world: World, params: dict[str, str], *, now: int = NOW, commit_errors: bool = True) -> dict[str, Any]:
    """Call the token endpoint; like the web layer, an OAuth error still commits its writes."""
    error: OAuthError | None = None
    async with world.store.tx() as tx:
        config = await world.config(tx)
        try:
            _, issued = await token_request(
                tx,
                config,
                parse_token_request({**APP, **params}),
                EndpointCall(None, ISSUER, now, SYSTEM, "127.0.0.1"),
            )
        except OAuthError as exc:
            error = exc
    if error is not None:
        raise error
    return issued.response


async def password_grant(world: World, **extra: str) -> dict[str, Any]:
    return await token(
        world,
        {"grant_type": "password", "username": "alice", "password": PASSWORD, "scope": "openid", **extra},
    )


async def info(world: World, access_token: str, *, now: int = NOW) -> dict[str, object]:
    async with world.store.tx() as tx:
        return (
            await userinfo(tx, await world.config(tx), access_token, EndpointCall(None, ISSUER, now, SYSTEM))
        ).claims


async def as_app(
    world: World,
    endpoint: Callable[[Tx, RealmConfig, R, EndpointCall], Awaitable[T]],
    request: R,
    *,
    now: int = NOW,
) -> T:
    """Call an endpoint that authenticates its client (introspection, revocation, adapter logout)
    with a request of the confidential client "app" (its form holds ``APP``)."""
    async with world.store.tx() as tx:
        return await endpoint(tx, await world.config(tx), request, EndpointCall(None, ISSUER, now, SYSTEM))


async def introspect(world: World, tok: str, *, now: int = NOW) -> dict[str, object]:
    return await as_app(world, introspection.introspect, parse_token_query({**APP, "token": tok}), now=now)


async def code_for(world: World, client_id: str = "app", **params: str) -> str:
    """Run an authorization request and a successful login; return the code."""
    response = await authorize(world, client_id, **params)
    return response["code"]


async def authorize(world: World, client_id: str = "app", **params: str) -> dict[str, str]:
    """Run an authorization request and a successful login; return the response parameters."""
    request_params = {
        "client_id": client_id,
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": "https://app.example/cb",
        "state": "st",
        "nonce": "n-1",
        **params,
    }
    async with world.store.tx() as tx:
        config = await world.config(tx)
        auth = parse_authorization_request(config, request_params, issuer=ISSUER)
        step = await login_flow.start_login(tx, config, auth, auth_session_id="browser", now=NOW, ids=SYSTEM)
        result = await login_flow.finish(
            tx, config, step, world.user, current=None, issuer=ISSUER, now=NOW, ids=SYSTEM, ip_address=None
        )
        response = dict(result.params)
    assert response["state"] == "st" and response["iss"] == ISSUER and response["session_state"] == result.session.id
    return response


async def test_password_grant_issues_keycloak_shaped_tokens(world: World) -> None:
    response = await password_grant(world)
    assert list(response) == [
        "access_token",
        "expires_in",
        "refresh_expires_in",
        "refresh_token",
        "token_type",
        "id_token",
        "not-before-policy",
        "session_state",
        "scope",
    ]
    assert response["token_type"] == "Bearer" and response["expires_in"] == 300
    assert response["refresh_expires_in"] == 1800 and response["scope"] == "openid profile email"
    async with world.store.tx() as tx:
        keys = (await world.config(tx)).keys
    access: dict[str, Any] = jws.verify(response["access_token"], keys, algorithms=["RS256"])
    assert access["iss"] == ISSUER and access["typ"] == "Bearer" and access["azp"] == "app"
    assert access["sub"] == world.user.id and access["sid"] == response["session_state"]
    assert access["preferred_username"] == "alice" and access["email"] == "alice@example.com"
    assert set(access["realm_access"]["roles"]) >= {
        "offline_access",
        "uma_authorization",
        "default-roles-test",
    }
    assert "view-profile" in access["resource_access"]["account"]["roles"]
    assert "account" in access["aud"]
    assert access["allowed-origins"] == ["https://app.example"]
    id_token = jws.verify(response["id_token"], keys, algorithms=["RS256"])
    assert id_token["aud"] == "app" and id_token["typ"] == "ID" and id_token["sid"] == access["sid"]
    assert id_token["at_hash"] == at_hash(response["access_token"], "RS256")
    assert id_token["auth_time"] == NOW and id_token["name"] == "Alice Liddell"
    assert jws.unverified_header(response["refresh_token"])["alg"] == "HS512"
    assert jws.unverified_claims(response["refresh_token"])["typ"] == "Refresh"


async def test_wrong_password_and_disabled_user(world: World) -> None:
    with pytest.raises(InvalidGrant, match="Invalid user credentials"):
        await token(world, {"grant_type": "password", "username": "alice", "password": "nope"})
    with pytest.raises(InvalidGrant, match="Invalid user credentials"):
        await token(world, {"grant_type": "password", "username": "nobody", "password": "nope"})
    async with world.store.tx() as tx:
        await tx.users.update(dataclasses.replace(world.user, enabled=False))
    with pytest.raises(InvalidGrant, match="Account disabled"):
        await password_grant(world)


async def test_login_by_email(world: World) -> None:
    response = await token(world, {"grant_type": "password", "username": "Alice@Example.com", "password": PASSWORD})
    assert "id_token" not in response  # no openid scope


async def test_refresh_grant_and_session_end(world: World) -> None:
    first = await password_grant(world)
    second = await token(world, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}, now=NOW + 10)
    assert second["session_state"] == first["session_state"]
    claims = jws.unverified_claims(second["access_token"])
    assert claims["iat"] == NOW + 10
    with pytest.raises(InvalidGrant, match="Invalid refresh token"):
        await token(world, {"grant_type": "refresh_token", "refresh_token": "garbage"})
    # Another client cannot use it.
    with pytest.raises(InvalidGrant):
        await token(
            world,
            {
                "grant_type": "refresh_token",
                "refresh_token": second["refresh_token"],
                "client_id": "other",
                "client_secret": "other-secret",
            },
        )
    await as_app(
        world, backchannel_logout, parse_adapter_logout({**APP, "refresh_token": second["refresh_token"]}), now=NOW + 20
    )
    with pytest.raises(InvalidGrant, match="Session not active"):
        await token(world, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]}, now=NOW + 30)
    with pytest.raises(InvalidToken):
        await info(world, second["access_token"], now=NOW + 30)


async def test_refresh_token_rotation(world: World) -> None:
    async with world.store.tx() as tx:
        realm = await tx.realms.get(world.realm_id)
        assert realm is not None
        await tx.realms.update(dataclasses.replace(realm, revoke_refresh_token=True, refresh_token_max_reuse=0))
    first = await password_grant(world)
    second = await token(world, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}, now=NOW + 5)
    with pytest.raises(InvalidGrant, match="Maximum allowed refresh token reuse exceeded"):
        await token(world, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}, now=NOW + 6)
    await token(world, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]}, now=NOW + 7)
    with pytest.raises(InvalidGrant, match="Stale token"):
        await token(world, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}, now=NOW + 8)


async def pkce_code_params(world: World, **override: str) -> dict[str, str]:
    """Token request parameters that redeem a fresh S256-protected code of "app"."""
    code = await code_for(world, code_challenge=s256(VERIFIER), code_challenge_method="S256")
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "https://app.example/cb",
        "code_verifier": VERIFIER,
        **override,
    }


async def test_code_flow_with_pkce_then_replay_revokes(world: World) -> None:
    params = await pkce_code_params(world)
    tokens = await token(world, params)
    assert jws.unverified_claims(tokens["id_token"])["nonce"] == "n-1"
    assert (await info(world, tokens["access_token"]))["preferred_username"] == "alice"
    with pytest.raises(InvalidGrant, match="Code not valid"):
        await token(world, params)
    with pytest.raises(InvalidToken):
        await info(world, tokens["access_token"])
    with pytest.raises(InvalidGrant, match="Session doesn't have required client"):
        await token(world, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"code_verifier": "w" * 50}, "PKCE verification failed"),
        ({"code_verifier": ""}, "PKCE code verifier not specified"),
        ({"redirect_uri": "https://app.example/other"}, "Incorrect redirect_uri"),
        ({"client_id": "other", "client_secret": "other-secret"}, "Auth error"),
    ],
)
async def test_code_redemption_checks(world: World, override: dict[str, str], message: str) -> None:
    params = await pkce_code_params(world, **override)
    with pytest.raises(InvalidGrant, match=message):
        await token(world, params)


async def test_expired_code(world: World) -> None:
    code = await code_for(world)
    with pytest.raises(InvalidGrant, match="Code not valid"):
        await token(
            world,
            {"grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb"},
            now=NOW + 61,
        )


async def test_client_credentials_writes_no_session(world: World) -> None:
    response = await token(world, {"grant_type": "client_credentials"})
    assert "refresh_token" not in response and "session_state" not in response
    claims = jws.unverified_claims(response["access_token"])
    assert claims["preferred_username"] == "service-account-app" and "sid" not in claims
    async with world.store.tx() as tx:
        assert await tx.sessions.count_by_client(world.realm_id) == {}
    assert (await introspect(world, response["access_token"]))["active"] is True


async def test_introspection_and_revocation(world: World) -> None:
    tokens = await password_grant(world)
    active = await introspect(world, tokens["access_token"])
    assert active["active"] is True and active["client_id"] == "app" and active["username"] == "alice"
    assert (await introspect(world, tokens["refresh_token"]))["active"] is True
    assert (await introspect(world, "not-a-token")) == {"active": False}
    assert (await introspect(world, tokens["access_token"], now=NOW + 301)) == {"active": False}
    await as_app(world, revocation.revoke, parse_token_query({**APP, "token": tokens["access_token"]}))
    assert (await introspect(world, tokens["access_token"])) == {"active": False}
    # The refresh token still works until it is revoked too.
    await token(world, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    await as_app(world, revocation.revoke, parse_token_query({**APP, "token": tokens["refresh_token"]}))
    with pytest.raises(InvalidGrant):
        await token(world, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})


async def test_idle_session_ends_tokens(world: World) -> None:
    tokens = await password_grant(world)
    await info(world, tokens["access_token"], now=NOW + 200)
    async with world.store.tx() as tx:
        realm = await tx.realms.get(world.realm_id)
        assert realm is not None
        await tx.realms.update(dataclasses.replace(realm, sso_session_idle_timeout=100))
    with pytest.raises(InvalidToken):
        await info(world, tokens["access_token"], now=NOW + 200)


async def test_es256_key_is_created_on_first_need(world: World) -> None:
    async with world.store.tx() as tx:
        config = await world.config(tx)
        app = config.clients["app"]
        attrs = {**app.attributes, "access.token.signed.response.alg": "ES256"}
        await tx.clients.update(dataclasses.replace(app, attributes=attrs))
    response = await password_grant(world)
    assert jws.unverified_header(response["access_token"])["alg"] == "ES256"
    assert jws.unverified_header(response["id_token"])["alg"] == "RS256"
    assert (await info(world, response["access_token"]))["sub"] == world.user.id
    async with world.store.tx() as tx:
        assert [k.algorithm for k in await tx.keys.list(world.realm_id)].count("ES256") == 1


def test_at_hash_vector() -> None:
    # OIDC Core A.3-style check: left 128 bits of SHA-256, base64url without padding.
    import hashlib

    digest = hashlib.sha256(b"token").digest()[:16]
    assert at_hash("token", "RS256") == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def test_replayed_code_tokens_stay_revoked_after_sso_reauthentication(world: World) -> None:
    code = await code_for(world)
    params = {"grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb"}
    first = await token(world, params)
    with pytest.raises(InvalidGrant):
        await token(world, params)
    # The client comes back through SSO: its new tokens work, the replayed code's do not.
    async with world.store.tx() as tx:
        config = await world.config(tx)
        auth = parse_authorization_request(
            config,
            {"client_id": "app", "response_type": "code", "scope": "openid", "redirect_uri": "https://app.example/cb"},
            issuer=ISSUER,
        )
        session_id = str(jws.unverified_claims(first["access_token"])["sid"])
        session = await tx.sessions.get(world.realm_id, session_id)
        assert session is not None
        again = dict(await login_flow.complete(tx, config, auth, session, issuer=ISSUER, now=NOW, ids=SYSTEM))
    second = await token(world, {**params, "code": again["code"]})
    assert (await info(world, second["access_token"]))["sub"] == world.user.id
    with pytest.raises(InvalidToken):
        await info(world, first["access_token"])
    with pytest.raises(InvalidGrant):
        await token(world, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})


async def test_offline_access_gets_an_offline_session(world: World) -> None:
    code = await code_for(world, scope="openid offline_access")
    tokens = await token(
        world, {"grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb"}
    )
    refresh = jws.unverified_claims(tokens["refresh_token"])
    assert refresh["typ"] == "Offline" and tokens["refresh_expires_in"] == 0
    assert "offline_access" in tokens["scope"]
    # The offline session outlives the SSO session's idle timeout.
    later = NOW + 3600
    refreshed = await token(world, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}, now=later)
    assert jws.unverified_claims(refreshed["refresh_token"])["typ"] == "Offline"


async def test_offline_access_needs_the_role(world: World) -> None:
    async with world.store.tx() as tx:
        realm = await tx.realms.get(world.realm_id)
        assert realm is not None and realm.default_role_id is not None
        await tx.users.revoke_roles(world.realm_id, world.user.id, [realm.default_role_id])
    with pytest.raises(OAuthError, match="Offline tokens not allowed"):
        await password_grant(world, scope="openid offline_access")


async def test_outdated_password_hash_is_upgraded_on_login(world: World) -> None:
    from realmgate.crypto.passwords import hash_password, needs_rehash

    async with world.store.tx() as tx:
        (credential,) = await tx.credentials.list(world.user.id)
        secret, data = hash_password(PASSWORD, policy="hashAlgorithm(pbkdf2-sha256)")
        await tx.credentials.update(dataclasses.replace(credential, secret_data=secret, credential_data=data))
    assert needs_rehash(data)
    await password_grant(world)
    async with world.store.tx() as tx:
        (upgraded,) = await tx.credentials.list(world.user.id)
    assert not needs_rehash(upgraded.credential_data)
    await password_grant(world)  # and the new hash verifies


async def test_login_events_only_when_enabled(world: World) -> None:
    from realmgate.store.interface import EventQuery

    await password_grant(world)
    async with world.store.tx() as tx:
        assert await tx.events.list(world.realm_id, EventQuery()) == []
        realm = await tx.realms.get(world.realm_id)
        assert realm is not None
        await tx.realms.update(dataclasses.replace(realm, events_enabled=True))
    tokens = await password_grant(world)
    with pytest.raises(InvalidGrant):
        await token(world, {"grant_type": "password", "username": "alice", "password": "nope"})
    await as_app(world, backchannel_logout, parse_adapter_logout({**APP, "refresh_token": tokens["refresh_token"]}))
    async with world.store.tx() as tx:
        recorded = await tx.events.list(world.realm_id, EventQuery())
    kinds = sorted((e.type, e.error or "") for e in recorded)
    assert kinds == [("LOGIN", ""), ("LOGIN_ERROR", "invalid_user_credentials"), ("LOGOUT", "")]
    login = next(e for e in recorded if e.type == "LOGIN")
    assert login.user_id == world.user.id and login.client_id == "app" and login.session_id == tokens["session_state"]
