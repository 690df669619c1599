"""Database URL parsing: accept the forms people type, hand SQLAlchemy the async drivers.

Kept apart from the engine so the CLI can validate ``--db-url`` before anything starts.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class DatabaseUrlError(ValueError):
    """The database URL is malformed or names a database we do not support."""


def normalize_url(db_url: str) -> URL:
    """Return ``db_url`` as a SQLAlchemy URL using ``aiosqlite`` or ``asyncpg``.

    Raises ``DatabaseUrlError`` with a one-line message (without the password) otherwise.
    """
    try:
        url = make_url(db_url.strip())
    except (ArgumentError, ValueError):
        raise DatabaseUrlError(
            "malformed database URL: expected sqlite:///path/to/file.db or postgresql://user@host/db"
        ) from None
    driver = _ASYNC_DRIVERS.get(url.drivername.lower())
    if driver is None:
        raise DatabaseUrlError(
            f"unsupported database {url.drivername!r}: use sqlite:///path or postgresql://user@host/db"
        )
    url = url.set(drivername=driver)
    if driver.startswith("sqlite"):
        if not url.database or url.database == ":memory:" or url.database.endswith("/"):
            raise DatabaseUrlError(
                "a SQLite database needs a file path (sqlite:///path/to/file.db); in-memory is not supported"
            )
    else:
        if not url.database:
            raise DatabaseUrlError("a PostgreSQL URL needs a database name (postgresql://user@host/dbname)")
        if "sslmode" in url.query and "ssl" not in url.query:
            # libpq spelling (as hosting providers hand it out); asyncpg takes the same values as ``ssl``.
            url = url.update_query_dict({"ssl": url.query["sslmode"]}).difference_update_query(["sslmode"])
    return url


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path:
    """The database file of a SQLite URL (relative paths are relative to the working directory)."""
    assert url.database is not None
    return Path(url.database)
