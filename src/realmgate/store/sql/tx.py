"""``SqlTx``: one transaction and its repositories.

Configuration writes only mark their realm as changed; the ``config_version`` bump happens once
per realm just before commit (or when ``config_version`` is read in the same transaction), so a
realm import of hundreds of rows updates the realm row once and holds its lock briefly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from sqlalchemy import bindparam, func, select, update

from realmgate.store.interface import (
    ClientRepo,
    ClientScopeRepo,
    ComponentRepo,
    CredentialRepo,
    EventRepo,
    FederatedIdentityRepo,
    GroupRepo,
    IdentityProviderMapperRepo,
    IdentityProviderRepo,
    KeyRepo,
    LoginFailureRepo,
    MapperGrantRepo,
    OrganizationRepo,
    RealmRepo,
    RoleRepo,
    SessionRepo,
    SingleUseRepo,
    UserRepo,
)
from realmgate.store.sql import tables as t
from realmgate.store.sql.config_epoch import CHANNEL
from realmgate.store.sql.deferred_connection import DeferredConnection
from realmgate.store.sql.principal_cache import PrincipalCache
from realmgate.store.sql.repos.brokering import (
    SqlFederatedIdentityRepo,
    SqlIdentityProviderMapperRepo,
    SqlIdentityProviderRepo,
    SqlMapperGrantRepo,
)
from realmgate.store.sql.repos.clients import SqlClientRepo, SqlClientScopeRepo
from realmgate.store.sql.repos.events import SqlEventRepo
from realmgate.store.sql.repos.login_failures import SqlLoginFailureRepo
from realmgate.store.sql.repos.organizations import SqlComponentRepo, SqlOrganizationRepo
from realmgate.store.sql.repos.realms import SqlKeyRepo, SqlRealmRepo
from realmgate.store.sql.repos.roles import SqlGroupRepo, SqlRoleRepo
from realmgate.store.sql.repos.sessions import SqlSessionRepo, SqlSingleUseRepo
from realmgate.store.sql.repos.users import SqlCredentialRepo, SqlUserRepo

T = TypeVar("T")

_BUMP_CONFIG_VERSION = (
    update(t.realms).where(t.realms.c.id == bindparam("realm_id")).values(config_version=t.realms.c.config_version + 1)
)
_NOTIFY_CHANGE = select(func.pg_notify(CHANNEL, ""))


class SqlTx:
    """Implements ``realmgate.store.interface.Tx`` on one connection (taken by its first statement)."""

    def __init__(self, conn: DeferredConnection, principals: PrincipalCache) -> None:
        self.conn = conn
        self._principals = principals
        self._changed_realms: set[str] = set()
        self._bumped_config = False
        self._changed_principals = False
        self.realms: RealmRepo = SqlRealmRepo(self)
        self.clients: ClientRepo = SqlClientRepo(self)
        self.roles: RoleRepo = SqlRoleRepo(self)
        self.groups: GroupRepo = SqlGroupRepo(self)
        self.client_scopes: ClientScopeRepo = SqlClientScopeRepo(self)
        self.users: UserRepo = SqlUserRepo(self)
        self.credentials: CredentialRepo = SqlCredentialRepo(self)
        self.federated_identities: FederatedIdentityRepo = SqlFederatedIdentityRepo(self)
        self.identity_providers: IdentityProviderRepo = SqlIdentityProviderRepo(self)
        self.idp_mappers: IdentityProviderMapperRepo = SqlIdentityProviderMapperRepo(self)
        self.mapper_grants: MapperGrantRepo = SqlMapperGrantRepo(self)
        self.keys: KeyRepo = SqlKeyRepo(self)
        self.organizations: OrganizationRepo = SqlOrganizationRepo(self)
        self.components: ComponentRepo = SqlComponentRepo(self)
        self.sessions: SessionRepo = SqlSessionRepo(self)
        self.single_use: SingleUseRepo = SqlSingleUseRepo(self)
        self.events: EventRepo = SqlEventRepo(self)
        self.login_failures: LoginFailureRepo = SqlLoginFailureRepo(self)

    def config_changed(self, realm_id: str) -> None:
        self._changed_realms.add(realm_id)

    def principal_changed(self) -> None:
        """A user, its roles or its groups were written: the commit must move the epoch."""
        self._changed_principals = True

    @property
    def changed_shared_state(self) -> bool:
        """Whether the commit invalidates what processes cache (configuration or principals)."""
        return self._bumped_config or self._changed_principals or bool(self._changed_realms)

    async def cached(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``, through the principal cache unless this transaction wrote anything it
        caches (it must read its own, uncommitted writes)."""
        if self.changed_shared_state:
            return await load()
        return await self._principals.read(key, load)

    async def before_commit(self) -> None:
        """Bump the changed realms' versions and, on PostgreSQL, tell the other processes
        (``NOTIFY`` is delivered at commit, and not at all on rollback)."""
        await self.bump_config_versions()
        if self.changed_shared_state and self.conn.dialect.name == "postgresql":
            await self.conn.execute(_NOTIFY_CHANGE)

    async def bump_config_versions(self, realm_id: str | None = None) -> None:
        """Bump the version of ``realm_id`` (or of every changed realm, in a stable order)."""
        if realm_id is None:
            pending = sorted(self._changed_realms)
        else:
            pending = [realm_id] if realm_id in self._changed_realms else []
        for rid in pending:
            await self.conn.execute(_BUMP_CONFIG_VERSION, {"realm_id": rid})
            self._changed_realms.discard(rid)
            self._bumped_config = True
