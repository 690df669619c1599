"""``SqlTx``: one transaction and its repositories.

Configuration writes only mark their realm as changed; the ``config_version`` bump happens once
per realm just before commit (or when ``config_version`` is read in the same transaction), so a
realm import of hundreds of rows updates the realm row once and holds its lock briefly.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

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

_BUMP_CONFIG_VERSION = (
    update(t.realms).where(t.realms.c.id == bindparam("realm_id")).values(config_version=t.realms.c.config_version + 1)
)
_NOTIFY_CONFIG_CHANGE = select(func.pg_notify(CHANNEL, bindparam("realm_id")))


class SqlTx:
    """Implements ``realmgate.store.interface.Tx`` on one open connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._changed_realms: set[str] = set()
        self.bumped_config = False
        """Whether this transaction changed a realm's configuration (its commit moves the epoch)."""
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

    async def bump_config_versions(self, realm_id: str | None = None) -> None:
        """Bump the version of ``realm_id`` (or of every changed realm, in a stable order)."""
        if realm_id is None:
            pending = sorted(self._changed_realms)
        else:
            pending = [realm_id] if realm_id in self._changed_realms else []
        for rid in pending:
            await self.conn.execute(_BUMP_CONFIG_VERSION, {"realm_id": rid})
            if self.conn.dialect.name == "postgresql":  # delivered to every listener at commit
                await self.conn.execute(_NOTIFY_CONFIG_CHANGE, {"realm_id": rid})
            self._changed_realms.discard(rid)
            self.bumped_config = True
