"""Login and admin events."""

from __future__ import annotations

from realmgate.model.events import AdminEvent, Event
from realmgate.store.interface import EventQuery
from realmgate.store.sql import SqlStore

from . import factories as f


async def test_events_filters_order_and_clear(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    events = [
        Event(f.new_id(), realm.id, 1000, "LOGIN", client_id="app", user_id="u1", details={"username": "a"}),
        Event(f.new_id(), realm.id, 2000, "LOGIN_ERROR", client_id="app", error="invalid_user_credentials"),
        Event(f.new_id(), realm.id, 3000, "CODE_TO_TOKEN", client_id="other", user_id="u1"),
        Event(f.new_id(), "other-realm", 4000, "LOGIN"),
    ]
    async with store.tx() as tx:
        for e in events:
            await tx.events.add(e)
    async with store.tx() as tx:

        async def times(**query: object) -> list[int]:
            return [e.time for e in await tx.events.list(realm.id, EventQuery(**query))]  # type: ignore[arg-type]

        assert await times() == [3000, 2000, 1000]
        assert (await tx.events.list(realm.id, EventQuery()))[-1] == events[0]
        assert await times(types=("LOGIN", "LOGIN_ERROR")) == [2000, 1000]
        assert await times(client_id="app") == [2000, 1000]
        assert await times(user_id="u1") == [3000, 1000]
        assert await times(date_from=2000) == [3000, 2000]
        assert await times(date_to=2000) == [2000, 1000]
        assert await times(first=1, max=1) == [2000]
        await tx.events.clear(realm.id)
        assert await times() == []
        assert len(await tx.events.list("other-realm", EventQuery())) == 1


async def test_admin_events(store: SqlStore) -> None:
    realm = await f.add_realm(store)
    first = AdminEvent(f.new_id(), realm.id, 1000, "CREATE", "USER", "users/1", representation='{"a":1}')
    second = AdminEvent(f.new_id(), realm.id, 2000, "DELETE", "USER", "users/1", auth_user_id="admin")
    async with store.tx() as tx:
        await tx.events.add_admin(first)
        await tx.events.add_admin(second)
    async with store.tx() as tx:
        assert await tx.events.list_admin(realm.id) == [second, first]
        assert await tx.events.list_admin(realm.id, first=1) == [first]
        assert await tx.events.list_admin(realm.id, max=1) == [second]
        await tx.events.clear_admin(realm.id)
        assert await tx.events.list_admin(realm.id) == []
