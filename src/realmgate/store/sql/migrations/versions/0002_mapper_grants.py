"""Provenance of role mappings and group memberships granted by identity provider mappers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "idp_mapper_grants",
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("target_id", sa.String(), nullable=False),
        sa.Column("identity_provider", sa.String(), nullable=False),
        sa.Column("mapper_id", sa.String(), nullable=False),
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["realm_id"], ["realms.id"], name=op.f("fk_idp_mapper_grants_realm_id_realms")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_idp_mapper_grants_user_id_users")),
        sa.PrimaryKeyConstraint(
            "user_id", "kind", "target_id", "identity_provider", "mapper_id", name=op.f("pk_idp_mapper_grants")
        ),
    )
    op.create_index(
        op.f("ix_idp_mapper_grants_realm_id_identity_provider"), "idp_mapper_grants", ["realm_id", "identity_provider"]
    )
    op.create_index(op.f("ix_idp_mapper_grants_target_id"), "idp_mapper_grants", ["target_id"])


def downgrade() -> None:
    op.drop_table("idp_mapper_grants")
