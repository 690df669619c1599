"""Shared test set-up: keep the developer's REALMGATE_* / Keycloak variables out of the tests,
so a server a test starts sees only what the test gives it."""

from __future__ import annotations

import os

for _name in list(os.environ):
    if _name.startswith(("REALMGATE_", "KC_", "KEYCLOAK_ADMIN")):
        del os.environ[_name]
