"""The pure parts of the admin API: body validation (Jackson-like), query parsing, the operation
table and the OpenAPI document generated from it, and the CLI's body/URL building."""

from __future__ import annotations

import re

import pytest

from realmgate.admin.call import Param, parse_args
from realmgate.admin.errors import AdminError
from realmgate.admin.schema import BOOL, INT, STR, arr, multi_map, non_empty, obj, str_map, validate
from realmgate.admin_cli.body import admin_url, apply_sets
from realmgate.admin_cli.session import CliFailure
from realmgate.web.admin.openapi import build_document
from realmgate.web.admin.operations import operations

FIELDS = {"name": STR, "on": BOOL, "n": INT, "tags": arr(STR), "cfg": str_map(), "attrs": multi_map()}
THING = non_empty(obj("ThingRepresentation", FIELDS), required=True, name=STR)


def _error(value: object) -> AdminError:
    with pytest.raises(AdminError) as caught:
        validate(value, THING)
    return caught.value


def test_valid_bodies_pass_with_jacksons_coercions() -> None:
    validate({"name": "x", "on": "true", "n": "5", "tags": ["a"], "cfg": {"k": 1, "b": True}}, THING)
    validate({"name": "x", "on": None, "attrs": {"a": "single", "b": ["x", 2]}}, THING)


def test_unknown_field_is_keycloaks_unrecognized_field() -> None:
    err = _error({"name": "x", "colour": "red"})
    assert err.status == 400
    assert err.body == {
        "error": 'Unrecognized field "colour" (class org.keycloak.representations.idm.ThingRepresentation), '
        "not marked as ignorable"
    }


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "on": "maybe"},
        {"name": "x", "n": 1.5},
        {"name": "x", "n": True},
        {"name": "x", "tags": "a"},
        {"name": "x", "cfg": {"k": [1]}},
        ["x"],
    ],
)
def test_values_jackson_cannot_bind_are_keycloaks_cannot_parse(body: object) -> None:
    err = _error(body)
    assert (err.status, err.body) == (400, {"error": "unknown_error", "error_description": "Cannot parse the JSON"})


@pytest.mark.parametrize("body", [{"name": "x", "tags": [None]}, {"name": " "}, {"name": ""}, None])
def test_invalid_values_are_400_error_messages(body: object) -> None:
    err = _error(body)
    assert err.status == 400 and "errorMessage" in err.body


def test_query_parameters_are_typed() -> None:
    declared = (Param("first", "integer"), Param("exact", "boolean"), Param("search"))
    assert parse_args({"first": "3", "exact": "True", "search": "x", "other": "y"}, declared) == {
        "first": 3,
        "exact": True,
        "search": "x",
    }
    for bad in ({"first": "one"}, {"exact": "yes"}, {"first": str(2**31)}, {"first": "9" * 40}):
        with pytest.raises(AdminError):
            parse_args(bad, declared)


def test_every_operation_is_documented_once_with_its_path_parameters() -> None:
    ops = operations()
    keys = [(op.method, op.path) for op in ops]
    assert len(keys) == len(set(keys))
    document = build_document(ops)
    documented = sum(len(methods) for methods in document["paths"].values())
    assert documented == len(ops)
    for path, methods in document["paths"].items():
        names = set(re.findall(r"\{(\w+)\}", path))
        for method, spec in methods.items():
            declared = {p["name"] for p in spec["parameters"] if p["in"] == "path"}
            assert declared == names, (method, path)
            assert {"400", "401", "403", "404"} <= set(spec["responses"])
    create_user = document["paths"]["/admin/realms/{realm}/users"]["post"]
    assert create_user["requestBody"]["content"]["application/json"]["schema"]["required"] == ["username"]
    assert "201" in create_user["responses"]


def test_no_view_or_query_role_is_enough_to_write() -> None:
    for op in operations():
        if not isinstance(op.access, frozenset) or op.path.endswith("partial-export"):
            continue
        assert op.access, (op.method, op.path)
        if op.method != "GET":
            assert all(r.startswith(("manage-", "create-")) for r in op.access), (op.method, op.path)


def test_cli_sets_and_urls() -> None:
    body = apply_sets({}, ["username=alice", "enabled=true", 'attributes.team=["blue"]', "note=not json"])
    assert body == {"username": "alice", "enabled": True, "attributes": {"team": ["blue"]}, "note": "not json"}
    with pytest.raises(CliFailure):
        apply_sets({}, ["novalue"])
    assert admin_url("http://h", "users/1", "demo") == "http://h/admin/realms/demo/users/1"
    assert admin_url("http://h", "realms/demo", "master") == "http://h/admin/realms/demo"
    assert admin_url("http://h", "serverinfo", "master") == "http://h/admin/serverinfo"
    assert admin_url("http://h", "groups/a b", "r") == "http://h/admin/realms/r/groups/a%20b"


def test_cli_hooks_into_a_main_parser() -> None:
    import argparse

    from realmgate import admin_cli

    parser = argparse.ArgumentParser(prog="realmgate")
    admin_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["admin", "update", "users/1", "-r", "demo", "-s", "enabled=false", "-f", "-"])
    assert args.handler is admin_cli.run
    assert (args.verb, args.path, args.realm, args.set, args.file) == (
        "update",
        "users/1",
        "demo",
        ["enabled=false"],
        "-",
    )
