from __future__ import annotations

import pytest

from realmgate.protocol.errors import InvalidRequest
from realmgate.protocol.params import optional, required, single_valued


def test_duplicate_parameter_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="duplicated parameter: scope"):
        single_valued([("scope", "openid"), ("client_id", "a"), ("scope", "email")])


def test_single_values_and_empty_as_absent() -> None:
    params = single_valued([("a", "1"), ("b", "")])
    assert optional(params, "a") == "1"
    assert optional(params, "b") is None
    with pytest.raises(InvalidRequest, match="Missing parameter: b"):
        required(params, "b")
