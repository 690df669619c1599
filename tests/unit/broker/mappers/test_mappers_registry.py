"""The registry: mapper-types listing, save-time validation, rename propagation, reference lookup."""

from __future__ import annotations

from typing import cast

from tests.unit.broker.mappers.mappers_kit import claims_map, mapper

from realmgate.broker.mappers import registry
from realmgate.broker.mappers.refs import ResolvedDirectory, normalize_group_path, role_ref_candidates

ALL_IDS = {
    "oidc-hardcoded-role-idp-mapper",
    "hardcoded-attribute-idp-mapper",
    "oidc-hardcoded-group-idp-mapper",
    "hardcoded-user-session-attribute-idp-mapper",
    "oidc-user-attribute-idp-mapper",
    "oidc-role-idp-mapper",
    "oidc-advanced-role-idp-mapper",
    "oidc-advanced-group-idp-mapper",
    "oidc-username-idp-mapper",
    "keycloak-oidc-role-to-role-idp-mapper",
    "oidc-user-session-note-idp-mapper",
}

ROLES = {"app-admin", "my.app.editor"}
GROUPS = {"/staff", "/staff/eng"}


def check(type_id: str, config: dict[str, str], provider_id: str = "keycloak-oidc") -> str | None:
    return registry.validate(
        mapper(type_id, config, name="m"),
        ROLES.__contains__,
        GROUPS.__contains__,
        provider_id=provider_id,
    )


def properties(rep: dict[str, object]) -> list[dict[str, object]]:
    return cast(list[dict[str, object]], rep["properties"])


def test_types_for_each_provider() -> None:
    assert set(registry.types_for("keycloak-oidc")) == ALL_IDS
    assert set(registry.types_for("oidc")) == ALL_IDS - {"keycloak-oidc-role-to-role-idp-mapper"}
    # Hardcoded mappers work with any provider, the claim-based ones only with OIDC.
    assert set(registry.types_for("saml")) == {
        "oidc-hardcoded-role-idp-mapper",
        "hardcoded-attribute-idp-mapper",
        "oidc-hardcoded-group-idp-mapper",
        "hardcoded-user-session-attribute-idp-mapper",
    }
    # GitHub: the hardcoded ones, the username template and its own JSON importer (Keycloak's lists).
    assert set(registry.types_for("github")) == {
        "oidc-hardcoded-role-idp-mapper",
        "hardcoded-attribute-idp-mapper",
        "oidc-hardcoded-group-idp-mapper",
        "hardcoded-user-session-attribute-idp-mapper",
        "oidc-username-idp-mapper",
        "github-user-attribute-mapper",
    }


def test_github_mapper_saves_as_keycloak_does() -> None:
    """No config at all is accepted (python-keycloak's test_idps saves one so); a path that
    cannot be parsed is not; OIDC providers cannot use it."""
    assert check("github-user-attribute-mapper", {}, provider_id="github") is None
    assert check("github-user-attribute-mapper", {"jsonField": "plan.name"}, provider_id="github") is None
    assert "empty component" in str(check("github-user-attribute-mapper", {"jsonField": "[0]"}, provider_id="github"))
    assert "not supported" in str(check("github-user-attribute-mapper", {}, provider_id="oidc"))


def test_mapper_type_representation() -> None:
    reps = registry.mapper_types_rep("keycloak-oidc")
    ext = reps["keycloak-oidc-role-to-role-idp-mapper"]
    assert ext["name"] == "External Role to Role"
    assert ext["category"] == "Role Importer"
    assert [p["name"] for p in properties(ext)] == ["external.role", "role"]
    template = properties(reps["oidc-username-idp-mapper"])
    assert template == [
        {
            "name": "template",
            "label": "Template",
            "helpText": template[0]["helpText"],
            "type": "String",
            "secret": False,
            "required": False,
            "readOnly": False,
            "defaultValue": "${ALIAS}.${CLAIM.preferred_username}",
        },
        {
            "name": "target",
            "label": "Target",
            "helpText": template[1]["helpText"],
            "type": "List",
            "secret": False,
            "required": False,
            "readOnly": False,
            "defaultValue": "LOCAL",
            "options": ["LOCAL", "BROKER_ID", "BROKER_USERNAME"],
        },
    ]
    advanced = properties(reps["oidc-advanced-role-idp-mapper"])
    assert [(p["name"], p["type"]) for p in advanced] == [
        ("claims", "Map"),
        ("are.claim.values.regex", "boolean"),
        ("role", "Role"),
    ]
    assert {rep["id"] for rep in reps.values()} == ALL_IDS


def test_valid_mappers_pass() -> None:
    assert check("oidc-hardcoded-role-idp-mapper", {"role": "app-admin", "syncMode": "INHERIT"}) is None
    assert check("oidc-role-idp-mapper", {"claim": "a\\.b", "claim.value": "x", "role": "my.app.editor"}) is None
    assert check("oidc-hardcoded-group-idp-mapper", {"group": "staff/eng/"}) is None
    assert (
        check(
            "oidc-advanced-group-idp-mapper",
            {"claims": claims_map(("a", "b.*")), "are.claim.values.regex": "true", "group": "/staff"},
        )
        is None
    )
    assert check("oidc-username-idp-mapper", {"template": "${ALIAS}", "target": "BROKER_ID"}) is None
    assert check("oidc-user-attribute-idp-mapper", {"claim": "dept", "user.attribute": "department"}) is None


def test_unknown_role_or_group_is_refused() -> None:
    assert check("oidc-hardcoded-role-idp-mapper", {"role": "nope"}) == "Unable to find role: nope"
    assert check("keycloak-oidc-role-to-role-idp-mapper", {"external.role": "x", "role": "app.nope"}) == (
        "Unable to find role: app.nope"
    )
    assert check("oidc-advanced-group-idp-mapper", {"claims": "[]", "group": "/nope"}) == (
        "Unable to find group: /nope"
    )
    assert check("oidc-hardcoded-role-idp-mapper", {}) == "Role is required"
    assert check("oidc-hardcoded-group-idp-mapper", {"group": ""}) == "Group is required"


def test_bad_configs_are_refused() -> None:
    assert check("no-such", {}) == "Unknown identity provider mapper type: no-such"
    assert check("keycloak-oidc-role-to-role-idp-mapper", {"external.role": "x", "role": "app-admin"}, "oidc") == (
        "Mapper type keycloak-oidc-role-to-role-idp-mapper is not supported by identity provider type oidc"
    )
    assert check("oidc-hardcoded-role-idp-mapper", {"role": "app-admin", "syncMode": "ALWAYS"}) == (
        "Invalid sync mode: ALWAYS"
    )
    assert check("oidc-advanced-role-idp-mapper", {"claims": "{", "role": "app-admin"}) == (
        "Could not deserialize json: {"
    )
    assert check(
        "oidc-advanced-role-idp-mapper",
        {"claims": claims_map(("a", "(")), "are.claim.values.regex": "true", "role": "app-admin"},
    ) == ("Invalid regular expression: (")
    assert check("oidc-role-idp-mapper", {"claim": "a..b", "role": "app-admin"}) == (
        "Claim path 'a..b' has an empty component"
    )
    assert check("oidc-username-idp-mapper", {"target": "ELSEWHERE"}) == "Invalid target: ELSEWHERE"
    assert check("oidc-user-attribute-idp-mapper", {"claim": "x"}) == "User Attribute Name is required"
    assert check("keycloak-oidc-role-to-role-idp-mapper", {"role": "app-admin"}) == "External role is required"
    assert (
        registry.validate(
            mapper("oidc-hardcoded-role-idp-mapper", {"role": "app-admin"}, name=" "),
            ROLES.__contains__,
            GROUPS.__contains__,
            provider_id="oidc",
        )
        == "Mapper name is required"
    )


def test_refs_of_a_mapper() -> None:
    assert registry.role_refs(mapper("oidc-role-idp-mapper", {"claim": "c", "role": "a.b"})) == ("a.b",)
    assert registry.role_refs(mapper("keycloak-oidc-role-to-role-idp-mapper", {"external.role": "x.y"})) == ()
    assert registry.group_refs(mapper("oidc-hardcoded-group-idp-mapper", {"group": "/g"})) == ("/g",)
    assert registry.role_refs(mapper("no-such", {"role": "x"})) == ()


def test_role_rename_carries_into_configs() -> None:
    realm_ref = mapper("oidc-hardcoded-role-idp-mapper", {"role": "admin", "syncMode": "FORCE"})
    client_ref = mapper("keycloak-oidc-role-to-role-idp-mapper", {"external.role": "admin", "role": "app.admin"})
    other = mapper("oidc-role-idp-mapper", {"claim": "c", "claim.value": "admin", "role": "viewer"})
    changed = registry.rename_role_in_configs(
        [realm_ref, client_ref, other], client_id=None, old_name="admin", new_name="boss"
    )
    assert [(m.id, dict(m.config)) for m in changed] == [(realm_ref.id, {"role": "boss", "syncMode": "FORCE"})]
    changed = registry.rename_role_in_configs(
        [realm_ref, client_ref, other], client_id="app", old_name="admin", new_name="boss"
    )
    # Only the role reference changes, never the upstream's external role name.
    assert [(m.id, dict(m.config)) for m in changed] == [
        (client_ref.id, {"external.role": "admin", "role": "app.boss"})
    ]


def test_client_rename_carries_into_role_refs() -> None:
    direct = mapper("oidc-hardcoded-role-idp-mapper", {"role": "app.admin"})
    deeper = mapper("oidc-hardcoded-role-idp-mapper", {"role": "app.x.admin"})  # client "app.x"
    changed = registry.rename_client_in_configs([direct, deeper], old_client_id="app", new_client_id="portal")
    assert [(m.id, m.config["role"]) for m in changed] == [(direct.id, "portal.admin")]


def test_group_rename_or_move_carries_into_configs_and_subgroups() -> None:
    exact = mapper("oidc-hardcoded-group-idp-mapper", {"group": "/staff"})
    child = mapper("oidc-advanced-group-idp-mapper", {"claims": "[]", "group": "/staff/eng"})
    lookalike = mapper("oidc-hardcoded-group-idp-mapper", {"group": "/staffing"})
    changed = registry.rename_group_in_configs([exact, child, lookalike], old_path="/staff", new_path="/org/people")
    assert [(m.id, m.config["group"]) for m in changed] == [
        (exact.id, "/org/people"),
        (child.id, "/org/people/eng"),
    ]


def test_role_reference_lookup_order() -> None:
    assert role_ref_candidates("admin") == [(None, "admin")]
    assert role_ref_candidates("my.app.editor") == [
        ("my.app", "editor"),
        ("my", "app.editor"),
        (None, "my.app.editor"),
    ]


def test_group_paths_and_directory() -> None:
    assert normalize_group_path("a/b/") == "/a/b"
    assert normalize_group_path("/") == "/"
    directory = ResolvedDirectory(roles={"r": "R"}, groups={"/a/b": "G"})
    assert directory.group_id("a/b") == "G"
    assert directory.role_id("r") == "R" and directory.role_id("x") is None
