"""Server-process fixtures for end-to-end tests.

- ``server``: one SQLite-backed server for the whole session (admin/admin). Tests that change
  global state (realms, users) should use unique names so they do not disturb each other. At
  the end of the session its log must hold no traceback (no test may cause an unexpected error).
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


def _stop_checking_log(proc: ServerProcess) -> None:
    """Stop a shared server and fail if any test made it log a traceback: an unexpected
    exception is a bug even when the client only saw a tidy 500."""
    proc.stop()
    logs = proc.logs()
    start = logs.find("Traceback")
    assert start < 0, f"the shared server logged an unexpected error:\n{logs[max(0, start - 300) : start + 3000]}"


@pytest.fixture(scope="session")
def server() -> Iterator[ServerProcess]:
    proc = _start(db="sqlite")
    yield proc
    _stop_checking_log(proc)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[ServerProcess]:
    proc = _start(db="postgres")
    yield proc
    _stop_checking_log(proc)


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
