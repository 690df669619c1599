"""Server-process fixtures for end-to-end tests.

- ``server``: one SQLite-backed server for the whole session (admin/admin). Tests that change
  global state (realms, users) should use unique names so they do not disturb each other.
- ``pg_server``: the same on a fresh PostgreSQL database.
- ``any_server``: parametrized over both, for tests that must pass on each database.
- ``start_server``: a factory for extra servers (two instances, broker and upstream, special
  flags); every server it started is stopped, and its database dropped, at the test's end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.e2e.harness import ServerProcess
from tests.e2e.harness import start_server as _start


@pytest.fixture(scope="session")
def server() -> Iterator[ServerProcess]:
    proc = _start(db="sqlite")
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[ServerProcess]:
    proc = _start(db="postgres")
    yield proc
    proc.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def any_server(request: pytest.FixtureRequest) -> ServerProcess:
    fixture = "server" if request.param == "sqlite" else "pg_server"
    proc: ServerProcess = request.getfixturevalue(fixture)
    return proc


@pytest.fixture
def start_server() -> Iterator[Callable[..., ServerProcess]]:
    started: list[ServerProcess] = []

    def start(**kwargs: Any) -> ServerProcess:
        proc = _start(**kwargs)
        started.append(proc)
        return proc

    yield start
    for proc in reversed(started):
        proc.stop()
