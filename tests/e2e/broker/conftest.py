"""Broker e2e fixtures: real ``realmgate start-dev`` processes, started once per module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.e2e.harness import ServerProcess, start_server


@pytest.fixture(scope="module")
def servers() -> Iterator[Callable[..., ServerProcess]]:
    """A factory of servers that live until the module's tests are done."""
    started: list[ServerProcess] = []

    def start(**kwargs: Any) -> ServerProcess:
        proc = start_server(**kwargs)
        started.append(proc)
        return proc

    yield start
    for proc in reversed(started):
        proc.stop()
