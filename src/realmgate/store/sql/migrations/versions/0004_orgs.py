"""Organizations (with their domains, members and identity providers) and the realm's
components other than key providers (client-registration policies, user storage, ...).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _realm_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f(f"fk_{table}_realm_id_realms"))


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"], ["organizations.id"], name=op.f(f"fk_{table}_organization_id_organizations")
    )


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_lc", sa.String(), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        _realm_fk("organizations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("realm_id", "name", name=op.f("uq_organizations_realm_id_name")),
        sa.UniqueConstraint("realm_id", "alias", name=op.f("uq_organizations_realm_id_alias")),
    )
    op.create_table(
        "organization_domains",
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("organization_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        _realm_fk("organization_domains"),
        _org_fk("organization_domains"),
        sa.PrimaryKeyConstraint("realm_id", "name", name=op.f("pk_organization_domains")),
    )
    op.create_index(op.f("ix_organization_domains_organization_id"), "organization_domains", ["organization_id"])
    op.create_table(
        "organization_members",
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("organization_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("membership_type", sa.String(), nullable=False),
        _realm_fk("organization_members"),
        _org_fk("organization_members"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_organization_members_user_id_users")),
        sa.PrimaryKeyConstraint("organization_id", "user_id", name=op.f("pk_organization_members")),
    )
    op.create_index(op.f("ix_organization_members_user_id"), "organization_members", ["user_id"])
    op.create_table(
        "organization_identity_providers",
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("organization_id", sa.String(), nullable=False),
        sa.Column("idp_internal_id", sa.String(), nullable=False),
        _realm_fk("organization_identity_providers"),
        _org_fk("organization_identity_providers"),
        sa.ForeignKeyConstraint(
            ["idp_internal_id"],
            ["identity_providers.internal_id"],
            name=op.f("fk_organization_identity_providers_idp_internal_id_identity_providers"),
        ),
        sa.PrimaryKeyConstraint("idp_internal_id", name=op.f("pk_organization_identity_providers")),
    )
    op.create_index(
        op.f("ix_organization_identity_providers_organization_id"),
        "organization_identity_providers",
        ["organization_id"],
    )
    op.create_table(
        "components",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("parent_id", sa.String(), nullable=False),
        sa.Column("provider_type", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        _realm_fk("components"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_components")),
    )
    op.create_index(op.f("ix_components_realm_id_provider_type"), "components", ["realm_id", "provider_type"])


def downgrade() -> None:
    for table in (
        "components",
        "organization_identity_providers",
        "organization_members",
        "organization_domains",
        "organizations",
    ):
        op.drop_table(table)
