"""Bad input gets a clear 4xx with Keycloak's body, and nothing is half-written."""

from __future__ import annotations

import asyncio
import secrets

import httpx
from tests.e2e.harness import ServerProcess, admin_token

from keycloak import KeycloakAdmin


def test_malformed_json_wrong_types_and_unknown_fields(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    users = f"/admin/realms/{realm}/users"
    broken = http.post(users, content=b'{"username": "x"', headers={"content-type": "application/json"})
    assert broken.status_code == 400
    wrong_type = http.post(users, json={"username": "x", "enabled": "maybe"})
    # Keycloak's answer when Jackson cannot bind a value (here a non-boolean ``enabled``).
    cannot_parse = {"error": "unknown_error", "error_description": "Cannot parse the JSON"}
    assert (wrong_type.status_code, wrong_type.json()) == (400, cannot_parse)
    unknown = http.post(users, json={"username": "x", "favouriteColour": "red"})
    assert unknown.status_code == 400
    assert unknown.json()["error"].startswith('Unrecognized field "favouriteColour" (class ')
    not_object = http.post(users, json=["x"])
    assert not_object.status_code == 400
    assert http.post(f"/admin/realms/{realm}/clients", json={"clientId": 7}).status_code == 400
    assert http.get(users, params={"first": "one"}).status_code == 400
    assert kc.users_count() == 0
    # Compact JSON, as Keycloak writes it.
    assert b": " not in unknown.content


def test_unknown_ids_are_404_with_keycloak_texts(http: httpx.Client, realm: str) -> None:
    base = f"/admin/realms/{realm}"
    cases = {
        f"{base}/users/nope": {"error": "User not found"},
        f"{base}/clients/nope": {"error": "Could not find client"},
        f"{base}/roles/nope": {"error": "Could not find role"},
        f"{base}/roles-by-id/nope": {"error": "Could not find role with id"},
        f"{base}/groups/nope": {"error": "Could not find group by id"},
        "/admin/realms/no-such-realm": {"error": "Realm not found."},
    }
    for path, body in cases.items():
        response = http.get(path)
        assert (response.status_code, response.json()) == (404, body), path
    assert http.delete(f"{base}/users/nope").status_code == 404
    assert http.put(f"{base}/clients/nope", json={}).status_code == 404


def test_duplicates_are_409(http: httpx.Client, realm: str) -> None:
    base = f"/admin/realms/{realm}"
    assert http.post(f"{base}/users", json={"username": "dup", "email": "d@x.org"}).status_code == 201
    again = http.post(f"{base}/users", json={"username": "DUP"})
    assert (again.status_code, again.json()) == (409, {"errorMessage": "User exists with same username"})
    email = http.post(f"{base}/users", json={"username": "other", "email": "D@x.org"})
    assert (email.status_code, email.json()) == (409, {"errorMessage": "User exists with same email"})
    assert http.post(f"{base}/roles", json={"name": "r"}).status_code == 201
    role = http.post(f"{base}/roles", json={"name": "r"})
    assert (role.status_code, role.json()) == (409, {"errorMessage": "Role with name r already exists"})
    realm_again = http.post("/admin/realms", json={"realm": realm})
    assert realm_again.status_code == 409


def test_a_failing_step_leaves_nothing_behind(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    """The user row is written before its groups are resolved; the whole call rolls back."""
    response = http.post(
        f"/admin/realms/{realm}/users",
        json={"username": "half", "credentials": [{"type": "password", "value": "pw"}], "groups": ["/missing"]},
    )
    assert (response.status_code, response.json()) == (400, {"errorMessage": "Group /missing not found"})
    assert kc.get_user_id("half") is None
    assert kc.users_count() == 0


def test_role_of_another_realm_maps_nothing(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    other = "oth" + secrets.token_hex(3)
    kc.create_realm({"realm": other})
    kc.change_current_realm(other)
    kc.create_realm_role({"name": "foreign"})
    foreign = kc.get_realm_role("foreign")
    kc.change_current_realm(realm)
    kc.create_realm_role({"name": "local"})
    local = kc.get_realm_role("local")
    user = kc.create_user({"username": "target"})
    response = http.post(f"/admin/realms/{realm}/users/{user}/role-mappings/realm", json=[local, foreign])
    assert (response.status_code, response.json()) == (404, {"error": "Role not found"})
    # All or nothing: the valid role of the same request was not mapped either.
    assert "local" not in {r["name"] for r in kc.get_realm_roles_of_user(user)}


def test_deleting_a_mapped_role_deletes_its_mappings(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    kc.create_realm_role({"name": "in-use"})
    kc.create_realm_role({"name": "holder-role", "composite": True})
    group = kc.create_group({"name": "holders"})
    user = kc.create_user({"username": "holder"})
    assert group is not None
    in_use = kc.get_realm_role("in-use")
    kc.assign_group_realm_roles(group, [in_use])
    kc.assign_realm_roles(user, [in_use])
    kc.add_composite_realm_roles_to_role("holder-role", [in_use])
    response = http.delete(f"/admin/realms/{realm}/roles/in-use")
    assert response.status_code == 204
    assert http.get(f"/admin/realms/{realm}/roles/in-use").status_code == 404
    assert kc.get_group_realm_roles(group) == []
    assert "in-use" not in {r["name"] for r in kc.get_realm_roles_of_user(user)}
    assert kc.get_composite_realm_roles_of_role("holder-role") == []
    default_role = http.delete(f"/admin/realms/{realm}/roles/default-roles-{realm}")
    assert default_role.status_code == 400


def test_execute_actions_email_says_email_is_not_available(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    user = kc.create_user({"username": "mailme", "email": "m@x.org"})
    response = http.put(f"/admin/realms/{realm}/users/{user}/execute-actions-email", json=["UPDATE_PASSWORD"])
    assert response.status_code == 500
    assert "does not send email" in response.json()["errorMessage"]


async def test_concurrent_creates_of_one_username_make_one_user(admin_server: ServerProcess, realm: str) -> None:
    token = admin_token(admin_server)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=admin_server.base_url, headers=headers) as client:
        responses = await asyncio.gather(
            *(client.post(f"/admin/realms/{realm}/users", json={"username": "racer"}) for _ in range(6))
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 409, 409, 409, 409, 409], [r.text for r in responses]
        for response in responses:
            if response.status_code == 409:
                assert response.json()["errorMessage"].startswith("User exists with same username")
        count = await client.get(f"/admin/realms/{realm}/users/count")
        assert count.json() == 1
