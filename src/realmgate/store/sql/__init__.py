"""The SQL implementation of ``realmgate.store.interface`` (SQLite and PostgreSQL).

``store = await open_store("sqlite:///data/realmgate.db")`` opens, migrates and returns a
``SqlStore``; ``DatabaseUrlError`` reports a bad URL and ``interface.Unavailable`` an
unreachable database.
"""

from realmgate.store.sql.store import SqlStore, open_store
from realmgate.store.sql.url import DatabaseUrlError

__all__ = ["DatabaseUrlError", "SqlStore", "open_store"]
