"""Ending sessions: the logout token Keycloak's clients expect, and who is owed one when a
session ends by logout, revocation or expiry (over the real store of ``world``)."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import pytest
from tests.unit.protocol import kit
from tests.unit.protocol.conftest import NOW, PASSWORD, SECRET, World

from realmgate.admin import sessions as admin_sessions
from realmgate.admin.call import AdminCall
from realmgate.crypto import jws, realm_keys
from realmgate.crypto.secrets import SYSTEM
from realmgate.model.session import UserSession
from realmgate.protocol import revocation
from realmgate.protocol.logout_tokens import LOGOUT_EVENT, Delivery, logout_token
from realmgate.protocol.requests import EndpointCall, parse_token_query, parse_token_request
from realmgate.protocol.sessions import active_session, end_expired_sessions, end_sessions
from realmgate.protocol.token_endpoint import token_request

ISSUER = "http://sso.test/realms/test"
RECEIVER = "http://127.0.0.1:9/backchannel"


def _session() -> UserSession:
    return UserSession(id="s-1", realm_id="r", user_id="u-1", login_username="alice", started=NOW, last_refresh=NOW)


def _decode(token: str) -> tuple[dict[str, object], dict[str, object]]:
    keys = kit.realm_key_set()
    return jws.unverified_header(token), jws.verify(token, keys, algorithms={"RS256"})


def test_logout_token_has_keycloaks_claims_and_header() -> None:
    key = realm_keys.active_key(kit.realm_key_set(), "RS256")
    assert key is not None
    header, claims = _decode(logout_token(kit.client(), _session(), key, issuer=kit.ISSUER, now=NOW, ids=SYSTEM))
    assert header["typ"] == "logout+jwt" and header["alg"] == "RS256" and header["kid"] == key.kid
    assert claims.pop("jti")
    assert claims == {
        "iss": kit.ISSUER,
        "aud": "app",
        "iat": NOW,
        "exp": NOW + 120,
        "sub": "u-1",
        "sid": "s-1",
        "typ": "Logout",
        "events": {LOGOUT_EVENT: {}},
    }


def test_logout_token_follows_the_clients_backchannel_attributes() -> None:
    key = realm_keys.active_key(kit.realm_key_set(), "RS256")
    assert key is not None
    attributes = {"backchannel.logout.session.required": "false", "backchannel.logout.revoke.offline.tokens": "true"}
    _, claims = _decode(
        logout_token(kit.client(attributes=attributes), _session(), key, issuer=kit.ISSUER, now=NOW, ids=SYSTEM)
    )
    assert "sid" not in claims and "nonce" not in claims
    assert claims["events"] == {LOGOUT_EVENT: {}, "revoke_offline_access": True}


async def _with_receiver(world: World, *client_ids: str) -> None:
    async with world.store.tx() as tx:
        config = await world.config(tx)
        for client_id in client_ids:
            client = config.clients[client_id]
            attributes = {**client.attributes, "backchannel.logout.url": f"{RECEIVER}/{client_id}"}
            await tx.clients.update(dataclasses.replace(client, attributes=attributes))


async def _password_tokens(world: World, client_id: str, secret: str) -> dict[str, object]:
    params = {"grant_type": "password", "username": "alice", "password": PASSWORD, "scope": "openid"}
    async with world.store.tx() as tx:
        _, issued = await token_request(
            tx,
            await world.config(tx),
            parse_token_request({"client_id": client_id, "client_secret": secret, **params}),
            EndpointCall(None, ISSUER, NOW, SYSTEM),
        )
    return dict(issued.response)


async def _revoke(world: World, refresh_token: object) -> list[Delivery]:
    async with world.store.tx() as tx:
        return await revocation.revoke(
            tx,
            await world.config(tx),
            parse_token_query({"client_id": "app", "client_secret": SECRET, "token": str(refresh_token)}),
            EndpointCall(None, ISSUER, NOW, SYSTEM),
        )


async def test_ending_a_session_twice_tells_its_clients_once(world: World) -> None:
    await _with_receiver(world, "app")
    sid = str((await _password_tokens(world, "app", SECRET))["session_state"])
    async with world.store.tx() as tx:
        first = await end_sessions(tx, (await world.config(tx)).realm, [sid, sid], issuer=ISSUER, now=NOW, ids=SYSTEM)
        again = await end_sessions(tx, (await world.config(tx)).realm, [sid], issuer=ISSUER, now=NOW, ids=SYSTEM)
        assert await tx.sessions.get(world.realm_id, sid) is None
    assert [(d.client_id, d.url) for d in first] == [("app", f"{RECEIVER}/app")]
    assert jws.unverified_claims(first[0].token)["sid"] == sid
    assert again == []


async def test_revoking_the_last_clients_refresh_token_ends_the_session(world: World) -> None:
    await _with_receiver(world, "app")
    tokens = await _password_tokens(world, "app", SECRET)
    sid = str(tokens["session_state"])
    items = await _revoke(world, tokens["refresh_token"])
    assert [d.client_id for d in items] == ["app"]
    claims = jws.unverified_claims(items[0].token)
    assert claims["sid"] == sid and claims["iss"] == ISSUER
    async with world.store.tx() as tx:
        assert await tx.sessions.get(world.realm_id, sid) is None


async def test_revoking_one_of_two_clients_keeps_the_session(world: World) -> None:
    await _with_receiver(world, "app", "other")
    tokens = await _password_tokens(world, "app", SECRET)
    sid = str(tokens["session_state"])
    async with world.store.tx() as tx:
        config = await world.config(tx)
        session = await tx.sessions.get(world.realm_id, sid)
        assert session is not None
        other = config.clients["other"]
        clients = {
            **session.client_sessions,
            other.id: dataclasses.replace(session.client_sessions[config.clients["app"].id], client_id=other.id),
        }
        await tx.sessions.update(dataclasses.replace(session, client_sessions=clients))
    assert await _revoke(world, tokens["refresh_token"]) == []
    async with world.store.tx() as tx:
        session = await tx.sessions.get(world.realm_id, sid)
        assert session is not None and set(session.client_sessions) == {other.id}


async def test_an_expired_session_is_refused_then_swept_with_a_logout_token(world: World) -> None:
    """A token request only refuses an expired session; the sweep ends it and tells its client,
    naming the issuer the client got its tokens from (no request is there to say it)."""
    await _with_receiver(world, "app")
    sid = str((await _password_tokens(world, "app", SECRET))["session_state"])
    async with world.store.tx() as tx:
        realm = (await world.config(tx)).realm
        later = NOW + realm.sso_session_idle_timeout
        assert await end_expired_sessions(tx, later - 1, SYSTEM) == (0, [])
        assert await active_session(tx, realm, sid, later) is None
        ended, items = await end_expired_sessions(tx, later, SYSTEM)
        assert await tx.sessions.get(world.realm_id, sid) is None
        assert await end_expired_sessions(tx, later, SYSTEM) == (0, [])
        keys = await tx.keys.list(world.realm_id)
    assert ended == 1 and [item.url for item in items] == [f"{RECEIVER}/app"]
    claims = jws.verify(items[0].token, keys, algorithms={"RS256"})
    assert (claims["iss"], claims["sid"], claims["aud"]) == (ISSUER, sid, "app")


async def test_logout_all_pages_through_every_session(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The admin API's logout-all, a page at a time: every session of the realm ends and each
    client session with a back-channel URL is owed one token, after the commit."""
    monkeypatch.setattr(admin_sessions, "LOGOUT_ALL_PAGE", 2)
    await _with_receiver(world, "app")
    sids = {str((await _password_tokens(world, "app", SECRET))["session_state"]) for _ in range(5)}
    assert len(sids) == 5
    async with world.store.tx() as tx:
        realm = (await world.config(tx)).realm
        call = AdminCall(
            tx=tx,
            who=cast(Any, None),  # logout-all reads neither: the web adapter has checked both
            auth=cast(Any, None),
            now=NOW + 1,
            ids=SYSTEM,
            path={},
            args={},
            body=None,
            target=realm,
            frontend_base="http://sso.test",
        )
        await admin_sessions.logout_all(call)
        assert await tx.sessions.list_for_realm(world.realm_id) == []
    assert sorted(str(jws.unverified_claims(d.token)["sid"]) for d in call.after_commit) == sorted(sids)
    assert {jws.unverified_claims(d.token)["iss"] for d in call.after_commit} == {ISSUER}
