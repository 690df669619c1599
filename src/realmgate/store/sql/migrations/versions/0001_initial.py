"""Initial schema: realms, clients, roles, groups, client scopes, users, sessions, keys,
identity providers, single-use values and events (see ``tables.py`` for the why of each column).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "admin_events",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_events")),
    )
    op.create_index(op.f("ix_admin_events_realm_id_time"), "admin_events", ["realm_id", "time"])

    op.create_table(
        "events",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("client_id", sa.String(), nullable=True),
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_realm_id_time"), "events", ["realm_id", "time"])

    op.create_table(
        "realms",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("config_version", sa.BigInteger(), nullable=False),
        sa.Column("sso_session_idle_timeout", sa.Integer(), nullable=False),
        sa.Column("sso_session_max_lifespan", sa.Integer(), nullable=False),
        sa.Column("offline_session_idle_timeout", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_realms")),
        sa.UniqueConstraint("name", name=op.f("uq_realms_name")),
    )
    op.create_table(
        "single_use",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_single_use")),
    )
    op.create_index(op.f("ix_single_use_expires_at"), "single_use", ["expires_at"])

    op.create_table(
        "client_scopes",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f("fk_client_scopes_realm_id_realms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_scopes")),
        sa.UniqueConstraint("realm_id", "name", name=op.f("uq_client_scopes_realm_id_name")),
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("client_id", sa.String(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f("fk_clients_realm_id_realms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("realm_id", "client_id", name=op.f("uq_clients_realm_id_client_id")),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.Column("parent_key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["groups.id"], name=op.f("fk_groups_parent_id_groups")),
        sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f("fk_groups_realm_id_realms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("realm_id", "parent_key", "name", name=op.f("uq_groups_realm_id_parent_key_name")),
    )
    op.create_table(
        "identity_providers",
        sa.Column("internal_id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f("fk_identity_providers_realm_id_realms")),
        sa.PrimaryKeyConstraint("internal_id", name=op.f("pk_identity_providers")),
        sa.UniqueConstraint("realm_id", "alias", name=op.f("uq_identity_providers_realm_id_alias")),
    )
    op.create_table(
        "idp_mappers",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("identity_provider_alias", sa.String(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f("fk_idp_mappers_realm_id_realms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idp_mappers")),
    )
    op.create_index(
        op.f("ix_idp_mappers_realm_id_identity_provider_alias"),
        "idp_mappers",
        ["realm_id", "identity_provider_alias"],
    )

    op.create_table(
        "realm_keys",
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("kid", sa.String(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f("fk_realm_keys_realm_id_realms")),
        sa.PrimaryKeyConstraint("realm_id", "kid", name=op.f("pk_realm_keys")),
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("client_id", sa.String(), nullable=True),
        sa.Column("container_key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_roles_client_id_clients")),
        sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f("fk_roles_realm_id_realms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
        sa.UniqueConstraint("realm_id", "container_key", "name", name=op.f("uq_roles_realm_id_container_key_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("username_lc", sa.String(), nullable=False),
        sa.Column("email_lc", sa.String(), nullable=True),
        sa.Column("first_name_lc", sa.String(), nullable=True),
        sa.Column("last_name_lc", sa.String(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("service_account_client_id", sa.String(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f("fk_users_realm_id_realms")),
        sa.ForeignKeyConstraint(
            ["service_account_client_id"],
            ["clients.id"],
            name=op.f("fk_users_service_account_client_id_clients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("realm_id", "username_lc", name=op.f("uq_users_realm_id_username_lc")),
    )
    op.create_index(op.f("ix_users_realm_id_email_lc"), "users", ["realm_id", "email_lc"])
    op.create_index(op.f("ix_users_service_account_client_id"), "users", ["service_account_client_id"])

    op.create_table(
        "credentials",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_credentials_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
    )
    op.create_index(op.f("ix_credentials_user_id"), "credentials", ["user_id"])

    op.create_table(
        "federated_identities",
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("identity_provider", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("idp_user_id", sa.String(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f("fk_federated_identities_realm_id_realms")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_federated_identities_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "identity_provider", name=op.f("pk_federated_identities")),
        sa.UniqueConstraint(
            "realm_id",
            "identity_provider",
            "idp_user_id",
            name=op.f("uq_federated_identities_realm_id_identity_provider_idp_user_id"),
        ),
    )
    op.create_table(
        "user_attributes",
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("value_key", sa.String(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_attributes_user_id_users")),
    )
    op.create_index(
        op.f("ix_user_attributes_realm_id_name_value_key"),
        "user_attributes",
        ["realm_id", "name", "value_key"],
    )
    op.create_index(op.f("ix_user_attributes_user_id"), "user_attributes", ["user_id"])

    op.create_table(
        "user_groups",
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("group_id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_user_groups_group_id_groups")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_groups_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "group_id", name=op.f("pk_user_groups")),
    )
    op.create_index(op.f("ix_user_groups_group_id"), "user_groups", ["group_id"])
    op.create_index(op.f("ix_user_groups_realm_id"), "user_groups", ["realm_id"])

    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("role_id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["role_id"], ["roles.id"], name=op.f("fk_user_roles_role_id_roles")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "role_id", name=op.f("pk_user_roles")),
    )
    op.create_index(op.f("ix_user_roles_realm_id"), "user_roles", ["realm_id"])
    op.create_index(op.f("ix_user_roles_role_id"), "user_roles", ["role_id"])

    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("started", sa.BigInteger(), nullable=False),
        sa.Column("last_refresh", sa.BigInteger(), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("broker_session_id", sa.String(), nullable=True),
        sa.Column("broker_user_id", sa.String(), nullable=True),
        sa.Column("client_ids", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f("fk_user_sessions_realm_id_realms")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
    )
    op.create_index(op.f("ix_user_sessions_broker_session_id"), "user_sessions", ["broker_session_id"])
    op.create_index(op.f("ix_user_sessions_broker_user_id"), "user_sessions", ["broker_user_id"])
    op.create_index(op.f("ix_user_sessions_realm_id_last_refresh"), "user_sessions", ["realm_id", "last_refresh"])
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_table("user_sessions")
    op.drop_table("user_roles")
    op.drop_table("user_groups")
    op.drop_table("user_attributes")
    op.drop_table("federated_identities")
    op.drop_table("credentials")
    op.drop_table("users")
    op.drop_table("roles")
    op.drop_table("realm_keys")
    op.drop_table("idp_mappers")
    op.drop_table("identity_providers")
    op.drop_table("groups")
    op.drop_table("clients")
    op.drop_table("client_scopes")
    op.drop_table("single_use")
    op.drop_table("realms")
    op.drop_table("events")
    op.drop_table("admin_events")
