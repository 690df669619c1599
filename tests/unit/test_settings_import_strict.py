"""``--import-strict`` / ``REALMGATE_IMPORT_STRICT``: a switch on the command line, true/false in
the environment (and in the variables handed to worker processes)."""

from __future__ import annotations

import pytest

from realmgate.settings import SettingsError, load_settings, settings_from_env


def test_flag_and_variable() -> None:
    assert load_settings("dev", {}, {}).import_strict is False
    assert load_settings("dev", {"import_strict": "true"}, {}).import_strict is True
    assert load_settings("dev", {}, {"REALMGATE_IMPORT_STRICT": "TRUE"}).import_strict is True
    strict = load_settings("dev", {"import_strict": "true"}, {})
    assert settings_from_env(strict.to_env()).import_strict is True


def test_a_bad_value_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="REALMGATE_IMPORT_STRICT must be true or false"):
        load_settings("dev", {}, {"REALMGATE_IMPORT_STRICT": "yes please"})
