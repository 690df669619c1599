"""Alembic migrations of the SQL store, run by ``realmgate.store.sql.migrate``."""
