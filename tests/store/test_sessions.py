"""User sessions: CRUD, lookups by client and by broker ids, expiry."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from realmgate.model.session import ClientSession
from realmgate.store.interface import Conflict, NotFound
from realmgate.store.sql import SqlStore

from . import factories as f

NOW = 1_000_000


async def _realm_with_user(store: SqlStore, **realm_fields: int) -> tuple[str, str]:
    realm = f.realm(None, **realm_fields)
    user = f.user(realm.id, "alice")
    async with store.tx() as tx:
        await tx.realms.add(realm)
        await tx.users.add(user)
    return realm.id, user.id


async def test_session_round_trip_and_update(store: SqlStore) -> None:
    realm_id, user_id = await _realm_with_user(store)
    session = f.session(
        realm_id,
        user_id,
        clients=("c1",),
        notes={"AUTH_TIME": "1"},
        broker_session_id="up.s1",
        ip_address="::1",
    )
    async with store.tx() as tx:
        await tx.sessions.add(session)
        with pytest.raises(Conflict):
            await tx.sessions.add(session)
    async with store.tx() as tx:
        loaded = await tx.sessions.get(realm_id, session.id, for_update=True)
        assert loaded == session
        assert await tx.sessions.get("other", session.id) is None
        assert loaded is not None
        refreshed = dataclasses.replace(
            loaded,
            last_refresh=NOW + 10,
            client_sessions={**loaded.client_sessions, "c2": ClientSession("c2", NOW + 10, "https://app/cb")},
        )
        await tx.sessions.update(refreshed)
    async with store.tx() as tx:
        assert await tx.sessions.get(realm_id, session.id) == refreshed
        with pytest.raises(NotFound):
            await tx.sessions.update(dataclasses.replace(refreshed, realm_id="other"))
        await tx.sessions.delete(realm_id, session.id)
        with pytest.raises(NotFound):
            await tx.sessions.delete(realm_id, session.id)


async def test_sessions_by_user_client_and_broker(store: SqlStore) -> None:
    realm_id, user_id = await _realm_with_user(store)
    s1 = f.session(realm_id, user_id, now=NOW, clients=("c1", "c2"), broker_session_id="up.a", broker_user_id="up.u")
    s2 = f.session(realm_id, user_id, now=NOW + 1, clients=("c1",), broker_session_id="up.b", broker_user_id="up.u")
    s3 = f.session(realm_id, user_id, now=NOW + 2, clients=("c11",))
    async with store.tx() as tx:
        for s in (s1, s2, s3):
            await tx.sessions.add(s)
    async with store.tx() as tx:
        assert [s.id for s in await tx.sessions.list_for_user(realm_id, user_id)] == [s1.id, s2.id, s3.id]
        assert [s.id for s in await tx.sessions.list_for_client(realm_id, "c1")] == [s1.id, s2.id]
        assert [s.id for s in await tx.sessions.list_for_client(realm_id, "c1", first=1, max=5)] == [s2.id]
        assert [s.id for s in await tx.sessions.list_for_client(realm_id, "c1", max=1)] == [s1.id]
        assert await tx.sessions.count_by_client(realm_id) == {"c1": 2, "c2": 1, "c11": 1}
        assert [s.id for s in await tx.sessions.find_by_broker_session(realm_id, "up.a")] == [s1.id]
        assert [s.id for s in await tx.sessions.find_by_broker_user(realm_id, "up.u")] == [s1.id, s2.id]
        assert await tx.sessions.find_by_broker_session("other", "up.a") == []
        assert await tx.sessions.delete_for_realm(realm_id) == 3
        assert await tx.sessions.list_for_user(realm_id, user_id) == []


async def test_take_expired_uses_each_realms_lifespans_in_batches(store: SqlStore) -> None:
    realm_id, user_id = await _realm_with_user(
        store, sso_session_idle_timeout=100, sso_session_max_lifespan=1000, offline_session_idle_timeout=5000
    )
    strict_realm, strict_user = await _realm_with_user(
        store, sso_session_idle_timeout=10, sso_session_max_lifespan=20, offline_session_idle_timeout=30
    )

    def at(realm: str, user: str, *, started: int, last: int, offline: bool = False) -> str:
        s = f.session(realm, user, now=NOW - started, offline=offline)
        sessions.append(dataclasses.replace(s, last_refresh=NOW - last))
        return s.id

    sessions: list = []  # type: ignore[type-arg]
    fresh = at(realm_id, user_id, started=50, last=50)
    at(realm_id, user_id, started=500, last=101)  # idle too long
    at(realm_id, user_id, started=1001, last=1)  # past max lifespan
    offline_ok = at(realm_id, user_id, started=4000, last=4000, offline=True)
    at(realm_id, user_id, started=6000, last=5001, offline=True)
    at(strict_realm, strict_user, started=50, last=50)  # fresh by the first realm's rules only
    async with store.tx() as tx:
        for s in sessions:
            await tx.sessions.add(s)
    async with store.tx() as tx:
        first = await tx.sessions.take_expired(NOW, limit=3)
        rest = await tx.sessions.take_expired(NOW, limit=3)
        assert (len(first), len(rest)) == (3, 1)
        taken = {s.id for s in (*first, *rest)}
        assert taken == {s.id for s in sessions} - {fresh, offline_ok}
        remaining = [s.id for s in await tx.sessions.list_for_user(realm_id, user_id)]
        assert sorted(remaining) == sorted([fresh, offline_ok])
        assert await tx.sessions.take_expired(NOW, limit=3) == []


async def test_take_returns_exactly_what_it_deleted(store: SqlStore) -> None:
    realm_id, user_id = await _realm_with_user(store)
    other_realm, other_user = await _realm_with_user(store)
    s1 = f.session(realm_id, user_id, clients=("c1", "c2"), broker_session_id="up.a")
    s2 = f.session(realm_id, user_id, offline=True, clients=("c1",))
    foreign = f.session(other_realm, other_user)
    async with store.tx() as tx:
        for s in (s1, s2, foreign):
            await tx.sessions.add(s)
    async with store.tx() as tx:
        assert await tx.sessions.take(realm_id, []) == []
        taken = await tx.sessions.take(realm_id, [s1.id, s2.id, foreign.id, "missing"])
        assert sorted(taken, key=lambda s: s.id) == sorted([s1, s2], key=lambda s: s.id)
        assert await tx.sessions.take(realm_id, [s1.id]) == []
        assert await tx.sessions.list_for_user(realm_id, user_id) == []
        assert await tx.sessions.get(other_realm, foreign.id) == foreign


async def test_concurrent_takes_hand_a_session_to_one_of_them(store: SqlStore) -> None:
    realm_id, user_id = await _realm_with_user(store)
    session = f.session(realm_id, user_id, clients=("c1",))
    async with store.tx() as tx:
        await tx.sessions.add(session)

    async def take() -> int:
        async with store.tx() as tx:
            await tx.sessions.get(realm_id, session.id)
            await asyncio.sleep(0.02)  # both have seen the row before either deletes it
            return len(await tx.sessions.take(realm_id, [session.id]))

    assert sorted(await asyncio.gather(take(), take())) == [0, 1]


async def test_list_for_realm_pages_by_id(store: SqlStore) -> None:
    realm_id, user_id = await _realm_with_user(store)
    other_realm, other_user = await _realm_with_user(store)
    made = [f.session(realm_id, user_id, now=NOW + i, offline=i == 2) for i in range(5)]
    async with store.tx() as tx:
        for s in (*made, f.session(other_realm, other_user)):
            await tx.sessions.add(s)
    ids = sorted(s.id for s in made)
    async with store.tx() as tx:
        first = await tx.sessions.list_for_realm(realm_id, limit=2)
        assert [s.id for s in first] == ids[:2]
        # Deleting a page does not shift the next one.
        await tx.sessions.take(realm_id, [s.id for s in first])
        second = await tx.sessions.list_for_realm(realm_id, after=first[-1].id, limit=2)
        assert [s.id for s in second] == ids[2:4]
        rest = await tx.sessions.list_for_realm(realm_id, after=second[-1].id, limit=2)
        assert [s.id for s in rest] == ids[4:]
        assert await tx.sessions.list_for_realm(realm_id, after=ids[-1]) == []
        assert [s.id for s in await tx.sessions.list_for_realm(realm_id)] == ids[2:]
