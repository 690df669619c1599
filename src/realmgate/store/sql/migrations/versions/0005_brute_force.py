"""Brute-force detection: the failed logins of each user (Keycloak's login failures).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("realm_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("num_failures", sa.Integer(), nullable=False),
        sa.Column("num_temporary_lockouts", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.BigInteger(), nullable=False),
        sa.Column("last_ip_failure", sa.String(), nullable=True),
        sa.Column("failed_login_not_before", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("realm_id", "user_id", name=op.f("pk_login_failures")),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
