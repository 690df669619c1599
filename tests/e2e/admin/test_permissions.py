"""Every admin call is checked: 401 without a valid token, 403 without the role; an account
holding only ``view-users`` can read users and nothing it does can write."""

from __future__ import annotations

import secrets

import httpx
from tests.e2e.harness import ServerProcess

from keycloak import KeycloakAdmin


def _token(server: ServerProcess, realm: str, username: str, password: str) -> str:
    response = httpx.post(
        server.url(f"/realms/{realm}/protocol/openid-connect/token"),
        data={"grant_type": "password", "client_id": "admin-cli", "username": username, "password": password},
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def _viewer(kc: KeycloakAdmin, realm: str, management_client: str, username: str) -> None:
    """A user of ``kc``'s current realm holding only ``view-users`` of ``management_client``."""
    user = kc.create_user(
        {"username": username, "enabled": True, "credentials": [{"type": "password", "value": "view-pw"}]}
    )
    client = kc.get_client_id(management_client)
    assert client is not None
    kc.assign_client_role(user, client, [kc.get_client_role(client, "view-users")])


def test_view_users_only_account_reads_users_and_cannot_write(kc: KeycloakAdmin, admin_server: ServerProcess) -> None:
    realm = "perm" + secrets.token_hex(3)
    kc.create_realm({"realm": realm, "enabled": True})
    kc.change_current_realm(realm)
    victim = kc.create_user({"username": "victim", "enabled": True})
    _viewer(kc, realm, "realm-management", "viewer")
    headers = {"Authorization": f"Bearer {_token(admin_server, realm, 'viewer', 'view-pw')}"}
    base = admin_server.url(f"/admin/realms/{realm}")
    with httpx.Client(headers=headers) as http:
        assert http.get(f"{base}/users").status_code == 200
        assert http.get(f"{base}/users/{victim}").json()["username"] == "victim"
        assert http.get(f"{base}/users/count").json() == 2
        writes = [
            http.post(f"{base}/users", json={"username": "intruder"}),
            http.put(f"{base}/users/{victim}", json={"firstName": "Owned"}),
            http.put(f"{base}/users/{victim}/reset-password", json={"type": "password", "value": "x"}),
            http.delete(f"{base}/users/{victim}"),
            http.post(f"{base}/clients", json={"clientId": "evil"}),
            http.put(base, json={"displayName": "Owned"}),
            http.get(f"{base}/clients"),
            http.delete(base),
        ]
        for response in writes:
            assert response.status_code == 403, response.request.url
            assert response.json() == {"error": "unknown_error"}
        # Nothing was written.
        assert kc.get_user(victim).get("firstName") is None
        assert kc.get_user_id("intruder") is None
        assert kc.get_realm(realm).get("displayName") is None
        # A token of this realm grants nothing in master.
        assert http.get(admin_server.url("/admin/realms/master/users")).status_code == 403


def test_master_delegate_through_realm_client_roles(kc: KeycloakAdmin, admin_server: ServerProcess) -> None:
    realm = "deleg" + secrets.token_hex(3)
    kc.create_realm({"realm": realm, "enabled": True})
    name = "delegate" + secrets.token_hex(3)
    _viewer(kc, "master", f"{realm}-realm", name)
    headers = {"Authorization": f"Bearer {_token(admin_server, 'master', name, 'view-pw')}"}
    with httpx.Client(headers=headers) as http:
        assert http.get(admin_server.url(f"/admin/realms/{realm}/users")).status_code == 200
        assert http.post(admin_server.url(f"/admin/realms/{realm}/users"), json={"username": "x"}).status_code == 403
        assert http.get(admin_server.url("/admin/realms/master/users")).status_code == 403
        assert [r["realm"] for r in http.get(admin_server.url("/admin/realms")).json()] == [realm]
        whoami = http.get(admin_server.url("/admin/master/console/whoami")).json()
        assert (
            whoami["realm_access"] == {realm: ["query-groups", "query-users", "view-users"]}
            and whoami["createRealm"] is False
        )


def test_missing_or_bad_tokens_are_401(admin_server: ServerProcess) -> None:
    url = admin_server.url("/admin/realms/master/users")
    assert httpx.get(url).status_code == 401
    assert httpx.get(url).json() == {"error": "HTTP 401 Unauthorized"}
    assert httpx.get(url, headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Basic YWRtaW46YWRtaW4="}).status_code == 401
    assert httpx.get(admin_server.url("/admin/serverinfo")).status_code == 401


def test_managing_users_is_no_way_to_become_realm_admin(kc: KeycloakAdmin, admin_server: ServerProcess) -> None:
    realm = "esc" + secrets.token_hex(3)
    kc.create_realm({"realm": realm, "enabled": True})
    kc.change_current_realm(realm)
    kc.create_realm_role({"name": "plain"})
    management = kc.get_client_id("realm-management")
    assert management is not None
    manager = kc.create_user(
        {"username": "manager", "enabled": True, "credentials": [{"type": "password", "value": "mgr-pw"}]}
    )
    kc.assign_client_role(manager, management, [kc.get_client_role(management, "manage-users")])
    realm_admin = kc.get_client_role(management, "realm-admin")
    manage_users = kc.get_client_role(management, "manage-users")
    headers = {"Authorization": f"Bearer {_token(admin_server, realm, 'manager', 'mgr-pw')}"}
    base = admin_server.url(f"/admin/realms/{realm}")
    other = kc.create_user({"username": "other", "enabled": True})
    with httpx.Client(headers=headers) as http:
        plain = http.post(f"{base}/users/{other}/role-mappings/realm", json=[kc.get_realm_role("plain")])
        assert plain.status_code == 204
        held = http.post(f"{base}/users/{other}/role-mappings/clients/{management}", json=[manage_users])
        assert held.status_code == 204
        escalate = http.post(f"{base}/users/{manager}/role-mappings/clients/{management}", json=[realm_admin])
        assert escalate.status_code == 403
        # Nor through a composite that contains realm-admin, nor through a group holding it.
        kc.create_realm_role({"name": "innocent-looking"})
        kc.add_composite_realm_roles_to_role("innocent-looking", [realm_admin])
        wrapped = http.post(f"{base}/users/{manager}/role-mappings/realm", json=[kc.get_realm_role("innocent-looking")])
        assert wrapped.status_code == 403
        admins = kc.create_group({"name": "admins"})
        assert admins is not None
        kc.assign_group_client_roles(admins, management, [realm_admin])
        assert http.put(f"{base}/users/{manager}/groups/{admins}").status_code == 403
        assert http.put(f"{base}/users/{other}/groups/{kc.create_group({'name': 'plain-group'})}").status_code == 204
    assert "realm-admin" not in {r["name"] for r in kc.get_client_roles_of_user(manager, management)}


def test_partial_import_cannot_smuggle_admin_roles(kc: KeycloakAdmin, admin_server: ServerProcess) -> None:
    realm = "smug" + secrets.token_hex(3)
    kc.create_realm({"realm": realm, "enabled": True})
    kc.change_current_realm(realm)
    management = kc.get_client_id("realm-management")
    assert management is not None
    importer = kc.create_user(
        {"username": "importer", "enabled": True, "credentials": [{"type": "password", "value": "imp-pw"}]}
    )
    kc.assign_client_role(importer, management, [kc.get_client_role(management, "manage-realm")])
    headers = {"Authorization": f"Bearer {_token(admin_server, realm, 'importer', 'imp-pw')}"}
    url = admin_server.url(f"/admin/realms/{realm}/partialImport")
    smuggler = {"username": "smuggler", "clientRoles": {"realm-management": ["realm-admin"]}}
    with httpx.Client(headers=headers) as http:
        assert http.post(url, json={"users": [smuggler]}).status_code == 403
        assert http.post(url, json={"users": [{"username": "harmless"}]}).status_code == 200
    assert kc.get_user_id("smuggler") is None and kc.get_user_id("harmless") is not None
