"""A real store (SQLite, and PostgreSQL when reachable) with a Keycloak-like realm, for the
protocol's flow tests. ``store_url`` comes from the store suite's fixtures."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import cast

import pytest
from tests.store.conftest import postgres_database, store_url  # noqa: F401 (fixtures)

from realmgate.crypto.passwords import new_password_credential
from realmgate.crypto.secrets import SYSTEM
from realmgate.keycloak.defaults import create_realm, new_client
from realmgate.model.user import User
from realmgate.protocol.realm_cache import RealmCache, RealmConfig
from realmgate.store.interface import Store, Tx
from realmgate.store.sql import open_store

NOW = 1_700_000_000
SECRET = "app-s3cret+/%"
PASSWORD = "correct horse"


@dataclass
class World:
    store: Store
    cache: RealmCache
    realm_id: str
    user: User

    async def config(self, tx: Tx) -> RealmConfig:
        return await self.cache.load(tx, "test")


@pytest.fixture
async def world(store_url: str) -> AsyncIterator[World]:  # noqa: F811 (pytest fixture)
    # cast: SqlStore.tx() returns _AsyncGeneratorContextManager[SqlTx, None], which mypy does
    # not accept as the Protocol's AbstractAsyncContextManager[Tx, bool | None] (reported).
    store = cast(Store, await open_store(store_url))
    async with store.tx() as tx:
        realm = await create_realm(tx, "test", now=NOW, ids=SYSTEM)
        realm = dataclasses.replace(realm, display_name="Test Realm")
        await tx.realms.update(realm)
        app = new_client(
            realm,
            "app",
            secret=SECRET,
            redirect_uris=("https://app.example/*",),
            web_origins=("+",),
            direct_access_grants_enabled=True,
            service_accounts_enabled=True,
            attributes={"post.logout.redirect.uris": "+"},
            ids=SYSTEM,
        )
        await tx.clients.add(app)
        await tx.clients.add(
            new_client(
                realm,
                "spa",
                public_client=True,
                redirect_uris=("https://spa.example/cb",),
                attributes={"pkce.code.challenge.method": "S256"},
                ids=SYSTEM,
            )
        )
        await tx.clients.add(
            new_client(
                realm,
                "other",
                secret="other-secret",
                redirect_uris=("*",),
                direct_access_grants_enabled=True,
                ids=SYSTEM,
            )
        )
        sa = User(
            id=SYSTEM.new_id(), realm_id=realm.id, username="service-account-app", service_account_client_id=app.id
        )
        await tx.users.add(sa)
        user = User(
            id=SYSTEM.new_id(),
            realm_id=realm.id,
            username="alice",
            email="alice@example.com",
            first_name="Alice",
            last_name="Liddell",
            email_verified=True,
        )
        await tx.users.add(user)
        await tx.credentials.add(new_password_credential(user.id, PASSWORD, now_ms=NOW * 1000, ids=SYSTEM))
        assert realm.default_role_id is not None
        for uid in (user.id, sa.id):
            await tx.users.grant_roles(realm.id, uid, [realm.default_role_id])
    yield World(store, RealmCache(), realm.id, user)
    await store.close()
