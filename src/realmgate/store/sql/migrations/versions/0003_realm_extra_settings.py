"""The realm settings of Keycloak's RealmRepresentation that realmgate stores without modelling
them (brute force, OTP and WebAuthn policies, flows, required actions, SMTP, ...), as JSON.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("realms", sa.Column("extra_settings", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("realms") as batch:  # SQLite cannot drop a column in place
        batch.drop_column("extra_settings")
