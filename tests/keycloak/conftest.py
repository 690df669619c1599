"""Real SQLite (and PostgreSQL, marked) stores for the Keycloak import/export/defaults tests."""

from tests.store.conftest import postgres_database, store, store_url  # noqa: F401
