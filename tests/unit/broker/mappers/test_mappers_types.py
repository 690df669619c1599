"""Each mapper type's hooks, on their own (effects, before provenance and resolution)."""

from __future__ import annotations

from tests.unit.broker.mappers.mappers_kit import claims_map, context

from realmgate.broker.mappers import (
    advanced_claim_to_group,
    advanced_claim_to_role,
    attribute_importer,
    claim_to_role,
    external_role_to_role,
    hardcoded_attribute,
    hardcoded_group,
    hardcoded_role,
    hardcoded_session_note,
    session_note,
    username_template,
)
from realmgate.broker.mappers.effects import (
    Grant,
    SessionNote,
    SetAttribute,
    SetIdentity,
    SetProfile,
    SetUsername,
    Withdraw,
)
from realmgate.broker.mappers.inputs import UserState

USER = UserState(username="alice")


def test_hardcoded_role_hooks() -> None:
    m, cfg, ctx = hardcoded_role.MAPPER, {"role": "app-admin"}, context()
    assert m.import_new_user(cfg, ctx) == [Grant("role", "app-admin")]
    assert m.update(cfg, ctx, USER) == [Grant("role", "app-admin")]
    assert m.update_legacy(cfg, ctx, USER) == []
    assert m.preprocess(cfg, ctx) == []


def test_hardcoded_group_hooks_legacy_behaves_like_force() -> None:
    m, cfg, ctx = hardcoded_group.MAPPER, {"group": "/staff"}, context()
    assert m.import_new_user(cfg, ctx) == [Grant("group", "/staff")]
    assert m.update(cfg, ctx, USER) == [Grant("group", "/staff")]
    assert m.update_legacy(cfg, ctx, USER) == [Grant("group", "/staff")]


def test_hardcoded_attribute_sets_single_value_and_routes_profile_fields() -> None:
    m, ctx = hardcoded_attribute.MAPPER, context()
    cfg = {"attribute": "origin", "attribute.value": "slave"}
    assert m.import_new_user(cfg, ctx) == [SetAttribute("origin", ("slave",))]
    assert m.update(cfg, ctx, USER) == [SetAttribute("origin", ("slave",))]
    assert m.update_legacy(cfg, ctx, USER) == [SetAttribute("origin", ("slave",))]
    assert m.update({"attribute": "Email", "attribute.value": "X@Y.org"}, ctx, USER) == [SetProfile("email", "X@Y.org")]
    assert m.import_new_user({"attribute": " "}, ctx) == []


def test_hardcoded_session_note_on_every_login() -> None:
    m, ctx = hardcoded_session_note.MAPPER, context()
    assert m.preprocess({"attribute": "tier", "attribute.value": "gold"}, ctx) == [SessionNote("tier", "gold")]
    assert m.preprocess({"attribute": ""}, ctx) == []


def test_attribute_importer_first_login() -> None:
    m = attribute_importer.MAPPER
    ctx = context(id_token={"dept": "R&D", "mail": "A@X.ORG", "teams": ["a", "b"], "blank": ""})
    assert m.import_new_user({"claim": "dept", "user.attribute": "department"}, ctx) == [
        SetAttribute("department", ("R&D",))
    ]
    assert m.import_new_user({"claim": "teams", "user.attribute": "team"}, ctx) == [SetAttribute("team", ("a", "b"))]
    assert m.import_new_user({"claim": "mail", "user.attribute": "email"}, ctx) == [SetProfile("email", "A@X.ORG")]
    assert m.import_new_user({"claim": "missing", "user.attribute": "email"}, ctx) == []
    assert m.import_new_user({"claim": "blank", "user.attribute": "firstName"}, ctx) == []


def test_attribute_importer_force_follows_upstream_including_removal() -> None:
    m = attribute_importer.MAPPER
    ctx = context(id_token={"given": "Al"})
    assert m.update({"claim": "given", "user.attribute": "FIRSTNAME"}, ctx, USER) == [SetProfile("firstName", "Al")]
    # Keycloak issue #40434: a removed email must be cleared, not kept.
    assert m.update({"claim": "email", "user.attribute": "email"}, ctx, USER) == [SetProfile("email", None)]
    assert m.update({"claim": "dept", "user.attribute": "department"}, ctx, USER) == [SetAttribute("department", ())]
    assert m.update_legacy({"claim": "given", "user.attribute": "nick"}, ctx, USER) == [SetAttribute("nick", ("Al",))]


def test_attribute_importer_wrong_type_imports_nothing() -> None:
    m = attribute_importer.MAPPER
    ctx = context(id_token={"dept": {"name": "R&D"}})
    assert m.import_new_user({"claim": "dept", "user.attribute": "department"}, ctx) == []
    assert m.update({"claim": "dept", "user.attribute": "department"}, ctx, USER) == [SetAttribute("department", ())]


def test_claim_to_role() -> None:
    m = claim_to_role.MAPPER
    ctx = context(id_token={"groups": ["/staff", "/admins"], "level": 3, "vip": True, "org": {"n": "x"}})
    cfg = {"claim": "groups", "claim.value": "/admins", "role": "app-admin"}
    assert m.import_new_user(cfg, ctx) == [Grant("role", "app-admin")]
    assert m.update(cfg, ctx, USER) == [Grant("role", "app-admin")]
    assert m.update_legacy(cfg, ctx, USER) == []  # legacy never grants
    miss = {**cfg, "claim.value": "/nobody"}
    assert m.import_new_user(miss, ctx) == []
    assert m.update(miss, ctx, USER) == [Withdraw("role", "app-admin")]
    assert m.update_legacy(miss, ctx, USER) == [Withdraw("role", "app-admin")]
    assert m.applies({"claim": "level", "claim.value": "3"}, ctx)
    assert m.applies({"claim": "vip", "claim.value": "true"}, ctx)
    assert not m.applies({"claim": "org", "claim.value": "x"}, ctx)
    assert not m.applies({"claim": "missing", "claim.value": "x"}, ctx)
    assert not m.applies({"claim.value": "x"}, ctx)


def test_advanced_claim_to_role_all_claims_must_match() -> None:
    m = advanced_claim_to_role.MAPPER
    ctx = context(id_token={"org": {"unit": "eng-core", "tags": ["a", "b"]}, "level": 3})
    both = claims_map(("org.unit", "eng-core"), ("level", "3"))
    assert m.applies({"claims": both, "role": "r"}, ctx)
    one_wrong = claims_map(("org.unit", "eng-core"), ("level", "4"))
    assert not m.applies({"claims": one_wrong, "role": "r"}, ctx)
    regex = claims_map(("org.unit", "eng-.*"), ("org.tags", "b"))
    assert m.applies({"claims": regex, "are.claim.values.regex": "true", "role": "r"}, ctx)
    assert not m.applies({"claims": regex, "role": "r"}, ctx)  # not a regex: compared literally
    assert not m.applies({"claims": "not json", "role": "r"}, ctx)
    assert m.applies({"claims": "[]", "role": "r"}, ctx)  # an empty map matches, as in Keycloak


def test_advanced_claim_to_role_reads_access_token_roles() -> None:
    """Keycloak issue #15170: roles only in the upstream access token are found there."""
    m = advanced_claim_to_role.MAPPER
    ctx = context(access_token={"realm_access": {"roles": ["manager"]}})
    assert m.applies({"claims": claims_map(("realm_access.roles", "manager")), "role": "r"}, ctx)


def test_advanced_claim_to_group() -> None:
    m = advanced_claim_to_group.MAPPER
    ctx = context(userinfo={"dept": "sales"})
    cfg = {"claims": claims_map(("dept", "sales")), "group": "/sales"}
    assert m.import_new_user(cfg, ctx) == [Grant("group", "/sales")]
    assert m.update(cfg, context(), USER) == [Withdraw("group", "/sales")]
    assert m.update_legacy(cfg, context(), USER) == [Withdraw("group", "/sales")]


def test_external_role_to_role_realm_and_client_roles() -> None:
    m = external_role_to_role.MAPPER
    at = {
        "realm_access": {"roles": ["manager"]},
        "resource_access": {"my.app": {"roles": ["editor"]}, "idp_client": {"roles": ["x"]}},
    }
    ctx = context(access_token=at)
    assert m.import_new_user({"external.role": "manager", "role": "app-admin"}, ctx) == [Grant("role", "app-admin")]
    assert m.applies({"external.role": "my.app.editor", "role": "r"}, ctx)
    assert not m.applies({"external.role": "my.app.manager", "role": "r"}, ctx)
    assert not m.applies({"external.role": "editor", "role": "r"}, ctx)
    # Only the access token counts: the same claim in the ID token does not.
    assert not m.applies({"external.role": "manager", "role": "r"}, context(id_token=at))
    assert m.update({"external.role": "boss", "role": "r"}, ctx, USER) == [Withdraw("role", "r")]
    assert m.update_legacy({"external.role": "boss", "role": "r"}, ctx, USER) == []


def test_external_role_wrong_shape_matches_nothing() -> None:
    m = external_role_to_role.MAPPER
    assert not m.applies({"external.role": "manager", "role": "r"}, context(access_token={"realm_access": "manager"}))
    assert not m.applies(
        {"external.role": "manager", "role": "r"},
        context(access_token={"realm_access": {"roles": "manager"}}),
    )


def test_username_template() -> None:
    m = username_template.MAPPER
    ctx = context(id_token={"preferred_username": "Alice", "sub": "ABC"})
    assert m.preprocess({}, ctx) == [SetIdentity("LOCAL", "slave.alice")]
    assert m.preprocess({"template": "${ALIAS}-${CLAIM.sub | lowercase}-${UUID}"}, ctx) == [
        SetIdentity("LOCAL", "slave-abc-0000-uuid")
    ]
    assert m.preprocess({"template": "${CLAIM.preferred_username|uppercase}", "target": "BROKER_USERNAME"}, ctx) == [
        SetIdentity("BROKER_USERNAME", "ALICE")
    ]
    assert m.preprocess({"template": "${CLAIM.sub}", "target": "BROKER_ID"}, ctx) == [SetIdentity("BROKER_ID", "ABC")]
    assert m.preprocess({"template": "x-${OTHER}"}, ctx) == [SetIdentity("LOCAL", "x-other")]


def test_username_template_with_missing_claim_sets_nothing() -> None:
    m = username_template.MAPPER
    ctx = context(id_token={"sub": "u1", "roles": ["a", "b"]})
    assert m.preprocess({"template": "${ALIAS}.${CLAIM.preferred_username}"}, ctx) == []
    assert m.preprocess({"template": "${CLAIM.roles}"}, ctx) == []
    assert m.update({"template": "${CLAIM.nope}"}, ctx, USER) == []


def test_username_template_force_renames_unless_email_is_username() -> None:
    m = username_template.MAPPER
    ctx = context(id_token={"preferred_username": "bob"})
    assert m.update({}, ctx, USER) == [SetUsername("slave.bob")]
    assert m.update_legacy({}, ctx, USER) == []
    assert m.update({"target": "BROKER_ID"}, ctx, USER) == []
    assert (
        m.update({}, context(id_token={"preferred_username": "bob"}, registration_email_as_username=True), USER) == []
    )


def test_session_note_mapper_copies_matching_string_claims() -> None:
    m = session_note.MAPPER
    ctx = context(id_token={"acr": "gold", "level": 3, "org": {"name": "acme"}})
    cfg = {"claims": claims_map(("acr", "gold"), ("level", "3"), ("org.name", "ac.*"))}
    assert m.preprocess(cfg, ctx) == [SessionNote("acr", "gold")]
    assert m.preprocess({**cfg, "are.claim.values.regex": "true"}, ctx) == [
        SessionNote("acr", "gold"),
        SessionNote("org.name", "acme"),
    ]
    assert m.preprocess({"claims": "{"}, ctx) == []
