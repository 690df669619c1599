"""The config epoch: a number that moves whenever any process commits a change to a realm's
configuration or to a user (its profile, roles or groups), read without a database round trip.

In-process caches (``protocol.realm_cache``, ``store.sql.principal_cache``) trust what they
verified while the epoch stays where it was when they verified it; when it moves they check
again (the realm snapshot with one ``config_version`` query) before trusting it. So a hot
request (discovery, certs, a client_credentials grant) needs no query at all, and an edit made
through any instance is still seen:

- **SQLite** (every process is on the database's host): a counter in a small file beside the
  database, ``<database>-config-epoch``, mapped into memory. A process that committed a change
  increments it under an ``flock`` after the commit, so a request that starts after the
  writer's response reads the new value. Reading it is a memory access.
- **PostgreSQL** (instances on several hosts): the change's transaction sends
  ``NOTIFY realmgate_config`` (delivered at commit); each process keeps one connection that
  ``LISTEN``s and moves a local counter on every notice, and on its own commits at once. While
  that connection is down (or not yet up), every read returns a new value: nothing is trusted
  without a query, as before the epoch existed. Another instance's change is seen once its
  notice arrives (about a millisecond on one network), as Keycloak's cluster invalidation.
- An in-memory SQLite database has one process: a local counter.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import mmap
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import URL

log = logging.getLogger("realmgate.store")

CHANNEL = "realmgate_config"
"""The PostgreSQL notification channel of configuration and user changes (no payload)."""

_RECONNECT_DELAY_S = 1.0
_SIZE = 8


class ConfigEpoch(Protocol):
    def current(self) -> int:
        """The epoch now; equal readings mean no configuration or user change was committed between."""
        ...

    def committed(self) -> None:
        """This process has just committed a configuration or user change."""
        ...

    async def close(self) -> None: ...


class LocalEpoch:
    """One process owns the database (in-memory SQLite): its own commits are all the changes."""

    def __init__(self) -> None:
        self._value = 0

    def current(self) -> int:
        return self._value

    def committed(self) -> None:
        self._value += 1

    async def close(self) -> None:
        return None


class FileEpoch:
    """A 64-bit counter in a file shared by the processes on one SQLite database."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        with _locked(self._fd):
            if os.fstat(self._fd).st_size < _SIZE:
                os.ftruncate(self._fd, _SIZE)
        self._map = mmap.mmap(self._fd, _SIZE)

    def current(self) -> int:
        return int.from_bytes(self._map[:_SIZE], "little")

    def committed(self) -> None:
        with _locked(self._fd):  # two writers never both write n + 1
            self._map[:_SIZE] = ((self.current() + 1) % 2**64).to_bytes(_SIZE, "little")

    async def close(self) -> None:
        if not self._map.closed:  # a store may be closed twice (its opener and an app's lifespan)
            self._map.close()
            os.close(self._fd)


@contextmanager
def _locked(fd: int) -> Iterator[None]:
    """``flock`` on ``fd`` for a ``with`` block."""
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


class NotifyEpoch:
    """A counter moved by PostgreSQL notices; started on the first reading (inside the loop)."""

    def __init__(self, url: URL, connect_timeout: float) -> None:
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._timeout = connect_timeout
        self._value = 0
        self._live = False
        self._task: asyncio.Task[None] | None = None

    def current(self) -> int:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen_forever())
        if not self._live:
            self._value += 1  # notices may be missed: never the same reading twice
        return self._value

    def committed(self) -> None:
        self._value += 1

    def _notice(self, *_: Any) -> None:
        self._value += 1

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self._listen_once()
            except Exception as exc:  # cannot connect or lost: retry, and meanwhile trust nothing
                log.warning("config change notices unavailable (%s); checking versions per request", type(exc).__name__)
            await asyncio.sleep(_RECONNECT_DELAY_S)

    async def _listen_once(self) -> None:
        """Follow notices on one connection until it is lost."""
        import asyncpg

        conn = await asyncpg.connect(self._dsn, timeout=self._timeout)
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(CHANNEL, self._notice)
            self._value += 1  # what changed while nobody listened is not trusted either
            self._live = True
            await lost.wait()
        finally:
            self._live = False
            self._value += 1
            if not conn.is_closed():
                await conn.close(timeout=2)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def open_epoch(url: URL, *, connect_timeout: float) -> ConfigEpoch:
    """The epoch for the database at ``url`` (see the module docstring)."""
    if url.get_backend_name() != "sqlite":
        return NotifyEpoch(url, connect_timeout)
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        return LocalEpoch()
    return FileEpoch(Path(database + "-config-epoch"))
