"""Real store fixtures for the reference-resolution tests (SQLite, and PostgreSQL when reachable)."""

from tests.store.conftest import postgres_database, store, store_url  # noqa: F401
