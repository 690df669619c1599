"""``github-user-attribute-mapper``: a field of the GitHub profile JSON into a user attribute."""

from __future__ import annotations

from tests.unit.broker.mappers.mappers_kit import context

from realmgate.broker.mappers.effects import SetAttribute, SetProfile
from realmgate.broker.mappers.github_user_attribute import MAPPER
from realmgate.broker.mappers.inputs import UserState

PROFILE: dict[str, object] = {
    "login": "octocat",
    "id": 583231,
    "company": "  GitHub  ",
    "plan": {"name": "pro", "space": 976562499},
    "orgs": ["a", 1, {"x": 1}],
    "email": "octo@example.org",
    "bio": "",
}
USER = UserState(username="octocat")


def test_first_login_imports_the_field_trimmed_nested_numbers_and_arrays() -> None:
    c = context(id_token={}, userinfo=PROFILE, provider_id="github")
    assert MAPPER.import_new_user({"jsonField": "company", "userAttribute": "org"}, c) == [
        SetAttribute("org", ("GitHub",))
    ]
    assert MAPPER.import_new_user({"jsonField": "plan.name", "userAttribute": "plan"}, c) == [
        SetAttribute("plan", ("pro",))
    ]
    assert MAPPER.import_new_user({"jsonField": "id", "userAttribute": "ghid"}, c) == [
        SetAttribute("ghid", ("583231",))
    ]
    assert MAPPER.import_new_user({"jsonField": "orgs", "userAttribute": "orgs"}, c) == [
        SetAttribute("orgs", ("a", "1"))
    ]
    assert MAPPER.import_new_user({"jsonField": "email", "userAttribute": "EMAIL"}, c) == [
        SetProfile("email", "octo@example.org")
    ]


def test_nothing_to_import_sets_nothing() -> None:
    c = context(id_token={}, userinfo=PROFILE, provider_id="github")
    for config in (
        {"jsonField": "bio", "userAttribute": "bio"},  # empty text
        {"jsonField": "plan", "userAttribute": "plan"},  # an object
        {"jsonField": "missing", "userAttribute": "m"},
        {"jsonField": "company"},  # no target
        {"userAttribute": "x"},  # no field
        {},
    ):
        assert MAPPER.import_new_user(config, c) == [], config


def test_force_sets_or_removes_legacy_leaves_alone() -> None:
    c = context(id_token={}, userinfo=PROFILE, provider_id="github")
    gone = context(id_token={}, userinfo={"login": "octocat"}, provider_id="github")
    config = {"jsonField": "company", "userAttribute": "org"}
    assert MAPPER.update(config, c, USER) == [SetAttribute("org", ("GitHub",))]
    assert MAPPER.update(config, gone, USER) == [SetAttribute("org", ())]  # removes the attribute
    assert MAPPER.update_legacy(config, c, USER) == []
    assert MAPPER.profile_fields({"userAttribute": "firstName"}) == frozenset({"firstName"})
