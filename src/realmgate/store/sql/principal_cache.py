"""Read-through cache of the user rows every token needs: a user by id, a client's service
account, a user's direct roles and groups.

A client_credentials grant, a refresh, an introspection or a userinfo call reads these for the
same few users again and again. An entry is trusted while the store's config epoch
(``config_epoch``) stays at the reading taken before the entry was read from the database;
every write to a user, its roles or its groups moves that epoch at commit (as configuration
writes do), in this process at once and in the others by their file counter or notice. So a
change made through any instance is seen as soon as a realm configuration change would be.

A transaction that has written a user (or any configuration) reads through to the database
and fills nothing: it must see its own writes, and they are not committed yet.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar, cast

T = TypeVar("T")

MAX_ENTRIES = 10_000
"""Past this many entries the cache starts over (simpler than LRU, and rare: it takes that many
distinct users between two changes)."""


class PrincipalCache:
    def __init__(self, epoch: Callable[[], int]) -> None:
        self._epoch = epoch
        self._entries: dict[Hashable, tuple[int, object]] = {}

    async def read(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """The value under ``key`` if verified at the current epoch, else ``load()``, kept."""
        epoch = self._epoch()  # before the read: a commit after it moves the epoch again
        found = self._entries.get(key)
        if found is not None and found[0] == epoch:
            return cast(T, found[1])  # stored by this key's own load
        value = await load()
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (epoch, value)
        return value
