"""Fixtures of the broker unit tests: one upstream server and one set of keys per session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from tests.unit.broker.broker_testkit import Clock, Keys, Upstream


@pytest.fixture(scope="session")
def _upstream_server() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.close()


@pytest.fixture
def upstream(_upstream_server: Upstream) -> Upstream:
    _upstream_server.reset()
    return _upstream_server


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0, connect=1.0), follow_redirects=False) as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock()


# Real stores (SQLite, and PostgreSQL when reachable) for the flow tests.
from tests.store.conftest import postgres_database, store, store_url  # noqa: E402, F401
