"""Alembic environment: always runs on the connection handed over by ``migrate.py``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from realmgate.store.sql.tables import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run realmgate's migrations through realmgate.store.sql.migrate")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
