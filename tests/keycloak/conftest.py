"""Real SQLite (and PostgreSQL, marked) stores for the Keycloak import/export/defaults tests.

Every fixture of ``tests/store/conftest.py`` is re-exported by name (pytest finds fixtures in
the conftest namespace), so helper fixtures the store suite adds are found too.
"""

from __future__ import annotations

import tests.store.conftest as _store_fixtures

globals().update(
    {
        name: value
        for name, value in vars(_store_fixtures).items()
        if type(value).__name__ == "FixtureFunctionDefinition"
    }
)
