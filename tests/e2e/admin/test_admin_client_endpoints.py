"""Admin endpoints and shapes that Keycloak's own admin-client suite (js/libs/keycloak-admin-client,
see tests/compat/keycloak_admin_client.sh) exercises: brief roles in mappings and composites,
``q`` on built-in user fields, a user's groups and their count, protocol mappers by protocol,
composite scope mappings, offline sessions and session counts, credential labels, push-revocation
and the rotated client secret. Checked here with plain HTTP against a real server."""

from __future__ import annotations

import httpx
from tests.e2e.harness import ServerProcess

from keycloak import KeycloakAdmin


def test_mappings_and_composites_list_roles_without_attributes(
    http: httpx.Client, kc: KeycloakAdmin, realm: str
) -> None:
    base = f"/admin/realms/{realm}"
    kc.create_realm_role({"name": "parent", "attributes": {"k": ["v"]}})
    kc.create_realm_role({"name": "child", "attributes": {"k": ["v"]}})
    parent, child = kc.get_realm_role("parent"), kc.get_realm_role("child")
    assert child["attributes"] == {"k": ["v"]}  # a single role keeps its attributes
    kc.add_composite_realm_roles_to_role("parent", [child])
    composites = http.get(f"{base}/roles-by-id/{parent['id']}/composites").json()
    assert composites == [{k: v for k, v in child.items() if k != "attributes"}]
    assert http.get(f"{base}/roles-by-id/{parent['id']}/composites", params={"search": "CHI"}).json() == composites
    assert http.get(f"{base}/roles-by-id/{parent['id']}/composites", params={"search": "not"}).json() == []
    assert http.get(f"{base}/roles-by-id/{parent['id']}/composites", params={"first": 1}).json() == []

    user = kc.create_user({"username": "mapped"})
    kc.assign_realm_roles(user, [child])
    for path in ("role-mappings/realm", "role-mappings/realm/composite", "role-mappings/realm/available"):
        listed = http.get(f"{base}/users/{user}/{path}").json()
        assert listed and all("attributes" not in r for r in listed), path
    assert "attributes" not in http.get(f"{base}/users/{user}/role-mappings").json()["realmMappings"][0]
    full = http.get(f"{base}/roles", params={"briefRepresentation": "false"}).json()
    assert next(r for r in full if r["name"] == "child")["attributes"] == {"k": ["v"]}


def test_user_search_q_reads_builtin_fields(http: httpx.Client, kc: KeycloakAdmin, realm: str) -> None:
    kc.create_user({"username": "ann", "email": "ann@example.org", "firstName": "Ann", "attributes": {"k": ["v"]}})
    kc.create_user({"username": "bob", "email": "bob@example.org", "attributes": {"k": ["v"]}})
    users = f"/admin/realms/{realm}/users"

    def found(q: str) -> list[str]:
        return sorted(u["username"] for u in http.get(users, params={"q": q}).json())

    assert found("email:ann@example.org") == ["ann"]
    assert found("firstName:Ann k:v") == ["ann"]
    assert found("k:v") == ["ann", "bob"]
    assert found("username:nobody") == []
    assert http.get(f"{users}/count", params={"q": "email:bob@example.org"}).json() == 1


def test_user_groups_are_plain_and_counted_by_search(http: httpx.Client, kc: KeycloakAdmin, realm: str) -> None:
    cool = kc.create_group({"name": "cool-group"})
    kc.create_group({"name": "inner"}, parent=cool)
    other = kc.create_group({"name": "other"})
    assert cool is not None and other is not None  # python-keycloak types the new id as optional
    user = kc.create_user({"username": "member"})
    kc.group_user_add(user, cool)
    kc.group_user_add(user, other)
    base = f"/admin/realms/{realm}/users/{user}/groups"
    assert http.get(base).json()[0] == {"id": cool, "name": "cool-group", "path": "/cool-group"}
    assert http.get(f"{base}/count").json() == {"count": 2}
    assert http.get(f"{base}/count", params={"search": "COOL"}).json() == {"count": 1}
    assert http.get(f"{base}/count", params={"search": "fake-group"}).json() == {"count": 0}


def test_protocol_mappers_by_protocol_and_composite_scope_mappings(
    http: httpx.Client, kc: KeycloakAdmin, realm: str
) -> None:
    base = f"/admin/realms/{realm}"
    cid = kc.create_client({"clientId": "app", "fullScopeAllowed": False})
    mapper = {"name": "aud", "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper", "config": {}}
    kc.add_mapper_to_client(cid, mapper)
    [listed] = http.get(f"{base}/clients/{cid}/protocol-mappers/protocol/openid-connect").json()
    assert listed["name"] == "aud"
    assert http.get(f"{base}/clients/{cid}/protocol-mappers/protocol/saml").json() == []

    kc.create_realm_role({"name": "inner"})
    kc.create_realm_role({"name": "outer"})
    kc.create_realm_role({"name": "unrelated"})
    kc.add_composite_realm_roles_to_role("outer", [kc.get_realm_role("inner")])
    scope = kc.create_client_scope({"name": "sc", "protocol": "openid-connect"})
    outer = kc.get_realm_role("outer")
    for owner in (f"clients/{cid}", f"client-scopes/{scope}"):
        assert http.post(f"{base}/{owner}/scope-mappings/realm", json=[outer]).status_code == 204
        names = {r["name"] for r in http.get(f"{base}/{owner}/scope-mappings/realm/composite").json()}
        assert {"outer", "inner"} <= names and "unrelated" not in names, owner
    kc.update_client(cid, {"fullScopeAllowed": True})
    everything = {r["name"] for r in http.get(f"{base}/clients/{cid}/scope-mappings/realm/composite").json()}
    assert "unrelated" in everything  # full scope: every realm role is in scope, as Keycloak's hasScope
    api = kc.create_client({"clientId": "api"})
    kc.create_client_role(api, {"name": "call"})
    own = http.get(f"{base}/client-scopes/{scope}/scope-mappings/clients/{api}/composite").json()
    assert own == []
    assert http.get(f"{base}/client-scopes/{scope}/scope-mappings/clients/nope/composite").status_code == 404


def test_offline_sessions_and_session_counts(
    admin_server: ServerProcess, http: httpx.Client, kc: KeycloakAdmin, realm: str
) -> None:
    base = f"/admin/realms/{realm}"
    cid = kc.create_client({"clientId": "app", "publicClient": True})
    user = kc.create_user({"username": "off", "enabled": True, "credentials": [{"type": "password", "value": "pw"}]})
    assert http.get(f"{base}/clients/{cid}/offline-session-count").json() == {"count": 0}
    for scope in ("offline_access", "openid"):
        token = httpx.post(
            admin_server.url(f"/realms/{realm}/protocol/openid-connect/token"),
            data={"grant_type": "password", "client_id": "app", "username": "off", "password": "pw", "scope": scope},
        )
        assert token.status_code == 200, token.text
    assert http.get(f"{base}/clients/{cid}/offline-session-count").json() == {"count": 1}
    assert http.get(f"{base}/clients/{cid}/session-count").json() == {"count": 1}
    [offline] = http.get(f"{base}/clients/{cid}/offline-sessions").json()
    assert (offline["username"], offline["clients"]) == ("off", {cid: "app"})
    assert http.get(f"{base}/clients/{cid}/offline-sessions", params={"first": 1}).json() == []
    assert [s["id"] for s in http.get(f"{base}/users/{user}/offline-sessions/{cid}").json()] == [offline["id"]]
    other = kc.create_client({"clientId": "other"})
    assert http.get(f"{base}/users/{user}/offline-sessions/{other}").json() == []
    assert http.get(f"{base}/users/{user}/offline-sessions/nope").json() == {"error": "Client not found"}
    assert http.get(f"{base}/clients/nope/session-count").status_code == 404


def test_credential_label_and_storage_credential_types(http: httpx.Client, kc: KeycloakAdmin, realm: str) -> None:
    user = kc.create_user({"username": "lab", "credentials": [{"type": "password", "value": "pw"}]})
    base = f"/admin/realms/{realm}/users/{user}"
    [cred] = http.get(f"{base}/credentials").json()
    label = f"{base}/credentials/{cred['id']}/userLabel"
    response = http.put(label, content="My password", headers={"content-type": "text/plain"})
    assert response.status_code == 204, response.text
    assert http.get(f"{base}/credentials").json()[0]["userLabel"] == "My password"
    http.put(label, content="  ", headers={"content-type": "text/plain"})
    assert "userLabel" not in http.get(f"{base}/credentials").json()[0]
    missing = http.put(f"{base}/credentials/nope/userLabel", content="x", headers={"content-type": "text/plain"})
    assert (missing.status_code, missing.json()) == (404, {"error": "Credential not found"})
    assert http.get(f"{base}/configured-user-storage-credential-types").json() == []
    assert http.get(f"/admin/realms/{realm}/users/nope/configured-user-storage-credential-types").status_code == 404


def test_push_revocation_and_rotated_secret(http: httpx.Client, kc: KeycloakAdmin, realm: str) -> None:
    base = f"/admin/realms/{realm}"
    empty = http.post(f"{base}/push-revocation").json()
    assert (empty["successRequests"], empty["failedRequests"]) == ([], [])
    cid = kc.create_client({"clientId": "adapter", "adminUrl": "http://127.0.0.1:9/admin"})
    pushed = http.post(f"{base}/push-revocation").json()
    assert (pushed["successRequests"], pushed["failedRequests"]) == ([], ["http://127.0.0.1:9/admin"])
    assert http.delete(f"{base}/clients/{cid}/client-secret/rotated").status_code == 204
    assert http.delete(f"{base}/clients/nope/client-secret/rotated").status_code == 404
