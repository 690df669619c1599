"""Claim paths, claim sources and claim comparison."""

from __future__ import annotations

import pytest

from realmgate.broker.mappers.claims import (
    ClaimPathError,
    ClaimsMapError,
    claim_value,
    compile_regex,
    parse_claims_map,
    resolve_path,
    scalar_strings,
    split_claim_path,
    value_equals,
    value_matches_regex,
)
from realmgate.broker.mappers.inputs import MapperContext
from realmgate.crypto.secrets import SYSTEM


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        ("email", ["email"]),
        ("address.locality", ["address", "locality"]),
        ("https://example\\.com/roles", ["https://example.com/roles"]),
        ("a\\.b.c", ["a.b", "c"]),
        ("a\\\\.b", ["a\\", "b"]),
        ("emails[0]", ["emails", 0]),
        ("m[1][0].x", ["m", 1, 0, "x"]),
        ("a\\[0]", ["a[0]"]),
        ("a[0]b", ["a[0]b"]),  # brackets inside a name are part of it
    ],
)
def test_split_claim_path(path: str, steps: list[str | int]) -> None:
    assert split_claim_path(path) == steps


@pytest.mark.parametrize("path", ["", ".a", "a.", "a..b", "a[x]", "[0]", "a\\"])
def test_split_claim_path_refuses_malformed_paths(path: str) -> None:
    with pytest.raises(ClaimPathError):
        split_claim_path(path)


CLAIMS: dict[str, object] = {
    "sub": "u1",
    "groups": ["/staff", "/admins"],
    "address": {"locality": "Brno", "geo": {"lat": 49.2}},
    "https://example.com/roles": ["x"],
    "orgs": [{"name": "a", "roles": ["r1", "r2"]}, {"name": "b", "roles": ["r3"]}, {"other": 1}],
    "nested": [[1, 2], [3]],
    "age": 42,
    "flag": True,
    "nothing": None,
    "title": "Dr",
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("sub", "u1"),
        ("groups", ["/staff", "/admins"]),
        ("groups[1]", "/admins"),
        ("groups[5]", None),
        ("address.locality", "Brno"),
        ("address.geo.lat", 49.2),
        ("https://example\\.com/roles", ["x"]),
        ("orgs.name", ["a", "b"]),
        ("orgs.roles", ["r1", "r2", "r3"]),
        ("orgs[1].name", "b"),
        ("orgs[1].roles[0]", "r3"),
        ("nested[0][1]", 2),
        ("missing", None),
        ("missing.deeper", None),
        ("title.deeper", None),  # a path through a string yields nothing
        ("age.x", None),
        ("address[0]", None),  # index on an object yields nothing
        ("nothing", None),
        ("orgs.missing", None),
    ],
)
def test_resolve_path(path: str, value: object) -> None:
    assert resolve_path(CLAIMS, split_claim_path(path)) == value


def test_claim_sources_in_keycloak_order_access_token_id_token_userinfo() -> None:
    ctx = MapperContext(
        alias="up",
        provider_id="keycloak-oidc",
        access_token={"a": "from-at"},
        id_token={"a": "from-id", "b": "from-id"},
        userinfo={"a": "from-ui", "b": "from-ui", "c": "from-ui"},
        new_id=SYSTEM.new_id,
    )
    assert ctx.claim("a") == "from-at"
    assert ctx.claim("b") == "from-id"
    assert ctx.claim("c") == "from-ui"
    assert ctx.claim("d") is None


def test_claim_value_skips_empty_arrays_and_bad_paths() -> None:
    assert claim_value([{"g": []}, {"g": ["x"]}], "g") == ["x"]
    assert claim_value([{"g": "x"}], "g..") is None
    assert claim_value([None, {"g": "x"}], "g") == "x"


@pytest.mark.parametrize(
    ("desired", "value", "expected"),
    [
        ("admin", "admin", True),
        ("admin", "Admin", False),
        ("admin", ["user", "admin"], True),
        ("admin", ["user"], False),
        ("42", 42, True),
        ("42", "42", True),
        ("42", 43, False),
        ("4.5", 4.5, True),
        ("x", 42, False),
        ("true", True, True),
        ("TRUE", True, True),
        ("false", False, True),
        ("true", False, False),
        ("yes", False, False),  # Keycloak's Boolean.valueOf would match this
        ("1", True, False),
        ('{"a": 1}', {"a": 1}, True),
        ("{bad", {"a": 1}, False),
        ("x", None, False),
        ("42", [1, 42], True),
    ],
)
def test_value_equals(desired: str, value: object, expected: bool) -> None:
    assert value_equals(desired, value) is expected


@pytest.mark.parametrize(
    ("regex", "value", "expected"),
    [
        ("adm.*", "admin", True),
        ("adm", "admin", False),  # the whole value must match, as Java's String.matches
        ("dev-.*", ["ops", "dev-1"], True),
        ("\\d+", 42, True),
        ("true", True, True),
        (".*", None, False),
        (".*", {"a": 1}, False),
    ],
)
def test_value_matches_regex(regex: str, value: object, expected: bool) -> None:
    assert value_matches_regex(compile_regex(regex), value) is expected


def test_invalid_regex_never_matches() -> None:
    assert compile_regex("(") is None
    assert value_matches_regex(None, "(") is False


def test_scalar_strings() -> None:
    assert scalar_strings("x") == ["x"]
    assert scalar_strings(["a", 1, 2.5, True, None, {"o": 1}, ["n"]]) == ["a", "1", "2.5", "true"]
    assert scalar_strings({"o": 1}) == []
    assert scalar_strings(None) == []
    assert scalar_strings(3.0) == ["3.0"]


def test_parse_claims_map() -> None:
    raw = '[{"key":"a.b","value":"1"},{"key":"a.b","value":"2"},{"key":"c","value":null}]'
    assert parse_claims_map(raw) == [("a.b", "1"), ("a.b", "2"), ("c", "")]
    assert parse_claims_map(None) == []
    assert parse_claims_map("  ") == []


@pytest.mark.parametrize("raw", ["{", '{"key":"a"}', '[{"value":"x"}]', '["a"]', '[{"key":"a","value":1}]'])
def test_parse_claims_map_refuses_other_shapes(raw: str) -> None:
    with pytest.raises(ClaimsMapError):
        parse_claims_map(raw)
