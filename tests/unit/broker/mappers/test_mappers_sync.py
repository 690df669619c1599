"""Sync modes: every provider/mapper combination and the hook it selects."""

from __future__ import annotations

import pytest

from realmgate.broker.mappers.sync import (
    Hook,
    MapperSyncMode,
    SyncMode,
    effective_sync_mode,
    hook_for,
    mapper_sync_mode,
    provider_sync_mode,
)


@pytest.mark.parametrize("provider", list(SyncMode))
@pytest.mark.parametrize("override", list(MapperSyncMode))
def test_mapper_mode_wins_unless_inherit(provider: SyncMode, override: MapperSyncMode) -> None:
    expected = provider if override is MapperSyncMode.INHERIT else SyncMode(override.value)
    assert effective_sync_mode(provider, override) is expected


def test_import_override_beats_force_provider() -> None:
    """Keycloak issue #43221: the mapper's IMPORT must not be overridden by a FORCE provider."""
    assert effective_sync_mode(SyncMode.FORCE, MapperSyncMode.IMPORT) is SyncMode.IMPORT
    assert hook_for(first_login=False, mode=SyncMode.IMPORT) is None


@pytest.mark.parametrize("mode", list(SyncMode))
def test_first_login_always_imports(mode: SyncMode) -> None:
    assert hook_for(first_login=True, mode=mode) is Hook.IMPORT_NEW_USER


@pytest.mark.parametrize(
    ("mode", "hook"),
    [(SyncMode.IMPORT, None), (SyncMode.FORCE, Hook.UPDATE), (SyncMode.LEGACY, Hook.UPDATE_LEGACY)],
)
def test_later_login_hooks(mode: SyncMode, hook: Hook | None) -> None:
    assert hook_for(first_login=False, mode=mode) is hook


def test_config_defaults() -> None:
    assert provider_sync_mode({}) is SyncMode.LEGACY
    assert provider_sync_mode({"syncMode": "FORCE"}) is SyncMode.FORCE
    assert provider_sync_mode({"syncMode": "bogus"}) is SyncMode.LEGACY
    assert mapper_sync_mode({}) is MapperSyncMode.INHERIT
    assert mapper_sync_mode({"syncMode": ""}) is MapperSyncMode.INHERIT
    assert mapper_sync_mode({"syncMode": "IMPORT"}) is MapperSyncMode.IMPORT
    assert mapper_sync_mode({"syncMode": "bogus"}) is MapperSyncMode.INHERIT
