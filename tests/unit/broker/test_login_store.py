"""The store-side steps of a brokered login on a real database (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest
from tests.store import factories as f
from tests.unit.broker.broker_testkit import Clock, Upstream
from tests.unit.broker.identities import slave_identity
from tests.unit.ids import CountingRandomness

from realmgate.broker import login_store
from realmgate.broker.connector import ClientRequest, UpstreamLogin
from realmgate.broker.errors import StateInvalid
from realmgate.broker.first_login_decision import Step, decide, proposed_username
from realmgate.broker.oidc.connector import OIDCConnector
from realmgate.broker.oidc.keys import UpstreamKeyCache
from realmgate.broker.oidc.oauth2 import ConnectorDeps
from realmgate.broker.upstream_logout import LogoutTarget
from realmgate.crypto.secrets import SYSTEM
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.realm import Realm
from realmgate.store.interface import Conflict, Tx
from realmgate.store.sql import SqlStore

NOW = 1_700_000_000
IDENTITY = slave_identity(id_token="header.payload.sig", token='{"access_token":"at"}', session_id="up-session")


def _idp(
    realm: Realm,
    upstream: Upstream | None = None,
    *,
    store_token: bool = False,
    read_token: bool = False,
) -> IdentityProvider:
    config = {
        "authorizationUrl": "http://localhost:8081/auth",
        "tokenUrl": upstream.url("/token") if upstream else "http://127.0.0.1:8081/token",
        "clientId": "idp_client",
        "clientSecret": "secret",
    }
    idp = IdentityProvider(
        internal_id=f.new_id(), realm_id=realm.id, alias="slave", provider_id="keycloak-oidc", config=config
    )
    return replace(idp, store_token=store_token, add_read_token_role_on_create=read_token)


async def _setup(
    store: SqlStore,
    upstream: Upstream | None = None,
    *,
    store_token: bool = False,
    read_token: bool = False,
) -> tuple[Realm, IdentityProvider]:
    realm = await f.add_realm(store)
    idp = _idp(realm, upstream, store_token=store_token, read_token=read_token)
    async with store.tx() as tx:
        await tx.identity_providers.add(idp)
    return realm, idp


def _connector(idp: IdentityProvider, http: httpx.AsyncClient, clock: Clock) -> OIDCConnector:
    return OIDCConnector(idp, ConnectorDeps(http, UpstreamKeyCache(http, clock=clock), clock, ids=SYSTEM))


async def _begin(
    tx: Tx,
    realm: Realm,
    idp: IdentityProvider,
    http: httpx.AsyncClient,
    clock: Clock,
    *,
    auth_session_id: str = "browser-1",
    tab_id: str = "tab-1",
    client: ClientRequest | None = None,
    redirect_uri: str = "http://x/endpoint",
) -> UpstreamLogin:
    """Start a brokered login of browser ``auth_session_id`` at ``NOW``."""
    return await login_store.begin_login(
        tx,
        realm=realm,
        idp=idp,
        connector=_connector(idp, http, clock),
        client=client or login_store.client_request(),
        redirect_uri=redirect_uri,
        auth_session_id=auth_session_id,
        tab_id=tab_id,
        now=NOW,
    )


async def test_state_is_single_use_and_bound_to_the_browser(
    store: SqlStore, http: httpx.AsyncClient, clock: Clock
) -> None:
    realm, idp = await _setup(store)
    async with store.tx() as tx:
        login = await _begin(
            tx,
            realm,
            idp,
            http,
            clock,
            client=login_store.client_request(login_hint="alice", acr_values="gold"),
            redirect_uri="http://localhost:8080/realms/r/broker/slave/endpoint",
        )
    async with store.tx() as tx:
        with pytest.raises(StateInvalid):
            await login_store.take_pending(
                tx, login.state, realm_id=realm.id, alias="slave", auth_session_id="browser-2", now=NOW
            )
    # The wrong browser consumed it: a state is never usable twice, whoever presented it.
    async with store.tx() as tx:
        with pytest.raises(StateInvalid):
            await login_store.take_pending(
                tx, login.state, realm_id=realm.id, alias="slave", auth_session_id="browser-1", now=NOW
            )


async def test_state_round_trip_and_refusals(store: SqlStore, http: httpx.AsyncClient, clock: Clock) -> None:
    realm, idp = await _setup(store)

    async def begin() -> str:
        async with store.tx() as tx:
            login = await _begin(tx, realm, idp, http, clock)
        return login.state

    state = await begin()
    async with store.tx() as tx:
        pending = await login_store.take_pending(
            tx, state, realm_id=realm.id, alias="slave", auth_session_id="browser-1", now=NOW + 5
        )
    assert (pending.tab_id, pending.alias, pending.login.state) == ("tab-1", "slave", state)
    assert pending.login.nonce is not None

    async def refused(state: str | None, *, alias: str = "slave", now: int = NOW) -> None:
        async with store.tx() as tx:
            with pytest.raises(StateInvalid):
                await login_store.take_pending(
                    tx, state, realm_id=realm.id, alias=alias, auth_session_id="browser-1", now=now
                )

    await refused(await begin(), alias="other")
    await refused(await begin(), now=NOW + realm.access_code_lifespan_login + 1)
    await refused(None)
    await refused("never-issued")


async def test_first_login_creates_then_later_login_finds_the_link(store: SqlStore) -> None:
    realm, idp = await _setup(store, store_token=True, read_token=True)
    broker = f.client(realm.id, "broker")
    read_token = f.role(realm.id, "read-token", client_id=broker.id)
    async with store.tx() as tx:
        await tx.clients.add(broker)
        await tx.roles.add(read_token)
    username = proposed_username(IDENTITY, realm)
    async with store.tx() as tx:
        lookups = await login_store.find_lookups(tx, realm, IDENTITY, username)
        decision = decide(IDENTITY, idp=idp, realm=realm, lookups=lookups, username=username)
        assert decision.step is Step.CREATE
        ids = CountingRandomness(61)
        user = await login_store.create_user(
            tx, realm=realm, idp=idp, identity=IDENTITY, username=username, now=NOW, ids=ids
        )
    assert ids.issued == [user.id]  # the new user's id is the caller's
    async with store.tx() as tx:
        (link,) = await tx.federated_identities.list_for_user(realm.id, user.id)
        assert (link.idp_user_id, link.idp_username, link.token) == ("sub-1", "slave_user", IDENTITY.token)
        assert read_token.id in await tx.users.role_ids(realm.id, user.id)
        lookups = await login_store.find_lookups(tx, realm, IDENTITY, username)
    assert lookups.linked_user is not None and lookups.linked_user.id == user.id
    assert decide(IDENTITY, idp=idp, realm=realm, lookups=lookups, username=username).step is Step.AUTH


async def test_existing_email_needs_confirmation_and_linking_after_proof(store: SqlStore) -> None:
    realm, idp = await _setup(store)
    alice = f.user(realm.id, "alice", email="slave@example.com")
    async with store.tx() as tx:
        await tx.users.add(alice)
        lookups = await login_store.find_lookups(tx, realm, IDENTITY, "slave_user")
    decision = decide(IDENTITY, idp=idp, realm=realm, lookups=lookups, username="slave_user")
    assert (decision.step, decision.duplicate) == (Step.CONFIRM_LINK, "email")
    assert decision.user is not None and decision.user.id == alice.id
    async with store.tx() as tx:
        await login_store.link_user(tx, realm=realm, idp=idp, identity=IDENTITY, user=alice)
    async with store.tx() as tx:
        with pytest.raises(Conflict):
            await login_store.link_user(tx, realm=realm, idp=idp, identity=IDENTITY, user=alice)


async def test_identity_is_parked_between_pages(store: SqlStore, http: httpx.AsyncClient, clock: Clock) -> None:
    realm, idp = await _setup(store)
    async with store.tx() as tx:
        login = await _begin(tx, realm, idp, http, clock, auth_session_id="b", tab_id="t")
        pending = await login_store.take_pending(
            tx, login.state, realm_id=realm.id, alias="slave", auth_session_id="b", now=NOW
        )
        ids = CountingRandomness(62)
        key = await login_store.park_identity(tx, IDENTITY, pending, realm=realm, now=NOW, ids=ids)
        assert ids.issued == [key]
    async with store.tx() as tx:
        loaded = await login_store.load_identity(tx, key, now=NOW + 10)
        assert loaded == (IDENTITY, pending)
        assert await login_store.load_identity(tx, key, now=NOW + realm.access_code_lifespan_user_action + 1) is None
        await login_store.drop_identity(tx, key)
        assert await login_store.load_identity(tx, key, now=NOW) is None


async def test_force_sync_and_session_marks_and_backchannel_targets(store: SqlStore) -> None:
    realm, idp = await _setup(store)
    idp = replace(idp, config={**idp.config, "syncMode": "FORCE"})
    async with store.tx() as tx:
        await tx.identity_providers.update(idp)
        user = await login_store.create_user(
            tx, realm=realm, idp=idp, identity=IDENTITY, username="slave_user", now=NOW, ids=SYSTEM
        )
    changed = replace(IDENTITY, email="new@example.com", last_name="Renamed", username="Slave_Renamed")
    async with store.tx() as tx:
        updated = await login_store.update_on_login(
            tx, realm=realm, idp=idp, identity=changed, user=user, pinned=("lastName",)
        )
    async with store.tx() as tx:
        stored = await tx.users.get(realm.id, user.id)
        (link,) = await tx.federated_identities.list_for_user(realm.id, user.id)
    assert stored == updated and stored is not None
    assert (stored.email, stored.last_name) == ("new@example.com", "User")  # lastName pinned by a mapper
    assert link.idp_username == "slave_renamed"
    marked = login_store.session_marks(IDENTITY).apply(f.session(realm.id, user.id))
    other = login_store.session_marks(replace(IDENTITY, session_id="another-upstream-session")).apply(
        f.session(realm.id, user.id)
    )
    async with store.tx() as tx:
        await tx.sessions.add(marked)
        await tx.sessions.add(other)
    assert marked.broker_session_id == "slave.up-session" and marked.broker_user_id == "slave.sub-1"
    assert marked.notes["identity_provider"] == "slave" and marked.notes["FEDERATED_ID_TOKEN"] == IDENTITY.id_token
    async with store.tx() as tx:
        by_sid = await login_store.sessions_for_logout(tx, realm.id, [LogoutTarget("slave", "slave.up-session", None)])
        by_sub = await login_store.sessions_for_logout(tx, realm.id, [LogoutTarget("slave", None, "slave.sub-1")])
    assert [s.id for s in by_sid] == [marked.id]
    assert sorted(s.id for s in by_sub) == sorted([marked.id, other.id])


async def test_stored_token_is_refreshed_when_about_to_expire(
    store: SqlStore, upstream: Upstream, http: httpx.AsyncClient, clock: Clock
) -> None:
    realm, idp = await _setup(store, upstream, store_token=True)
    now = int(clock.now)
    token = json.dumps({"access_token": "old", "refresh_token": "rt-1", "accessTokenExpiration": now + 3})
    async with store.tx() as tx:
        user = await login_store.create_user(
            tx,
            realm=realm,
            idp=idp,
            identity=replace(IDENTITY, token=token),
            username="slave_user",
            now=NOW,
            ids=SYSTEM,
        )
    connector = _connector(idp, http, clock)
    upstream.reply("/token", {"access_token": "new", "refresh_token": "rt-2", "expires_in": 300})
    served = await login_store.stored_token(
        store, realm_id=realm.id, alias="slave", user_id=user.id, connector=connector, now=now
    )
    assert served is not None and json.loads(served)["access_token"] == "new"
    async with store.tx() as tx:
        (link,) = await tx.federated_identities.list_for_user(realm.id, user.id)
    assert link.token == served
    again = await login_store.stored_token(
        store, realm_id=realm.id, alias="slave", user_id=user.id, connector=connector, now=now
    )
    assert again == served and len(upstream.script.hits("/token")) == 1
    assert (
        await login_store.stored_token(
            store, realm_id=realm.id, alias="other", user_id=user.id, connector=connector, now=now
        )
        is None
    )
