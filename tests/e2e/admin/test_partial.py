"""partial-export and partialImport with FAIL / SKIP / OVERWRITE, through python-keycloak."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from keycloak.exceptions import KeycloakError

from keycloak import KeycloakAdmin


def test_partial_export_masks_secrets_and_leaves_out_users(kc: KeycloakAdmin) -> None:
    realm = "px" + secrets.token_hex(3)
    kc.create_realm({"realm": realm})
    kc.change_current_realm(realm)
    kc.create_client({"clientId": "confidential", "secret": "very-secret"})
    kc.create_user({"username": "nobody-exports-me"})
    kc.create_group({"name": "exported"})
    bare = kc.export_realm(export_clients=False, export_groups_and_role=False)
    assert "clients" not in bare and "groups" not in bare and "users" not in bare
    full = kc.export_realm(export_clients=True, export_groups_and_role=True)
    client = next(c for c in full["clients"] if c["clientId"] == "confidential")
    assert client["secret"] == "**********"
    assert [g["name"] for g in full["groups"]] == ["exported"]
    assert "users" not in full and "components" not in full
    assert "very-secret" not in str(full)


def test_partial_import_fail_skip_overwrite(kc: KeycloakAdmin) -> None:
    realm = "pi" + secrets.token_hex(3)
    kc.create_realm({"realm": realm})
    kc.change_current_realm(realm)
    user_rep: dict[str, Any] = {
        "username": "imported-user",
        "enabled": True,
        "groups": ["/imported-group"],
        "credentials": [{"type": "password", "value": "imp-pw"}],
    }
    payload: dict[str, Any] = {
        "ifResourceExists": "FAIL",
        "clients": [{"clientId": "imported-app", "publicClient": True}],
        "roles": {"realm": [{"name": "imported-role"}]},
        "groups": [{"name": "imported-group", "realmRoles": ["imported-role"]}],
        "users": [user_rep],
    }
    result = kc.partial_import_realm(realm, payload)
    assert (result["added"], result["skipped"], result["overwritten"]) == (4, 0, 0)
    assert {(r["resourceType"], r["resourceName"], r["action"]) for r in result["results"]} == {
        ("CLIENT", "imported-app", "ADDED"),
        ("REALM_ROLE", "imported-role", "ADDED"),
        ("GROUP", "imported-group", "ADDED"),
        ("USER", "imported-user", "ADDED"),
    }
    user = kc.get_user_id("imported-user")
    assert user is not None
    assert "imported-role" in {r["name"] for r in kc.get_composite_realm_roles_of_user(user)}

    with pytest.raises(KeycloakError) as failed:
        kc.partial_import_realm(realm, {**payload, "users": [{"username": "new-one"}, user_rep]})
    assert failed.value.response_code == 409
    assert kc.get_user_id("new-one") is None  # FAIL imports nothing

    skipped = kc.partial_import_realm(realm, {**payload, "ifResourceExists": "SKIP"})
    assert (skipped["added"], skipped["skipped"]) == (0, 4)

    user_rep["firstName"] = "Replaced"
    overwritten = kc.partial_import_realm(realm, {**payload, "ifResourceExists": "OVERWRITE"})
    assert overwritten["overwritten"] == 4
    replaced = kc.get_user_id("imported-user")
    assert replaced is not None and kc.get_user(replaced)["firstName"] == "Replaced"
