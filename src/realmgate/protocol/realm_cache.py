"""In-process cache of a realm's configuration, trusted while the store's config epoch stays.

Hot paths (discovery, certs, token, userinfo, introspection) need the realm, its clients, client
scopes, roles, groups, keys and identity providers (for the login page's buttons). Loading them
on every request costs a dozen queries. Instead a snapshot is kept per realm with the
``config_epoch()`` reading at which it was last verified: while the epoch has not moved,
``cached`` returns it with no database round trip at all. Once any process commits a
configuration change the epoch moves, and the next ``load`` checks the realm's
``config_version`` (one query) and reuses the snapshot if that did not change, or reads it anew.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast

from realmgate.model.client import Client, ClientScope
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.keys import RealmKey
from realmgate.model.realm import Realm
from realmgate.model.role import Group, Role, expand_composites
from realmgate.protocol.errors import RealmNotFound
from realmgate.store.interface import Tx

T = TypeVar("T")
MAX_DERIVED = 32


@dataclass(frozen=True, slots=True)
class RealmConfig:
    """An immutable snapshot of everything the protocol needs to know about one realm."""

    realm: Realm
    version: int
    clients: Mapping[str, Client]  # by public client_id
    scopes: Mapping[str, ClientScope]  # by name
    roles: Mapping[str, Role]  # by id
    groups: Mapping[str, Group]  # by id
    keys: tuple[RealmKey, ...]
    clients_by_internal_id: Mapping[str, Client] = field(default_factory=dict)
    identity_providers: Mapping[str, IdentityProvider] = field(default_factory=dict)  # by alias
    _derived: dict[Hashable, object] = field(default_factory=dict, compare=False, repr=False)

    def derived(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed once per snapshot and ``key``: what follows from the
        configuration alone (the serialized discovery document, the JWKS) lives and dies with
        the snapshot it was computed from. Keys may come from requests (the discovery document
        of each Host a client used): past ``MAX_DERIVED`` values are computed, not kept."""
        if key in self._derived:
            return cast(T, self._derived[key])
        value = make()
        if len(self._derived) < MAX_DERIVED:
            self._derived[key] = value
        return value

    def client_by_internal_id(self, internal_id: str) -> Client | None:
        return self.clients_by_internal_id.get(internal_id)

    def expand_roles(self, role_ids: set[str]) -> set[str]:
        """The role ids with every composite expanded, transitively (cycles tolerated)."""
        return {r for r in expand_composites(role_ids, self.roles) if r in self.roles}

    def group_role_ids(self, group_ids: set[str]) -> set[str]:
        """Roles granted through groups, including those of every ancestor group."""
        role_ids: set[str] = set()
        for group_id in group_ids:
            current = self.groups.get(group_id)
            hops = 0
            while current is not None and hops < 100:
                role_ids.update(current.role_ids)
                current = self.groups.get(current.parent_id) if current.parent_id else None
                hops += 1
        return role_ids

    def group_path(self, group_id: str) -> str:
        names: list[str] = []
        current = self.groups.get(group_id)
        while current is not None and len(names) < 100:
            names.append(current.name)
            current = self.groups.get(current.parent_id) if current.parent_id else None
        return "/" + "/".join(reversed(names))


@dataclass(slots=True)
class _Entry:
    config: RealmConfig
    verified_at: int  # the epoch reading at which config was last checked against the store


class RealmCache:
    """Snapshots by realm name; one per process, shared by every request. ``epoch`` is the
    store's ``config_epoch`` (the default never repeats a reading: every use is verified)."""

    def __init__(self, epoch: Callable[[], int] | None = None) -> None:
        self._epoch = epoch or itertools.count().__next__
        self._by_name: dict[str, _Entry] = {}

    def cached(self, realm_name: str) -> RealmConfig | None:
        """The realm's snapshot if nothing may have changed since it was verified, else None."""
        return self._trusted(realm_name, self._epoch())

    def _trusted(self, realm_name: str, epoch: int) -> RealmConfig | None:
        entry = self._by_name.get(realm_name)
        return entry.config if entry is not None and entry.verified_at == epoch else None

    async def load(self, tx: Tx, realm_name: str) -> RealmConfig:
        """The realm's snapshot, verified against the store unless ``cached`` has it.
        Raises ``RealmNotFound`` for an unknown or disabled realm."""
        epoch = self._epoch()  # read first: a change committed after it moves it again
        trusted = self._trusted(realm_name, epoch)
        if trusted is not None:
            return trusted
        realm = await tx.realms.get_by_name(realm_name)
        if realm is None or not realm.enabled:
            self._by_name.pop(realm_name, None)
            raise RealmNotFound("Realm does not exist")
        version = await tx.realms.config_version(realm.id)
        entry = self._by_name.get(realm_name)
        if entry is not None and entry.config.realm.id == realm.id and entry.config.version == version:
            entry.verified_at = epoch
            return entry.config
        config = await _read(tx, realm, version)
        self._by_name[realm_name] = _Entry(config, epoch)
        return config

    def forget(self, realm_id: str) -> None:
        """Drop a snapshot after this process changed the realm itself (e.g. added a key)."""
        for name in [n for n, e in self._by_name.items() if e.config.realm.id == realm_id]:
            del self._by_name[name]


async def _read(tx: Tx, realm: Realm, version: int) -> RealmConfig:
    clients = await tx.clients.list(realm.id, max=None)
    scopes = await tx.client_scopes.list(realm.id)
    roles = await tx.roles.list_all(realm.id)
    groups = await tx.groups.list(realm.id)
    keys = await tx.keys.list(realm.id)
    idps = await tx.identity_providers.list(realm.id)
    return RealmConfig(
        realm=realm,
        version=version,
        clients={c.client_id: c for c in clients},
        clients_by_internal_id={c.id: c for c in clients},
        scopes={s.name: s for s in scopes if s.protocol == "openid-connect"},
        roles={r.id: r for r in roles},
        groups={g.id: g for g in groups},
        keys=tuple(keys),
        identity_providers={i.alias: i for i in idps},
    )
