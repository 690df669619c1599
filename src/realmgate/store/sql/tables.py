"""The schema: one table per aggregate, indexed columns for lookups, a JSON ``data`` column for the rest.

Only what is searched, joined, ordered or kept unique gets its own column; every other dataclass
field lives in ``data`` (see ``rows.py``), so adding a model field needs no migration. The one
exception is a large JSON value read far less often than its row (a realm's extra settings),
which gets a column of its own that is decoded only when used. Columns
ending in ``_lc`` hold a lower-cased copy used for case-insensitive lookups; the original value
stays in ``data``. Nullable parents (realm roles have no client, top-level groups no parent) get a
non-null ``*_key`` column ('' when absent) because unique constraints treat NULLs as distinct.

Foreign keys have no ``ON DELETE`` actions: repositories delete children explicitly, in an order
that works the same on SQLite and PostgreSQL. Migrations in ``migrations/versions`` must match
this module (a test compares them).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id(name: str = "id") -> Column[str]:
    return Column(name, String, primary_key=True)


def _realm_fk() -> Column[str]:
    return Column("realm_id", String, ForeignKey("realms.id"), nullable=False)


def _data() -> Column[str]:
    return Column("data", Text, nullable=False)


realms = Table(
    "realms",
    metadata,
    _id(),
    Column("name", String, nullable=False, unique=True),
    # Bumped in every transaction that changes the realm's configuration (see store/interface.py).
    Column("config_version", BigInteger, nullable=False),
    # Copied out of ``data`` so expired sessions can be purged in one DELETE.
    Column("sso_session_idle_timeout", Integer, nullable=False),
    Column("sso_session_max_lifespan", Integer, nullable=False),
    Column("offline_session_idle_timeout", Integer, nullable=False),
    _data(),
    # The Keycloak settings realmgate keeps without modelling them (JSON, tens of kB with flows):
    # apart from ``data`` so the realm lookup of every request need not decode them (rows.py).
    Column("extra_settings", Text, nullable=True),
)

clients = Table(
    "clients",
    metadata,
    _id(),
    _realm_fk(),
    Column("client_id", String, nullable=False),
    _data(),
    UniqueConstraint("realm_id", "client_id"),
)

client_scopes = Table(
    "client_scopes",
    metadata,
    _id(),
    _realm_fk(),
    Column("name", String, nullable=False),
    _data(),
    UniqueConstraint("realm_id", "name"),
)

roles = Table(
    "roles",
    metadata,
    _id(),
    _realm_fk(),
    Column("client_id", String, ForeignKey("clients.id"), nullable=True),
    Column("container_key", String, nullable=False),  # client id, or '' for a realm role
    Column("name", String, nullable=False),
    _data(),
    UniqueConstraint("realm_id", "container_key", "name"),
)

groups = Table(
    "groups",
    metadata,
    _id(),
    _realm_fk(),
    Column("parent_id", String, ForeignKey("groups.id"), nullable=True),
    Column("parent_key", String, nullable=False),  # parent id, or '' for a top-level group
    Column("name", String, nullable=False),
    _data(),
    UniqueConstraint("realm_id", "parent_key", "name"),
)

users = Table(
    "users",
    metadata,
    _id(),
    _realm_fk(),
    Column("username_lc", String, nullable=False),
    Column("email_lc", String, nullable=True),
    Column("first_name_lc", String, nullable=True),
    Column("last_name_lc", String, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("service_account_client_id", String, ForeignKey("clients.id"), nullable=True),
    _data(),
    UniqueConstraint("realm_id", "username_lc"),
    Index(None, "realm_id", "email_lc"),
    Index(None, "service_account_client_id"),
)

# A searchable copy of ``User.attributes`` (the user row's ``data`` is what gets loaded).
# ``value_key`` is a prefix short enough for a B-tree index; ``value`` is compared in full.
user_attributes = Table(
    "user_attributes",
    metadata,
    Column("user_id", String, ForeignKey("users.id"), nullable=False, index=True),
    Column("realm_id", String, nullable=False),
    Column("name", String, nullable=False),
    Column("value_key", String, nullable=False),
    Column("value", Text, nullable=False),
    Index(None, "realm_id", "name", "value_key"),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", String, ForeignKey("users.id"), nullable=False),
    Column("role_id", String, ForeignKey("roles.id"), nullable=False, index=True),
    Column("realm_id", String, nullable=False, index=True),
    PrimaryKeyConstraint("user_id", "role_id"),
)

user_groups = Table(
    "user_groups",
    metadata,
    Column("user_id", String, ForeignKey("users.id"), nullable=False),
    Column("group_id", String, ForeignKey("groups.id"), nullable=False, index=True),
    Column("realm_id", String, nullable=False, index=True),
    PrimaryKeyConstraint("user_id", "group_id"),
)

credentials = Table(
    "credentials",
    metadata,
    _id(),
    Column("user_id", String, ForeignKey("users.id"), nullable=False, index=True),
    Column("priority", Integer, nullable=False),
    _data(),
)

federated_identities = Table(
    "federated_identities",
    metadata,
    Column("user_id", String, ForeignKey("users.id"), nullable=False),
    Column("identity_provider", String, nullable=False),
    _realm_fk(),
    Column("idp_user_id", String, nullable=False),
    _data(),
    PrimaryKeyConstraint("user_id", "identity_provider"),
    UniqueConstraint("realm_id", "identity_provider", "idp_user_id"),
)

identity_providers = Table(
    "identity_providers",
    metadata,
    _id("internal_id"),
    _realm_fk(),
    Column("alias", String, nullable=False),
    _data(),
    UniqueConstraint("realm_id", "alias"),
)

idp_mappers = Table(
    "idp_mappers",
    metadata,
    _id(),
    _realm_fk(),
    Column("identity_provider_alias", String, nullable=False),
    _data(),
    Index(None, "realm_id", "identity_provider_alias"),
)

# Which identity provider mapper granted a user which role or group (model.identity_provider.MapperGrant):
# a FORCE mapper revokes only what mappers granted. ``target_id`` is a role or group id.
idp_mapper_grants = Table(
    "idp_mapper_grants",
    metadata,
    Column("user_id", String, ForeignKey("users.id"), nullable=False),
    Column("kind", String, nullable=False),  # "role" or "group"
    Column("target_id", String, nullable=False),
    Column("identity_provider", String, nullable=False),
    Column("mapper_id", String, nullable=False),
    _realm_fk(),
    PrimaryKeyConstraint("user_id", "kind", "target_id", "identity_provider", "mapper_id"),
    Index(None, "target_id"),
    Index(None, "realm_id", "identity_provider"),
)

realm_keys = Table(
    "realm_keys",
    metadata,
    _realm_fk(),
    Column("kid", String, nullable=False),
    Column("priority", Integer, nullable=False),
    _data(),
    PrimaryKeyConstraint("realm_id", "kid"),
)

user_sessions = Table(
    "user_sessions",
    metadata,
    _id(),
    _realm_fk(),
    Column("user_id", String, ForeignKey("users.id"), nullable=False, index=True),
    Column("started", BigInteger, nullable=False),
    Column("last_refresh", BigInteger, nullable=False),
    Column("offline", Boolean, nullable=False),
    Column("broker_session_id", String, nullable=True, index=True),
    Column("broker_user_id", String, nullable=True, index=True),
    # ",id1,id2," of the client sessions' client ids: one row per session keeps the hot
    # session update a single statement; the admin-only per-client queries scan with LIKE.
    Column("client_ids", Text, nullable=False),
    _data(),
    Index(None, "realm_id", "last_refresh"),
)

single_use = Table(
    "single_use",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires_at", BigInteger, nullable=False, index=True),
)

events = Table(
    "events",
    metadata,
    _id(),
    Column("realm_id", String, nullable=False),
    Column("time", BigInteger, nullable=False),
    Column("type", String, nullable=False),
    Column("client_id", String, nullable=True),
    Column("user_id", String, nullable=True),
    _data(),
    Index(None, "realm_id", "time"),
)

admin_events = Table(
    "admin_events",
    metadata,
    _id(),
    Column("realm_id", String, nullable=False),
    Column("time", BigInteger, nullable=False),
    _data(),
    Index(None, "realm_id", "time"),
)

# Organizations (model.organization). Domains are also kept in ``data`` (read with the row); this
# table makes them unique within a realm and searchable. Members and identity providers are links.
organizations = Table(
    "organizations",
    metadata,
    _id(),
    _realm_fk(),
    Column("name", String, nullable=False),
    Column("name_lc", String, nullable=False),
    Column("alias", String, nullable=False),
    _data(),
    UniqueConstraint("realm_id", "name"),
    UniqueConstraint("realm_id", "alias"),
)

organization_domains = Table(
    "organization_domains",
    metadata,
    _realm_fk(),
    Column("organization_id", String, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("name", String, nullable=False),  # lower-cased
    PrimaryKeyConstraint("realm_id", "name"),
)

organization_members = Table(
    "organization_members",
    metadata,
    _realm_fk(),
    Column("organization_id", String, ForeignKey("organizations.id"), nullable=False),
    Column("user_id", String, ForeignKey("users.id"), nullable=False, index=True),
    Column("membership_type", String, nullable=False),
    PrimaryKeyConstraint("organization_id", "user_id"),
)

# An identity provider belongs to at most one organization (Keycloak's organizationId).
organization_identity_providers = Table(
    "organization_identity_providers",
    metadata,
    _realm_fk(),
    Column("organization_id", String, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("idp_internal_id", String, ForeignKey("identity_providers.internal_id"), primary_key=True),
)

# Components other than key providers (model.component); ``parent_id`` is the realm id or
# another component's id.
components = Table(
    "components",
    metadata,
    _id(),
    _realm_fk(),
    Column("parent_id", String, nullable=False),
    Column("provider_type", String, nullable=False),
    Column("name", String, nullable=False),
    _data(),
    Index(None, "realm_id", "provider_type"),
)

# Brute-force detection: one row per user with failed logins (no foreign keys, like the events:
# the user and realm deletes remove the rows explicitly). Updated under a row lock.
login_failures = Table(
    "login_failures",
    metadata,
    Column("realm_id", String, nullable=False),
    Column("user_id", String, nullable=False),
    Column("num_failures", Integer, nullable=False),
    Column("num_temporary_lockouts", Integer, nullable=False),
    Column("last_failure", BigInteger, nullable=False),
    Column("last_ip_failure", String, nullable=True),
    Column("failed_login_not_before", BigInteger, nullable=False),
    PrimaryKeyConstraint("realm_id", "user_id"),
)
