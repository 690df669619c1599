"""In-process cache of a realm's configuration, keyed by the store's config version.

Hot paths (token, userinfo, introspection) need the realm, its clients, client scopes, roles,
groups, keys and identity providers (for the login page's buttons). Loading them on every
request costs a dozen queries; instead each request asks the store for
``config_version(realm_id)`` (one cheap query) and reuses the snapshot while the version is
unchanged. An edit on any instance bumps the version, so every instance sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from realmgate.model.client import Client, ClientScope
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.keys import RealmKey
from realmgate.model.realm import Realm
from realmgate.model.role import Group, Role, expand_composites
from realmgate.protocol.errors import RealmNotFound
from realmgate.store.interface import Tx


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


class RealmCache:
    """Snapshots by realm id; one per process, shared by every request."""

    def __init__(self) -> None:
        self._by_realm: dict[str, RealmConfig] = {}

    async def load(self, tx: Tx, realm_name: str) -> RealmConfig:
        realm = await tx.realms.get_by_name(realm_name)
        if realm is None or not realm.enabled:
            raise RealmNotFound("Realm does not exist")
        version = await tx.realms.config_version(realm.id)
        cached = self._by_realm.get(realm.id)
        if cached is not None and cached.version == version:
            return cached
        config = await _read(tx, realm, version)
        self._by_realm[realm.id] = config
        return config

    def forget(self, realm_id: str) -> None:
        """Drop a snapshot after this process changed the realm itself (e.g. added a key)."""
        self._by_realm.pop(realm_id, None)


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
