"""Sync modes as data: which mapper hook runs on which login.

The provider's ``config.syncMode`` is ``IMPORT``, ``FORCE`` or ``LEGACY`` (absent means
LEGACY, Keycloak's model default). A mapper's ``config.syncMode`` overrides it unless it is
``INHERIT`` (absent means INHERIT here; Keycloak's model reads absent as LEGACY, which makes a
mapper created without the field silently ignore a FORCE provider).

| effective | first login (user created) | later logins          |
|-----------|----------------------------|-----------------------|
| IMPORT    | import_new_user            | nothing               |
| FORCE     | import_new_user            | update (grant+revoke) |
| LEGACY    | import_new_user            | update_legacy         |

``preprocess`` (username template, session notes) runs on every login whatever the mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

SYNC_MODE = "syncMode"


class SyncMode(StrEnum):
    IMPORT = "IMPORT"
    FORCE = "FORCE"
    LEGACY = "LEGACY"


class MapperSyncMode(StrEnum):
    INHERIT = "INHERIT"
    IMPORT = "IMPORT"
    FORCE = "FORCE"
    LEGACY = "LEGACY"


class Hook(StrEnum):
    """The Keycloak ``IdentityProviderMapper`` method a login calls (names kept for logs)."""

    IMPORT_NEW_USER = "importNewUser"
    UPDATE = "updateBrokeredUser"
    UPDATE_LEGACY = "updateBrokeredUserLegacy"


def provider_sync_mode(config: Mapping[str, str]) -> SyncMode:
    """The provider's mode; absent or unknown reads as LEGACY, as Keycloak's model does."""
    try:
        return SyncMode(config.get(SYNC_MODE, SyncMode.LEGACY))
    except ValueError:
        return SyncMode.LEGACY


def mapper_sync_mode(config: Mapping[str, str]) -> MapperSyncMode:
    """The mapper's override; absent, empty or unknown reads as INHERIT (validation refuses unknown)."""
    try:
        return MapperSyncMode(config.get(SYNC_MODE) or MapperSyncMode.INHERIT)
    except ValueError:
        return MapperSyncMode.INHERIT


def effective_sync_mode(provider: SyncMode, mapper: MapperSyncMode) -> SyncMode:
    """The mapper's own mode wins; INHERIT takes the provider's (Keycloak issue #43221)."""
    return provider if mapper is MapperSyncMode.INHERIT else SyncMode(mapper.value)


def hook_for(*, first_login: bool, mode: SyncMode) -> Hook | None:
    """Which hook runs: see the table in the module docstring."""
    if first_login:
        return Hook.IMPORT_NEW_USER
    if mode is SyncMode.FORCE:
        return Hook.UPDATE
    if mode is SyncMode.LEGACY:
        return Hook.UPDATE_LEGACY
    return None
