"""The admin API's resources through python-keycloak's unchanged KeycloakAdmin, against a real
server: realms, clients, users, roles and composites, groups, client scopes, sessions, events."""

from __future__ import annotations

import pytest
from keycloak.exceptions import KeycloakError
from tests.e2e.harness import ServerProcess

from keycloak import KeycloakAdmin, KeycloakOpenID


def test_realm_read_update_delete(kc: KeycloakAdmin, realm: str) -> None:
    rep = kc.get_realm(realm)
    assert rep["realm"] == realm and rep["defaultRole"]["name"] == f"default-roles-{realm}"
    kc.update_realm(realm, {"displayName": "Shown", "accessTokenLifespan": 120})
    assert kc.get_realm(realm)["displayName"] == "Shown"
    assert kc.get_realm(realm)["accessTokenLifespan"] == 120
    keys = kc.get_keys()
    assert "RS256" in keys["active"]
    kc.clear_realm_cache()
    kc.delete_realm(realm)
    assert realm not in {r["realm"] for r in kc.get_realms()}


def test_clients_crud_search_scopes_and_mappers(kc: KeycloakAdmin, realm: str) -> None:
    cid = kc.create_client({"clientId": "app-one", "publicClient": True, "redirectUris": ["http://x/*"]})
    kc.create_client({"clientId": "other"})
    assert [c["clientId"] for c in kc.get_clients() if c["clientId"] in ("app-one", "other")] == [
        "app-one",
        "other",
    ]
    assert kc.get_client_id("app-one") == cid
    kc.update_client(cid, {"description": "first"})
    assert kc.get_client(cid)["description"] == "first"
    with pytest.raises(KeycloakError) as dup:
        kc.create_client({"clientId": "app-one"})
    assert dup.value.response_code == 409

    defaults = {s["name"] for s in kc.get_client_default_client_scopes(cid)}
    assert {"profile", "email", "roles"} <= defaults
    phone = next(s for s in kc.get_client_scopes() if s["name"] == "phone")
    kc.add_client_default_client_scope(cid, phone["id"], {})
    assert "phone" in {s["name"] for s in kc.get_client_default_client_scopes(cid)}
    kc.delete_client_default_client_scope(cid, phone["id"])
    assert "phone" not in {s["name"] for s in kc.get_client_default_client_scopes(cid)}

    kc.add_mapper_to_client(
        cid,
        {
            "name": "dept",
            "protocol": "openid-connect",
            "protocolMapper": "oidc-usermodel-attribute-mapper",
            "config": {"user.attribute": "dept", "claim.name": "dept", "access.token.claim": "true"},
        },
    )
    mappers = kc.get_mappers_from_client(cid)
    assert [m["name"] for m in mappers] == ["dept"]
    kc.remove_client_mapper(cid, mappers[0]["id"])
    assert kc.get_mappers_from_client(cid) == []

    svc = kc.create_client({"clientId": "robot", "serviceAccountsEnabled": True})
    assert kc.get_client_service_account_user(svc)["username"] == "service-account-robot"
    kc.delete_client(cid)
    assert kc.get_client_id("app-one") is None


def test_users_search_count_update_groups_and_credentials(kc: KeycloakAdmin, realm: str) -> None:
    alice = kc.create_user({"username": "Alice", "email": "alice@example.org", "firstName": "Al", "enabled": True})
    kc.create_user({"username": "bob", "attributes": {"team": ["blue"]}, "enabled": True})
    assert kc.get_user(alice)["username"] == "alice"
    assert kc.users_count() == 2
    assert [u["username"] for u in kc.get_users({"search": "ali"})] == ["alice"]
    assert [u["username"] for u in kc.get_users({"q": "team:blue"})] == ["bob"]
    assert [u["username"] for u in kc.get_users({"email": "alice@example.org", "exact": True})] == ["alice"]
    assert kc.get_user_id("bob") is not None
    kc.update_user(alice, {"lastName": "Smith"})
    assert kc.get_user(alice)["lastName"] == "Smith"
    with pytest.raises(KeycloakError) as dup:
        kc.create_user({"username": "ALICE"})
    assert dup.value.response_code == 409

    kc.set_user_password(alice, "pw-one-1", temporary=True)
    assert kc.get_user(alice)["requiredActions"] == ["UPDATE_PASSWORD"]
    creds = kc.get_credentials(alice)
    assert [c["type"] for c in creds] == ["password"] and "secretData" not in creds[0]

    group = kc.create_group({"name": "staff"})
    assert group is not None
    kc.group_user_add(alice, group)
    assert [g["name"] for g in kc.get_user_groups(alice)] == ["staff"]
    assert [m["username"] for m in kc.get_group_members(group)] == ["alice"]
    kc.group_user_remove(alice, group)
    assert kc.get_user_groups(alice) == []

    kc.delete_user(alice)
    with pytest.raises(KeycloakError) as gone:
        kc.get_user(alice)
    assert gone.value.response_code == 404


def test_roles_composites_and_mappings(kc: KeycloakAdmin, realm: str) -> None:
    kc.create_realm_role({"name": "reader", "description": "reads"})
    kc.create_realm_role({"name": "writer"})
    reader = kc.get_realm_role("reader")
    writer = kc.get_realm_role("writer")
    assert kc.get_role_by_id(reader["id"])["name"] == "reader"
    kc.add_composite_realm_roles_to_role("writer", [reader])
    assert [r["name"] for r in kc.get_composite_realm_roles_of_role("writer")] == ["reader"]
    assert kc.get_realm_role("writer")["composite"] is True

    cid = kc.create_client({"clientId": "api"})
    kc.create_client_role(cid, {"name": "call"})
    call = kc.get_client_role(cid, "call")

    user = kc.create_user({"username": "carol", "enabled": True})
    kc.assign_realm_roles(user, [writer])
    kc.assign_client_role(user, cid, [call])
    assert {r["name"] for r in kc.get_realm_roles_of_user(user)} >= {"writer", f"default-roles-{realm}"}
    composite = {r["name"] for r in kc.get_composite_realm_roles_of_user(user)}
    assert {"writer", "reader", "offline_access"} <= composite
    assert [r["name"] for r in kc.get_client_roles_of_user(user, cid)] == ["call"]
    every = kc.get_all_roles_of_user(user)  # Keycloak's MappingsRepresentation
    assert {r["name"] for r in every["realmMappings"]} >= {"writer", f"default-roles-{realm}"}
    assert list(every["clientMappings"]) == ["api"]
    api = every["clientMappings"]["api"]
    assert (api["id"], api["client"], [r["name"] for r in api["mappings"]]) == (cid, "api", ["call"])
    assert [u["username"] for u in kc.get_realm_role_members("writer")] == ["carol"]
    available = {r["name"] for r in kc.get_available_realm_roles_of_user(user)}
    # Only direct mappings are left out, as in Keycloak: roles held through a composite (reader
    # via writer, offline_access via the default roles) can still be mapped on their own.
    assert "writer" not in available and {"reader", "offline_access", "uma_authorization"} <= available
    kc.delete_realm_roles_of_user(user, [writer])
    assert "writer" not in {r["name"] for r in kc.get_realm_roles_of_user(user)}

    # Default roles: the composites of default-roles-{realm}, which every new user gets.
    assert {"offline_access", "uma_authorization"} <= {r["name"] for r in kc.get_realm_default_roles()}
    kc.add_realm_default_roles([reader])
    newcomer = kc.create_user({"username": "newcomer"})
    assert "reader" in {r["name"] for r in kc.get_composite_realm_roles_of_user(newcomer)}
    kc.remove_realm_default_roles([reader])
    assert "reader" not in {r["name"] for r in kc.get_realm_default_roles()}

    kc.update_realm_role("reader", {"name": "reader", "description": "reads a lot"})
    assert kc.get_realm_role("reader")["description"] == "reads a lot"
    kc.delete_realm_role("writer")
    assert "writer" not in {r["name"] for r in kc.get_realm_roles()}


def test_groups_tree_path_count_and_role_mappings(kc: KeycloakAdmin, realm: str) -> None:
    top = kc.create_group({"name": "org"})
    assert top is not None
    child = kc.create_group({"name": "dev"}, parent=top)
    assert child is not None
    assert kc.get_group_by_path("/org/dev")["id"] == child
    tree = kc.get_groups()
    assert tree[0]["name"] == "org" and tree[0]["subGroupCount"] == 1
    assert [c["name"] for c in kc.get_group_children(top)] == ["dev"]
    assert kc.groups_count() == {"count": 2}
    kc.create_realm_role({"name": "builder"})
    builder = kc.get_realm_role("builder")
    kc.assign_group_realm_roles(child, [builder])
    assert [r["name"] for r in kc.get_group_realm_roles(child)] == ["builder"]
    assert [g["name"] for g in kc.get_realm_role_groups("builder")] == ["dev"]
    user = kc.create_user({"username": "dan", "enabled": True, "groups": ["/org/dev"]})
    assert "builder" in {r["name"] for r in kc.get_composite_realm_roles_of_user(user)}
    kc.update_group(child, {"name": "devs"})
    assert kc.get_group(child)["path"] == "/org/devs"
    kc.delete_group(top)
    assert kc.get_groups() == []


def test_client_scopes_mappers_and_realm_defaults(kc: KeycloakAdmin, realm: str) -> None:
    sid = kc.create_client_scope({"name": "extra", "protocol": "openid-connect"})
    assert kc.get_client_scope(sid)["name"] == "extra"
    kc.add_mapper_to_client_scope(
        sid,
        {
            "name": "aud",
            "protocol": "openid-connect",
            "protocolMapper": "oidc-audience-mapper",
            "config": {"included.custom.audience": "api", "access.token.claim": "true"},
        },
    )
    assert [m["name"] for m in kc.get_mappers_from_client_scope(sid)] == ["aud"]
    kc.add_default_default_client_scope(sid)
    assert "extra" in {s["name"] for s in kc.get_default_default_client_scopes()}
    cid = kc.create_client({"clientId": "gets-extra"})
    assert "extra" in {s["name"] for s in kc.get_client_default_client_scopes(cid)}
    kc.delete_default_default_client_scope(sid)
    assert "extra" not in {s["name"] for s in kc.get_default_default_client_scopes()}
    kc.update_client_scope(sid, {"description": "more"})
    assert kc.get_client_scope(sid)["description"] == "more"


def test_sessions_logout_and_events(kc: KeycloakAdmin, realm: str, admin_server: ServerProcess) -> None:
    kc.set_events({"eventsEnabled": True, "adminEventsEnabled": True, "adminEventsDetailsEnabled": True})
    user = kc.create_user(
        {"username": "erin", "enabled": True, "credentials": [{"type": "password", "value": "erin-pw"}]}
    )
    oidc = KeycloakOpenID(server_url=admin_server.base_url + "/", realm_name=realm, client_id="admin-cli")
    token = oidc.token("erin", "erin-pw")
    sessions = kc.get_sessions(user)
    assert len(sessions) == 1 and sessions[0]["username"] == "erin"
    admin_cli = kc.get_client_id("admin-cli")
    assert admin_cli is not None
    assert [s["userId"] for s in kc.get_client_all_sessions(admin_cli)] == [user]
    stats = kc.get_client_sessions_stats()
    assert any(s["clientId"] == "admin-cli" and s["active"] == "1" for s in stats)
    kc.user_logout(user)
    assert kc.get_sessions(user) == []
    with pytest.raises(KeycloakError):
        oidc.refresh_token(token["refresh_token"])

    admin_events = kc.get_admin_events()
    assert any(e["operationType"] == "CREATE" and e["resourcePath"] == f"users/{user}" for e in admin_events)
    created = next(e for e in admin_events if e["resourceType"] == "USER" and e["operationType"] == "CREATE")
    assert "erin-pw" not in created.get("representation", "")
    with pytest.raises(KeycloakError):
        oidc.token("erin", "wrong-password")
    logins = kc.get_events({"type": "LOGIN"})
    assert logins and {(e["type"], e["userId"]) for e in logins} == {("LOGIN", user)}
    both = {e["type"] for e in kc.get_events({"type": ["LOGIN", "LOGIN_ERROR"]})}
    assert both == {"LOGIN", "LOGIN_ERROR"}
    config = kc.connection.raw_get(f"admin/realms/{realm}/events/config").json()
    assert config["eventsEnabled"] is True and config["adminEventsDetailsEnabled"] is True
