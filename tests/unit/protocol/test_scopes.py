"""Client scopes applied to a request and the granted ``scope`` string."""

from __future__ import annotations

import pytest
from tests.unit.protocol import kit

from realmgate.protocol.errors import InvalidScope
from realmgate.protocol.scopes import decide_scopes, narrow_scopes


def test_defaults_apply_and_only_visible_ones_are_listed() -> None:
    config = kit.config()
    decision = decide_scopes(config, config.clients["app"], "openid")
    assert decision.openid
    assert decision.names == frozenset(kit.DEFAULTS)
    assert decision.scope_string == "openid profile email"


def test_optional_scope_only_when_requested() -> None:
    config = kit.config()
    decision = decide_scopes(config, config.clients["app"], "address openid")
    assert "address" in decision.names and "phone" not in decision.names
    assert decision.scope_string == "openid profile email address"


def test_without_openid_no_openid_in_scope() -> None:
    config = kit.config()
    assert decide_scopes(config, config.clients["app"], None).scope_string == "profile email"


def test_unknown_scope_is_invalid() -> None:
    config = kit.config()
    with pytest.raises(InvalidScope, match="Invalid scopes: openid admin"):
        decide_scopes(config, config.clients["app"], "openid admin")


def test_optional_scope_not_attached_to_client_is_invalid() -> None:
    config = kit.config(kit.client(optional_client_scopes=()))
    with pytest.raises(InvalidScope):
        decide_scopes(config, config.clients["app"], "openid phone")


def test_refresh_may_narrow_but_not_widen() -> None:
    config = kit.config()
    client = config.clients["app"]
    assert narrow_scopes(config, client, "openid profile email address", None).scope_string.endswith("address")
    narrowed = narrow_scopes(config, client, "openid profile email address", "openid")
    assert "address" not in narrowed.names
    with pytest.raises(InvalidScope):
        narrow_scopes(config, client, "openid profile email", "openid phone")


def test_offline_access_flag() -> None:
    config = kit.config()
    assert decide_scopes(config, config.clients["app"], "openid offline_access").offline
    assert not decide_scopes(config, config.clients["app"], "openid").offline
