"""Privilege mapping from the slave to the master, each test logging in through the broker.

Two real server processes (``conftest``); each test has its own master realm and slave user.
What a mapper granted is checked both in the store (admin API) and in what the master issues
right after that login: the access token's ``realm_access``/``resource_access`` and userinfo.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from tests.e2e.harness import ServerProcess
from tests.e2e.mappers.kit import (
    ALIAS,
    APP_CLIENT,
    SLAVE_REALM,
    Admin,
    MasterRealm,
    broker_login,
    claims,
    new_master_realm,
    new_slave_user,
    set_slave_roles,
    userinfo,
    walk_broker_login,
)

EXTERNAL = "keycloak-oidc-role-to-role-idp-mapper"


def _set_slave_attributes(slave: ServerProcess, username: str, attributes: dict[str, list[str]]) -> None:
    admin = Admin(slave)
    user = admin.call("GET", f"/{SLAVE_REALM}/users?username={username}&exact=true", expect=200).json()[0]
    admin.call("PUT", f"/{SLAVE_REALM}/users/{user['id']}", {**user, "attributes": attributes}, expect=204)


def _leave_slave_group(slave: ServerProcess, username: str, group: str) -> None:
    admin = Admin(slave)
    user_id = admin.call("GET", f"/{SLAVE_REALM}/users?username={username}&exact=true", expect=200).json()[0]["id"]
    group_id = admin.id_of(f"/{SLAVE_REALM}/groups", name=group)
    admin.call("DELETE", f"/{SLAVE_REALM}/users/{user_id}/groups/{group_id}", expect=204)


def _realm_roles(tokens: dict[str, Any]) -> set[str]:
    return set(claims(tokens["access_token"]).get("realm_access", {}).get("roles", []))


def _client_roles(tokens: dict[str, Any], client: str = APP_CLIENT) -> set[str]:
    return set(claims(tokens["access_token"]).get("resource_access", {}).get(client, {}).get("roles", []))


def test_external_realm_and_client_roles(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave)
    realm.add_mapper("managers", EXTERNAL, **{"external.role": "manager", "role": "app-admin"})
    realm.add_mapper("editors", EXTERNAL, **{"external.role": "crm.editor", "role": f"{APP_CLIENT}.editor"})
    username = new_slave_user(slave, roles=("manager",), client_roles=("crm.editor",))
    tokens = broker_login(master, realm.name, username)
    assert "app-admin" in _realm_roles(tokens)
    assert "editor" in _client_roles(tokens)
    user = realm.user(username)
    assert "app-admin" in realm.realm_roles_of(user["id"])
    assert "app-admin" in userinfo(master, realm.name, tokens["access_token"])["realm_roles"]


def _grant_directly(realm: MasterRealm, user_id: str, role_name: str) -> None:
    """What an administrator does in the console: a direct realm role mapping."""
    role = realm.admin.call("GET", f"{realm.path}/roles/{role_name}", expect=200).json()
    realm.admin.call("POST", f"{realm.path}/users/{user_id}/role-mappings/realm", [role], expect=204)


def test_force_revokes_at_next_login_but_admin_grant_survives(any_master: ServerProcess, slave: ServerProcess) -> None:
    master = any_master
    realm = new_master_realm(master, slave, sync_mode="FORCE")
    realm.add_mapper("managers", EXTERNAL, **{"external.role": "manager", "role": "app-admin"})
    realm.add_mapper("also-admin-granted", EXTERNAL, **{"external.role": "manager", "role": "admin-granted"})
    username = new_slave_user(slave)
    assert not {"app-admin", "admin-granted"} & _realm_roles(broker_login(master, realm.name, username))
    user_id = realm.user(username)["id"]
    _grant_directly(realm, user_id, "admin-granted")

    set_slave_roles(slave, username, roles=("manager",))
    assert {"app-admin", "admin-granted"} <= _realm_roles(broker_login(master, realm.name, username))

    set_slave_roles(slave, username, roles=())
    tokens = broker_login(master, realm.name, username)
    assert "app-admin" not in _realm_roles(tokens)
    assert "app-admin" not in realm.realm_roles_of(user_id)
    assert "admin-granted" in _realm_roles(tokens)
    assert "admin-granted" in realm.realm_roles_of(user_id)


def test_role_an_admin_also_granted_after_the_mapper_survives_force(
    master: ServerProcess, slave: ServerProcess
) -> None:
    realm = new_master_realm(master, slave, sync_mode="FORCE")
    realm.add_mapper("managers", EXTERNAL, **{"external.role": "manager", "role": "app-admin"})
    username = new_slave_user(slave, roles=("manager",))
    assert "app-admin" in _realm_roles(broker_login(master, realm.name, username))
    user_id = realm.user(username)["id"]
    _grant_directly(realm, user_id, "app-admin")
    set_slave_roles(slave, username, roles=())
    assert "app-admin" in _realm_roles(broker_login(master, realm.name, username))


def test_import_keeps_the_role(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave, sync_mode="IMPORT")
    realm.add_mapper("managers", EXTERNAL, **{"external.role": "manager", "role": "app-admin"})
    username = new_slave_user(slave, roles=("manager",))
    assert "app-admin" in _realm_roles(broker_login(master, realm.name, username))
    set_slave_roles(slave, username, roles=())
    assert "app-admin" in _realm_roles(broker_login(master, realm.name, username))


def test_legacy_external_role_neither_grants_nor_revokes_later(master: ServerProcess, slave: ServerProcess) -> None:
    """LEGACY (reference 3.2): the import on the first login, then External Role to Role does
    nothing on later logins (no grant, no revoke), while Claim to Role only revokes."""
    realm = new_master_realm(master, slave, sync_mode="LEGACY")
    realm.add_mapper("managers", EXTERNAL, **{"external.role": "manager", "role": "app-admin"})
    realm.add_mapper("claim", "oidc-role-idp-mapper", claim="groups", **{"claim.value": "admins", "role": "viewer"})
    username = new_slave_user(slave, roles=("manager",), groups=("admins",))
    first = _realm_roles(broker_login(master, realm.name, username))
    assert {"app-admin", "viewer"} <= first
    set_slave_roles(slave, username, roles=())
    user_id = realm.user(username)["id"]
    _leave_slave_group(slave, username, "admins")
    later = _realm_roles(broker_login(master, realm.name, username))
    assert "app-admin" in later and "app-admin" in realm.realm_roles_of(user_id)
    assert "viewer" not in later and "viewer" not in realm.realm_roles_of(user_id)


def test_claim_to_role_on_groups_array_and_advanced_mappers(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave)
    realm.add_mapper("claim", "oidc-role-idp-mapper", claim="groups", **{"claim.value": "admins", "role": "viewer"})
    unit = json.dumps([{"key": "org.unit", "value": "ops-.*"}])
    realm.add_mapper(
        "adv-role", "oidc-advanced-role-idp-mapper", claims=unit, role="auditor", **{"are.claim.values.regex": "true"}
    )
    realm.add_mapper(
        "adv-group",
        "oidc-advanced-group-idp-mapper",
        claims=unit,
        group="/staff/ops",
        **{"are.claim.values.regex": "true"},
    )
    notes = json.dumps([{"key": "department", "value": "R&.*"}])
    realm.add_mapper("note", "oidc-user-session-note-idp-mapper", claims=notes, **{"are.claim.values.regex": "true"})
    username = new_slave_user(
        slave, groups=("admins", "staff"), attributes={"unit": ["ops-east"], "department": ["R&D"]}
    )
    tokens = broker_login(master, realm.name, username)
    assert {"viewer", "auditor"} <= _realm_roles(tokens)
    assert claims(tokens["access_token"])["dept_note"] == "R&D"
    assert "/staff/ops" in realm.groups_of(realm.user(username)["id"])
    info = userinfo(master, realm.name, tokens["access_token"])
    assert info["preferred_username"] == username


def test_attribute_importers_username_template_and_hardcoded(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave)
    realm.add_mapper("dept", "oidc-user-attribute-idp-mapper", claim="department", **{"user.attribute": "department"})
    realm.add_mapper("mail", "oidc-user-attribute-idp-mapper", claim="work_email", **{"user.attribute": "email"})
    realm.add_mapper("name", "oidc-username-idp-mapper", template="${ALIAS}.${CLAIM.preferred_username}")
    realm.add_mapper("hard-role", "oidc-hardcoded-role-idp-mapper", role="hard-role")
    realm.add_mapper("hard-attr", "hardcoded-attribute-idp-mapper", attribute="origin", **{"attribute.value": "slave"})
    realm.add_mapper("hard-group", "oidc-hardcoded-group-idp-mapper", group="/partners")
    realm.add_mapper(
        "hard-note", "hardcoded-user-session-attribute-idp-mapper", attribute="tier", **{"attribute.value": "gold"}
    )
    username = new_slave_user(slave, attributes={"department": ["R&D"], "work_email": ["Work@Example.test"]})
    tokens = broker_login(master, realm.name, username)
    assert "hard-role" in _realm_roles(tokens)
    assert claims(tokens["access_token"])["tier"] == "gold"
    user = realm.user(f"{ALIAS}.{username}")
    assert user["attributes"]["department"] == ["R&D"]
    assert user["attributes"]["origin"] == ["slave"]
    assert user["email"] == "work@example.test"
    assert "/partners" in realm.groups_of(user["id"])
    assert userinfo(master, realm.name, tokens["access_token"])["preferred_username"] == f"{ALIAS}.{username}"

    # FORCE: a later login follows the upstream, and clears what it stopped sending (#40434).
    _set_slave_attributes(slave, username, {"department": ["Sales"]})
    broker_login(master, realm.name, username)
    user = realm.user(f"{ALIAS}.{username}")
    assert user["attributes"]["department"] == ["Sales"]
    assert user.get("email") is None


def test_missing_or_wrong_type_claims_grant_nothing(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave)
    realm.add_mapper("claim", "oidc-role-idp-mapper", claim="no_such_claim", **{"claim.value": "x", "role": "viewer"})
    realm.add_mapper("object", "oidc-role-idp-mapper", claim="org", **{"claim.value": "ops", "role": "auditor"})
    nested = json.dumps([{"key": "groups.name", "value": "admins"}])
    realm.add_mapper("adv", "oidc-advanced-group-idp-mapper", claims=nested, group="/partners")
    username = new_slave_user(slave, attributes={"unit": ["ops"]})
    tokens = broker_login(master, realm.name, username)
    assert not {"viewer", "auditor"} & _realm_roles(tokens)
    assert realm.groups_of(realm.user(username)["id"]) == set()


def test_mapper_with_unknown_role_is_refused(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave)
    body = {"name": "bad", "identityProviderMapper": EXTERNAL, "config": {"external.role": "manager", "role": "nope"}}
    refused = realm.admin.call("POST", f"{realm.path}/identity-provider/instances/{ALIAS}/mappers", body, expect=400)
    assert refused.json()["errorMessage"] == "Unable to find role: nope"


def test_group_an_admin_also_joined_survives_force(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave, sync_mode="FORCE")
    unit = json.dumps([{"key": "org.unit", "value": "ops"}])
    realm.add_mapper("adv-group", "oidc-advanced-group-idp-mapper", claims=unit, group="/staff/ops")
    realm.add_mapper("adv-partners", "oidc-advanced-group-idp-mapper", claims=unit, group="/partners")
    username = new_slave_user(slave, attributes={"unit": ["ops"]})
    broker_login(master, realm.name, username)
    user_id = realm.user(username)["id"]
    assert realm.groups_of(user_id) == {"/staff/ops", "/partners"}
    partners = realm.admin.id_of(f"{realm.path}/groups", name="partners")
    realm.admin.call("PUT", f"{realm.path}/users/{user_id}/groups/{partners}", expect=204)
    _set_slave_attributes(slave, username, {"unit": ["sales"]})
    broker_login(master, realm.name, username)
    assert realm.groups_of(user_id) == {"/partners"}


def test_username_template_onto_a_taken_name_is_a_clear_page_and_changes_nothing(
    master: ServerProcess, slave: ServerProcess
) -> None:
    realm = new_master_realm(master, slave)
    realm.add_mapper("name", "oidc-username-idp-mapper", template="${CLAIM.department}", syncMode="FORCE")
    first = f"dept-{secrets.token_hex(3)}"
    taken = f"dept-{secrets.token_hex(3)}"
    username = new_slave_user(slave, attributes={"department": [first]})
    broker_login(master, realm.name, username)
    linked_id = realm.user(first)["id"]
    Admin(master).created_id(f"/{realm.name}/users", {"username": taken, "enabled": True})

    _set_slave_attributes(slave, username, {"department": [taken]})
    page = walk_broker_login(master, realm.name, username)
    assert page.status_code == 409
    assert "already used by another account" in page.text
    assert realm.user(first)["id"] == linked_id  # the rename rolled back with the login
    assert realm.user(taken)["id"] != linked_id
