"""Admin services make their ids and secrets with ``AdminCall.ids``, never on their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
from tests.unit.ids import CountingRandomness

from realmgate.admin import auth_flows, clients, users
from realmgate.admin.call import AdminCall
from realmgate.crypto.secrets import SYSTEM
from realmgate.keycloak.defaults import create_realm
from realmgate.model.realm import Realm
from realmgate.store.interface import Store, Tx
from realmgate.store.sql import open_store

NOW = 1_700_000_000


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Store, Realm]]:
    store = cast(Store, await open_store(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    async with store.tx() as tx:
        realm = await create_realm(tx, "acme", now=NOW, ids=SYSTEM)
    yield store, realm
    await store.close()


def _call(tx: Tx, realm: Realm, ids: CountingRandomness, body: object, **path: str) -> AdminCall:
    return AdminCall(
        tx=tx,
        who=cast(Any, None),  # the services below read neither: the web adapter has checked both
        auth=cast(Any, None),
        now=NOW,
        ids=ids,
        path=path,
        args={},
        body=body,
        target=realm,
    )


async def test_a_created_client_user_and_copied_flow_take_the_calls_ids(world: tuple[Store, Realm]) -> None:
    store, realm = world
    ids = CountingRandomness(5)
    async with store.tx() as tx:
        client = await clients.create_client(_call(tx, realm, ids, {"clientId": "app"}))
        user = await users.create_user(_call(tx, realm, ids, {"username": "bob"}))
        flow = await auth_flows.copy_flow(_call(tx, realm, ids, {"newName": "my browser"}, flowAlias="browser"))
        stored = await tx.clients.get(realm.id, client.id)
    assert client.id == ids.nth_id(1)
    assert stored is not None and stored.secret == ids.issued[1]  # a confidential client's secret
    assert user.id == ids.issued[2]
    assert flow.id == ids.issued[3]
    assert len(ids.issued) > 4  # the copy's executions got ids too


async def test_a_regenerated_secret_is_the_calls_next_client_secret(world: tuple[Store, Realm]) -> None:
    store, realm = world
    ids = CountingRandomness(6)
    async with store.tx() as tx:
        created = await clients.create_client(_call(tx, realm, ids, {"clientId": "app"}))
        answer = await clients.regenerate_secret(_call(tx, realm, ids, None, id=created.id))
    assert answer == {"type": "secret", "value": ids.issued[-1]}
    assert ids.issued[-1] != ids.issued[1]
