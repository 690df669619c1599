"""Two real server processes for the mapper tests: the seed's slave (upstream) and master
(broker), started once per session; the slave's realm is built once (``kit.setup_slave``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.e2e.harness import ServerProcess, start_server
from tests.e2e.mappers.kit import setup_slave


@pytest.fixture(scope="session")
def slave() -> Iterator[ServerProcess]:
    server = start_server(db="sqlite")
    try:
        setup_slave(server)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def master() -> Iterator[ServerProcess]:
    server = start_server(db="sqlite")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_master() -> Iterator[ServerProcess]:
    """A second broker on PostgreSQL, for the tests that must pass on both databases."""
    server = start_server(db="postgres")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def any_master(request: pytest.FixtureRequest) -> ServerProcess:
    proc: ServerProcess = request.getfixturevalue("master" if request.param == "sqlite" else "pg_master")
    return proc
