"""Answers python-keycloak's own test suite expects from Keycloak, checked on realmgate directly:
error texts of the role endpoints, the server info keys, and defaults of clients made through
the admin API."""

from __future__ import annotations

import httpx
from tests.e2e.harness import ServerProcess

from keycloak import KeycloakAdmin

CANNOT_PARSE = {"error": "unknown_error", "error_description": "Cannot parse the JSON"}

# Every top-level key of Keycloak's ServerInfoRepresentation.
SERVER_INFO_KEYS = {
    "systemInfo",
    "memoryInfo",
    "profileInfo",
    "features",
    "themes",
    "socialProviders",
    "identityProviders",
    "providers",
    "protocolMapperTypes",
    "builtinProtocolMappers",
    "clientInstallations",
    "componentTypes",
    "passwordPolicies",
    "enums",
    "cryptoInfo",
    "cpuInfo",
}


def test_role_mapping_body_of_names_cannot_be_parsed(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    user = kc.create_user({"username": "mapped"})
    response = http.post(f"/admin/realms/{realm}/users/{user}/role-mappings/realm", json=["offline_access"])
    assert (response.status_code, response.json()) == (400, CANNOT_PARSE)


def test_role_mappings_of_an_unknown_client_say_client_not_found(
    http: httpx.Client, realm: str, kc: KeycloakAdmin
) -> None:
    user = kc.create_user({"username": "mapped"})
    response = http.get(f"/admin/realms/{realm}/users/{user}/role-mappings/clients/nope")
    assert (response.status_code, response.json()) == (404, {"error": "Client not found"})


def test_unknown_composite_is_could_not_find_composite_role(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    kc.create_realm_role({"name": "outer"})
    base = f"/admin/realms/{realm}/roles/outer/composites"
    for method in ("POST", "DELETE"):
        response = http.request(method, base, json=[{"id": "bad id"}])
        assert (response.status_code, response.json()) == (404, {"error": "Could not find composite role"}), method


def test_server_info_has_only_keycloaks_keys(kc: KeycloakAdmin) -> None:
    info = kc.get_server_info()
    assert set(info) <= SERVER_INFO_KEYS
    assert {"systemInfo", "identityProviders", "protocolMapperTypes"} <= set(info)


def test_admin_created_client_allows_the_password_grant_by_default(
    admin_server: ServerProcess, realm: str, kc: KeycloakAdmin
) -> None:
    cid = kc.create_client({"clientId": "cli", "publicClient": True})
    assert kc.get_client(cid)["directAccessGrantsEnabled"] is True
    kc.create_user({"username": "pw", "enabled": True, "credentials": [{"type": "password", "value": "secret"}]})
    token = httpx.post(
        admin_server.url(f"/realms/{realm}/protocol/openid-connect/token"),
        data={"grant_type": "password", "client_id": "cli", "username": "pw", "password": "secret"},
    )
    assert token.status_code == 200, token.text
    explicit = kc.create_client({"clientId": "no-pw", "directAccessGrantsEnabled": False})
    assert kc.get_client(explicit)["directAccessGrantsEnabled"] is False
