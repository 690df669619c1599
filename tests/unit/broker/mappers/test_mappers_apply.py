"""Whole-login plans: sync modes, provenance, and the Keycloak bugs we must not repeat."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tests.unit.broker.mappers.mappers_kit import ALIAS, claims_map, context, mapper

from realmgate.broker.mappers.apply import plan_login, preprocess
from realmgate.broker.mappers.effects import Grant, MappingPlan
from realmgate.broker.mappers.inputs import MapperContext, UserState
from realmgate.broker.mappers.refs import ResolvedDirectory
from realmgate.model.identity_provider import GrantKind, IdentityProviderMapper, MapperGrant

DIRECTORY = ResolvedDirectory(
    roles={"app-admin": "R_ADMIN", "viewer": "R_VIEW", "app.editor": "R_EDIT", "old": "R_OLD"},
    groups={"/staff": "G_STAFF", "/sales": "G_SALES"},
)
MANAGER_AT = {"realm_access": {"roles": ["manager"]}, "resource_access": {"idp_client": {"roles": ["edit"]}}}

EXT = mapper("keycloak-oidc-role-to-role-idp-mapper", {"external.role": "manager", "role": "app-admin"}, id="ext")
EXT_CLIENT = mapper(
    "keycloak-oidc-role-to-role-idp-mapper",
    {"external.role": "idp_client.edit", "role": "app.editor"},
    id="extc",
)
CLAIM = mapper("oidc-role-idp-mapper", {"claim": "groups", "claim.value": "/admins", "role": "app-admin"}, id="claim")
HARD_ROLE = mapper("oidc-hardcoded-role-idp-mapper", {"role": "viewer"}, id="hard")
HARD_GROUP = mapper("oidc-hardcoded-group-idp-mapper", {"group": "/staff"}, id="hgroup")


def plan(
    mappers: Sequence[IdentityProviderMapper],
    ctx: MapperContext,
    user: UserState | None,
    sync_mode: str = "FORCE",
) -> MappingPlan:
    return plan_login(
        preprocessing=preprocess(mappers=mappers, ctx=ctx),
        provider_config={"syncMode": sync_mode},
        ctx=ctx,
        user=user,
        directory=DIRECTORY,
    )


def grant(target: str, mapper_id: str, kind: GrantKind = "role", alias: str = ALIAS) -> MapperGrant:
    return MapperGrant(kind, target, alias, mapper_id)


def user(
    roles: Sequence[str] = (),
    groups: Sequence[str] = (),
    grants: Sequence[MapperGrant] = (),
    *,
    username: str = "alice",
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    attributes: Mapping[str, tuple[str, ...]] | None = None,
) -> UserState:
    return UserState(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        attributes=attributes or {},
        role_ids=frozenset(roles),
        group_ids=frozenset(groups),
        mapper_grants=frozenset(grants),
    )


# First login -----------------------------------------------------------------------------------


def test_first_login_grants_joins_imports_and_records_provenance() -> None:
    attrs = mapper("oidc-user-attribute-idp-mapper", {"claim": "department", "user.attribute": "department"})
    tmpl = mapper("oidc-username-idp-mapper", {"template": "${ALIAS}.${CLAIM.preferred_username}"})
    ctx = context(access_token=MANAGER_AT, id_token={"preferred_username": "Alice", "department": "R&D"})
    result = plan([EXT, EXT_CLIENT, HARD_ROLE, HARD_GROUP, attrs, tmpl], ctx, None, sync_mode="IMPORT")
    assert result.grant_role_ids == {"R_ADMIN", "R_EDIT", "R_VIEW"}
    assert result.join_group_ids == {"G_STAFF"}
    assert result.revoke_role_ids == frozenset() and result.leave_group_ids == frozenset()
    assert result.attributes == {"department": ("R&D",)}
    assert result.model_username == "slave.alice"
    assert result.grants_added == {
        grant("R_ADMIN", "ext"),
        grant("R_EDIT", "extc"),
        grant("R_VIEW", "hard"),
        grant("G_STAFF", "hgroup", "group"),
    }
    assert result.problems == ()


def test_first_login_missing_or_wrong_type_claims_grant_nothing_and_break_nothing() -> None:
    adv = mapper("oidc-advanced-role-idp-mapper", {"claims": claims_map(("org.unit", "x")), "role": "viewer"})
    ctx = context(id_token={"groups": {"not": "a list"}, "org": "flat"}, access_token={"realm_access": 7})
    result = plan([EXT, CLAIM, adv], ctx, None)
    assert result.grant_role_ids == frozenset()
    assert result.grants_added == frozenset()
    assert result.problems == ()


# Later logins by sync mode -------------------------------------------------------------------------


def test_force_revokes_a_role_the_upstream_took_away() -> None:
    before = user(roles=["R_ADMIN"], grants=[grant("R_ADMIN", "ext")])
    result = plan([EXT], context(access_token={"realm_access": {"roles": []}}), before, "FORCE")
    assert result.revoke_role_ids == {"R_ADMIN"}
    assert result.grants_removed == {grant("R_ADMIN", "ext")}
    assert result.grant_role_ids == frozenset()


def test_force_grants_a_new_role_once_and_never_twice() -> None:
    """Keycloak issue #11140: FORCE must not insert a role mapping the user already has."""
    fresh = plan([EXT], context(access_token=MANAGER_AT), user(), "FORCE")
    assert fresh.grant_role_ids == {"R_ADMIN"}
    assert fresh.grants_added == {grant("R_ADMIN", "ext")}
    again = plan([EXT], context(access_token=MANAGER_AT), user(roles=["R_ADMIN"], grants=[grant("R_ADMIN", "ext")]))
    assert again.grant_role_ids == frozenset()
    assert again.grants_added == frozenset() and again.grants_removed == frozenset()


def test_import_keeps_everything_on_later_logins() -> None:
    before = user(roles=["R_ADMIN"], grants=[grant("R_ADMIN", "ext")])
    result = plan([EXT, HARD_ROLE, HARD_GROUP], context(access_token={}), before, "IMPORT")
    assert result == MappingPlan()


def test_legacy_revokes_for_claim_mappers_but_external_and_hardcoded_do_nothing() -> None:
    before = user(
        roles=["R_ADMIN", "R_VIEW", "R_EDIT"],
        grants=[grant("R_ADMIN", "claim"), grant("R_VIEW", "hard"), grant("R_EDIT", "extc")],
    )
    ctx = context(access_token={}, id_token={"groups": []})
    result = plan([CLAIM, HARD_ROLE, EXT_CLIENT], ctx, before, "LEGACY")
    assert result.revoke_role_ids == {"R_ADMIN"}
    assert result.grant_role_ids == frozenset()
    # Legacy never grants, even when the claim is there.
    granting = plan([CLAIM, HARD_ROLE], context(id_token={"groups": ["/admins"]}), user(), "LEGACY")
    assert granting.grant_role_ids == frozenset()


def test_legacy_group_mappers_behave_like_force() -> None:
    result = plan([HARD_GROUP], context(), user(), "LEGACY")
    assert result.join_group_ids == {"G_STAFF"}


def test_mapper_force_override_under_import_provider() -> None:
    forced = mapper("keycloak-oidc-role-to-role-idp-mapper", {**EXT.config, "syncMode": "FORCE"}, id="ext")
    before = user(roles=["R_ADMIN"], grants=[grant("R_ADMIN", "ext")])
    result = plan([forced], context(access_token={}), before, "IMPORT")
    assert result.revoke_role_ids == {"R_ADMIN"}


def test_mapper_import_override_under_force_provider_keeps_the_role() -> None:
    """Keycloak issue #43221: the mapper's own IMPORT wins over the provider's FORCE."""
    imported = mapper("keycloak-oidc-role-to-role-idp-mapper", {**EXT.config, "syncMode": "IMPORT"}, id="ext")
    before = user(roles=["R_ADMIN"], grants=[grant("R_ADMIN", "ext")])
    assert plan([imported], context(access_token={}), before, "FORCE").revoke_role_ids == frozenset()


# Provenance ----------------------------------------------------------------------------------------


def test_admin_granted_role_survives_force() -> None:
    before = user(roles=["R_ADMIN"])  # no provenance record: an administrator granted it
    result = plan([EXT], context(access_token={}), before, "FORCE")
    assert result.revoke_role_ids == frozenset()
    assert result.grants_removed == frozenset()


def test_mapper_does_not_adopt_an_admin_granted_role() -> None:
    before = user(roles=["R_ADMIN"])
    granted = plan([EXT], context(access_token=MANAGER_AT), before, "FORCE")
    assert granted.grant_role_ids == frozenset() and granted.grants_added == frozenset()
    # ... so when the upstream drops the role later, the admin's grant is still there.
    later = plan([EXT], context(access_token={}), before, "FORCE")
    assert later.revoke_role_ids == frozenset()


def test_two_mappers_granting_the_same_role() -> None:
    both = [grant("R_ADMIN", "ext"), grant("R_ADMIN", "claim")]
    before = user(roles=["R_ADMIN"], grants=both)
    # The external role is gone but the claim still matches: the role stays, one record goes.
    one = plan([EXT, CLAIM], context(access_token={}, id_token={"groups": ["/admins"]}), before, "FORCE")
    assert one.revoke_role_ids == frozenset()
    assert one.grants_removed == {grant("R_ADMIN", "ext")}
    # Order does not matter: the non-matching mapper may run last.
    two = plan([CLAIM, EXT], context(access_token={}, id_token={"groups": ["/admins"]}), before, "FORCE")
    assert two.revoke_role_ids == frozenset()
    # Neither matches any more: now it goes.
    none = plan([EXT, CLAIM], context(access_token={}, id_token={"groups": []}), before, "FORCE")
    assert none.revoke_role_ids == {"R_ADMIN"}
    assert none.grants_removed == set(both)


def test_first_matching_mapper_grants_once_and_both_record() -> None:
    result = plan([EXT, CLAIM], context(access_token=MANAGER_AT, id_token={"groups": ["/admins"]}), user())
    assert result.grant_role_ids == {"R_ADMIN"}
    assert result.grants_added == {grant("R_ADMIN", "ext"), grant("R_ADMIN", "claim")}


def test_role_still_granted_through_another_provider_is_kept() -> None:
    before = user(roles=["R_ADMIN"], grants=[grant("R_ADMIN", "ext"), grant("R_ADMIN", "x", alias="other-idp")])
    result = plan([EXT], context(access_token={}), before, "FORCE")
    assert result.revoke_role_ids == frozenset()
    assert result.grants_removed == {grant("R_ADMIN", "ext")}


def test_record_of_a_role_a_mapper_no_longer_names_is_dropped() -> None:
    before = user(roles=["R_OLD"], grants=[grant("R_OLD", "ext")])
    result = plan([EXT], context(access_token=MANAGER_AT), before, "FORCE")
    assert result.grant_role_ids == {"R_ADMIN"}
    assert result.revoke_role_ids == {"R_OLD"}
    assert result.grants_removed == {grant("R_OLD", "ext")}


def test_force_leaves_a_group_joined_by_mapper_but_not_one_joined_by_admin() -> None:
    adv = mapper(
        "oidc-advanced-group-idp-mapper",
        {"claims": claims_map(("dept", "sales")), "group": "/sales"},
        id="adv",
    )
    by_mapper = user(groups=["G_SALES"], grants=[grant("G_SALES", "adv", "group")])
    assert plan([adv], context(id_token={"dept": "ops"}), by_mapper).leave_group_ids == {"G_SALES"}
    by_admin = user(groups=["G_SALES"])
    assert plan([adv], context(id_token={"dept": "ops"}), by_admin).leave_group_ids == frozenset()


def test_unknown_role_is_reported_not_fatal() -> None:
    gone = mapper("oidc-hardcoded-role-idp-mapper", {"role": "deleted-role"}, name="gone")
    result = plan([gone, HARD_ROLE], context(), None)
    assert result.grant_role_ids == {"R_VIEW"}
    assert result.problems == ("Unable to find role 'deleted-role' referenced by mapper 'gone'",)


def test_unsupported_and_unknown_types_are_skipped() -> None:
    unknown = mapper("no-such-mapper", {}, name="u")
    result = plan([EXT, unknown], context(provider_id="oidc", access_token=MANAGER_AT), None)
    assert result.grant_role_ids == frozenset()
    assert len(result.problems) == 2


# Profile and attributes ------------------------------------------------------------------------------


def test_import_mapper_on_email_pins_it_under_force_provider() -> None:
    """Keycloak issue #43221: an IMPORT attribute importer on email keeps the local email."""
    pinned = mapper(
        "oidc-user-attribute-idp-mapper", {"claim": "email", "user.attribute": "email", "syncMode": "IMPORT"}
    )
    given = mapper("oidc-user-attribute-idp-mapper", {"claim": "given_name", "user.attribute": "firstName"})
    before = user(email="mine@x.org", first_name="Al")
    ctx = context(id_token={"email": "theirs@x.org", "given_name": "Alice"})
    result = plan([pinned, given], ctx, before, "FORCE")
    assert result.profile == {"firstName": "Alice"}
    assert result.pinned_profile_fields == {"email"}
    # The same mapper inheriting FORCE owns nothing: it writes the field itself.
    inherited = mapper("oidc-user-attribute-idp-mapper", {"claim": "email", "user.attribute": "email"})
    forced = plan([inherited], ctx, before, "FORCE")
    assert forced.profile == {"email": "theirs@x.org"}
    assert forced.pinned_profile_fields == frozenset()


def test_force_attribute_importer_sets_and_clears_the_email() -> None:
    mail = mapper("oidc-user-attribute-idp-mapper", {"claim": "work_mail", "user.attribute": "email"})
    before = user(email="old@x.org")
    set_result = plan([mail], context(id_token={"work_mail": "Work@X.org"}), before, "FORCE")
    assert set_result.profile["email"] == "work@x.org"
    # Keycloak issue #40434: the upstream stopped sending it, so it is cleared.
    cleared = plan([mail], context(id_token={}), before, "LEGACY")
    assert cleared.profile == {"email": None}


def test_unchanged_values_are_not_rewritten() -> None:
    dept = mapper("oidc-user-attribute-idp-mapper", {"claim": "dept", "user.attribute": "department"})
    before = user(attributes={"department": ("R&D",), "gone": ("x",)}, email="a@x.org")
    gone = mapper("oidc-user-attribute-idp-mapper", {"claim": "gone", "user.attribute": "gone"})
    mail = mapper("oidc-user-attribute-idp-mapper", {"claim": "email", "user.attribute": "email"})
    ctx = context(id_token={"dept": "R&D", "email": "A@x.org"})
    result = plan([dept, gone, mail], ctx, before, "FORCE")
    assert result.attributes == {"gone": ()}
    assert "email" not in result.profile


def test_username_template_force_rename_and_noop() -> None:
    tmpl = mapper("oidc-username-idp-mapper", {})
    renamed = plan([tmpl], context(id_token={"preferred_username": "bob"}), user(username="alice"), "FORCE")
    assert renamed.username == "slave.bob"
    same = plan([tmpl], context(id_token={"preferred_username": "bob"}), user(username="slave.bob"), "FORCE")
    assert same.username is None


# Every login ---------------------------------------------------------------------------------------


def test_session_notes_are_set_on_every_login_whatever_the_mode() -> None:
    note = mapper("oidc-user-session-note-idp-mapper", {"claims": claims_map(("acr", "gold"))})
    hard = mapper("hardcoded-user-session-attribute-idp-mapper", {"attribute": "via", "attribute.value": "slave"})
    result = plan([note, hard], context(id_token={"acr": "gold"}), user(), "IMPORT")
    assert result.session_notes == {"acr": "gold", "via": "slave"}


def test_preprocess_gives_the_link_lookup_keys() -> None:
    by_id = mapper("oidc-username-idp-mapper", {"template": "${CLAIM.sub}", "target": "BROKER_ID"})
    result = preprocess(mappers=[by_id, EXT], ctx=context(id_token={"sub": "U-1"}))
    assert result.upstream_id == "U-1"
    assert [effects for _, _, effects in result.steps if any(isinstance(e, Grant) for e in effects)] == []


def test_import_mapper_pins_nothing_on_first_login() -> None:
    pinned = mapper(
        "oidc-user-attribute-idp-mapper", {"claim": "email", "user.attribute": "email", "syncMode": "IMPORT"}
    )
    result = plan([pinned], context(id_token={"email": "A@x.org"}), None, "FORCE")
    assert result.profile == {"email": "a@x.org"}
    assert result.pinned_profile_fields == frozenset()
