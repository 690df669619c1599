"""The first-broker-login state machine (``broker.first_login_flow.continue_login``), each branch
driven through a real store (SQLite, and PostgreSQL when reachable).

The caller's two steps are plain functions here: the login step is a single-use entry of the
same store (so it expires and can be missing like the realm's), and the password check answers
as ``protocol.login.authenticate`` would (the account, another account, or a failure message).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

import pytest
from tests.store import factories as f
from tests.unit.broker.identities import slave_identity

from realmgate.broker import login_store
from realmgate.broker.connector import BrokeredIdentity, UpstreamLogin
from realmgate.broker.first_login_decision import DenyReason
from realmgate.broker.first_login_flow import (
    DENIED,
    INVALID_EMAIL,
    RACED,
    TIMED_OUT,
    USERNAME_TAKEN,
    WRONG_ACCOUNT,
    AccountConflict,
    Callback,
    Confirmed,
    ConfirmLinkPage,
    ErrorPage,
    Finished,
    Input,
    PasswordCheck,
    Reauthenticated,
    ReauthPage,
    Reviewed,
    ReviewProfilePage,
    ShowPage,
    continue_login,
)
from realmgate.crypto.secrets import SYSTEM
from realmgate.model.identity_provider import IdentityProvider, IdentityProviderMapper
from realmgate.model.realm import Realm
from realmgate.model.user import FederatedIdentity, User
from realmgate.store.interface import Tx
from realmgate.store.sql import SqlStore

NOW = 1_700_000_000
ALIAS = "slave"
TAB = "tab-1"
BROWSER = "auth-session-1"
IDENTITY = slave_identity(
    id_token="header.payload.sig",
    session_id="up-session",
    id_token_claims={"sub": "sub-1", "preferred_username": "slave_user"},
)
PENDING = login_store.PendingLogin("", ALIAS, BROWSER, UpstreamLogin("u", "s", "r"), tab_id=TAB)
Result = ShowPage | Finished[str]


@dataclass
class World:
    store: SqlStore
    realm: Realm
    idp: IdentityProvider

    async def run(self, received: Input, *, idp: IdentityProvider | None = None) -> Result:
        """One request: the state machine in one transaction (rolled back when it raises)."""
        async with self.store.tx() as tx:
            return await self.run_in(tx, received, idp=idp)

    async def run_in(self, tx: Tx, received: Input, *, idp: IdentityProvider | None = None) -> Result:
        return await continue_login(
            tx,
            realm=self.realm,
            idp=idp or self.idp,
            received=received,
            load_step=_step_loader(tx),
            now=NOW,
            ids=SYSTEM,
        )

    async def callback(self, identity: BrokeredIdentity = IDENTITY) -> Result:
        return await self.run(Callback(identity, replace(PENDING, realm_id=self.realm.id)))

    async def add_user(self, username: str, **fields: object) -> User:
        user = f.user(self.realm.id, username, **{"enabled": True, **fields})
        async with self.store.tx() as tx:
            await tx.users.add(user)
        return user

    async def link(self, user: User) -> None:
        async with self.store.tx() as tx:
            await tx.federated_identities.add(self.link_of(user))

    def link_of(self, user: User) -> FederatedIdentity:
        return FederatedIdentity(self.realm.id, user.id, ALIAS, IDENTITY.id, IDENTITY.username)

    async def mapper(self, type_id: str, config: Mapping[str, str]) -> None:
        mapper = IdentityProviderMapper(
            id=f.new_id(),
            realm_id=self.realm.id,
            name=f"{type_id}-{f.new_id()[:6]}",
            identity_provider_alias=ALIAS,
            identity_provider_mapper=type_id,
            config=dict(config),
        )
        async with self.store.tx() as tx:
            await tx.idp_mappers.add(mapper)

    async def user_named(self, username: str) -> User | None:
        async with self.store.tx() as tx:
            return await tx.users.get_by_username(self.realm.id, username)

    async def links(self, user: User) -> list[FederatedIdentity]:
        async with self.store.tx() as tx:
            return list(await tx.federated_identities.list_for_user(self.realm.id, user.id))


def _step_loader(tx: Tx) -> Callable[[str], Awaitable[str | None]]:
    async def load(tab_id: str) -> str | None:
        return await tx.single_use.get(f"test-step:{tab_id}", NOW) if tab_id else None

    return load


def _answer(result: User | str) -> PasswordCheck:
    async def check(existing: User) -> User | str:
        return result

    return check


async def _world(store: SqlStore, *, trust_email: bool = False) -> World:
    realm = await f.add_realm(store)
    config = {"syncMode": "FORCE"}
    idp = IdentityProvider(
        internal_id=f.new_id(), realm_id=realm.id, alias=ALIAS, provider_id="keycloak-oidc", config=config
    )
    idp = replace(idp, trust_email=trust_email)
    async with store.tx() as tx:
        await tx.identity_providers.add(idp)
        await tx.single_use.put(f"test-step:{TAB}", "the login step", NOW + 600)
    return World(store, realm, idp)


def _finished(result: Result) -> Finished[str]:
    assert isinstance(result, Finished), result
    assert result.step == "the login step"
    return result


async def test_disabled_provider_and_disabled_user_are_denied(store: SqlStore) -> None:
    w = await _world(store)
    assert await w.run(
        Callback(IDENTITY, replace(PENDING, realm_id=w.realm.id)), idp=replace(w.idp, enabled=False)
    ) == ErrorPage(DENIED[DenyReason.PROVIDER_DISABLED], status=400)
    assert await w.user_named("slave_user") is None

    await w.link(await w.add_user("blocked", enabled=False))
    assert await w.callback() == ErrorPage(DENIED[DenyReason.USER_DISABLED], status=403)


async def test_linked_user_logs_in_with_profile_sync_and_mapper_notes(store: SqlStore) -> None:
    w = await _world(store)
    await w.mapper("hardcoded-user-session-attribute-idp-mapper", {"attribute": "tier", "attribute.value": "gold"})
    alice = await w.add_user("alice", email="old@example.com", first_name="Old")
    await w.link(alice)

    done = _finished(await w.callback())
    assert done.user.id == alice.id
    assert (done.user.email, done.user.first_name) == ("slave@example.com", "Slave")  # FORCE sync
    assert await w.user_named("alice") == done.user
    assert done.event_details == {"identity_provider": ALIAS, "identity_provider_identity": "slave_user"}
    assert done.marks.broker_session_id == IDENTITY.broker_session_id
    assert done.marks.notes["tier"] == "gold"
    assert done.marks.notes["identity_provider"] == ALIAS


async def test_new_identity_creates_user_link_and_mapper_grants(store: SqlStore) -> None:
    w = await _world(store)
    viewer = f.role(w.realm.id, "viewer")
    async with store.tx() as tx:
        await tx.roles.add(viewer)
    await w.mapper("oidc-hardcoded-role-idp-mapper", {"role": "viewer"})

    done = _finished(await w.callback())
    assert done.event_details["register_method"] == "broker"
    created = await w.user_named("slave_user")
    assert created is not None and created.id == done.user.id
    assert [link.idp_user_id for link in await w.links(created)] == ["sub-1"]
    async with store.tx() as tx:
        assert viewer.id in await tx.users.role_ids(w.realm.id, created.id)


async def test_missing_profile_is_reviewed_then_the_user_is_created(store: SqlStore) -> None:
    w = await _world(store, trust_email=True)
    shown = await w.callback(replace(IDENTITY, last_name=None))
    assert isinstance(shown, ReviewProfilePage) and shown.error is None
    assert shown.identity.last_name is None and shown.identity.email == "slave@example.com"
    assert await w.user_named("slave_user") is None

    bad = await w.run(Reviewed(shown.key, BROWSER, "not-an-email", "Slave", "User"))
    assert bad == ReviewProfilePage(
        shown.key,
        replace(shown.identity, email="not-an-email", email_verified=False, last_name="User"),
        error=INVALID_EMAIL,
    )

    done = _finished(await w.run(Reviewed(shown.key, BROWSER, "typed@example.com", " Slave ", "Liddell")))
    assert (done.user.email, done.user.first_name, done.user.last_name) == ("typed@example.com", "Slave", "Liddell")
    assert done.user.email_verified is False  # a typed email is not the one the upstream vouched for
    assert await w.run(Reviewed(shown.key, BROWSER)) == ErrorPage(TIMED_OUT, retry=True)  # the key is spent


async def test_existing_email_is_confirmed_reauthenticated_then_linked(store: SqlStore) -> None:
    w = await _world(store)
    alice = await w.add_user("alice", email="slave@example.com")
    shown = await w.callback()
    assert isinstance(shown, ConfirmLinkPage)
    assert (shown.field, shown.value) == ("email", "slave@example.com")
    assert await w.run(Confirmed(shown.key, "another-browser")) == ErrorPage(TIMED_OUT, retry=True)
    assert await w.run(Confirmed(shown.key, BROWSER)) == ReauthPage(shown.key, "alice")
    assert await w.links(alice) == []

    done = _finished(await w.run(Reauthenticated(shown.key, BROWSER, _answer(alice))))
    assert done.user.id == alice.id and "register_method" not in done.event_details
    assert [link.idp_user_id for link in await w.links(alice)] == ["sub-1"]


async def test_reauthentication_as_another_account_or_failed_does_not_link(store: SqlStore) -> None:
    w = await _world(store)
    alice = await w.add_user("alice", email="slave@example.com")
    mallory = await w.add_user("mallory")
    shown = await w.callback()
    assert isinstance(shown, ConfirmLinkPage)

    wrong = await w.run(Reauthenticated(shown.key, BROWSER, _answer(mallory)))
    assert wrong == ReauthPage(shown.key, "alice", error=WRONG_ACCOUNT)
    failed = await w.run(Reauthenticated(shown.key, BROWSER, _answer("Account is disabled")))
    assert failed == ReauthPage(shown.key, "alice", error="Account is disabled")
    assert await w.links(alice) == [] and await w.links(mallory) == []
    assert isinstance(await w.run(Reauthenticated(shown.key, BROWSER, _answer(alice))), Finished)


async def test_expired_login_step_times_out_before_anything_is_written(store: SqlStore) -> None:
    w = await _world(store)
    async with store.tx() as tx:
        await tx.single_use.delete(f"test-step:{TAB}")
    assert await w.callback() == ErrorPage(TIMED_OUT, retry=True)
    assert await w.user_named("slave_user") is None


async def test_link_raced_by_a_concurrent_login_rolls_back_and_offers_a_retry(store: SqlStore) -> None:
    w = await _world(store)
    alice = await w.add_user("alice", email="slave@example.com")
    bob = await w.add_user("bob")
    shown = await w.callback()
    assert isinstance(shown, ConfirmLinkPage)

    with pytest.raises(AccountConflict) as raised:
        async with store.tx() as tx:

            async def linked_meanwhile(existing: User) -> User | str:
                # Another login links the identity while this one checks the password.
                await tx.federated_identities.add(w.link_of(bob))
                return existing

            await w.run_in(tx, Reauthenticated(shown.key, BROWSER, linked_meanwhile))
    assert raised.value.page == ErrorPage(RACED, status=409, retry=True)
    assert await w.links(alice) == []
    async with store.tx() as tx:  # the rolled-back transaction kept the parked identity
        assert await login_store.load_identity(tx, shown.key, now=NOW) is not None


async def test_username_template_onto_a_taken_name_fails_without_retry(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    w = await _world(store)
    await w.mapper("oidc-username-idp-mapper", {"template": "taken", "target": "LOCAL", "syncMode": "FORCE"})
    await w.mapper("no-such-mapper-type", {})
    alice = await w.add_user("alice")
    await w.add_user("taken")
    await w.link(alice)

    with caplog.at_level(logging.WARNING), pytest.raises(AccountConflict) as raised:
        await w.callback()
    assert raised.value.page == ErrorPage(USERNAME_TAKEN, status=409, retry=False)
    assert (await w.user_named("alice")) is not None  # not renamed
    problems = [r for r in caplog.records if "no-such-mapper-type" in r.getMessage()]
    assert len(problems) == 1  # the mappers ran once in this login step
