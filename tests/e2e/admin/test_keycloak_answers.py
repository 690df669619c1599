"""Answers python-keycloak's own test suite expects from Keycloak, checked on realmgate directly:
error texts of the role endpoints, the server info keys, and defaults of clients made through
the admin API."""

from __future__ import annotations

import httpx
from tests.e2e.certs import self_signed
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


def test_consents_are_the_clients_holding_offline_tokens(
    admin_server: ServerProcess, http: httpx.Client, realm: str, kc: KeycloakAdmin
) -> None:
    kc.create_client({"clientId": "app", "publicClient": True})
    user = kc.create_user({"username": "off", "enabled": True, "credentials": [{"type": "password", "value": "pw"}]})
    base = f"/admin/realms/{realm}/users/{user}/consents"
    assert http.get(base).json() == []
    token = httpx.post(
        admin_server.url(f"/realms/{realm}/protocol/openid-connect/token"),
        data={
            "grant_type": "password",
            "client_id": "app",
            "username": "off",
            "password": "pw",
            "scope": "offline_access",
        },
    )
    assert token.status_code == 200, token.text
    [consent] = http.get(base).json()
    assert (consent["clientId"], [g["key"] for g in consent["additionalGrants"]]) == ("app", ["Offline Token"])
    assert http.get(f"/admin/realms/{realm}/users/nope/consents").json() == {"error": "User not found"}
    assert http.delete(f"{base}/nope").json() == {"error": "Client not found"}
    assert http.delete(f"{base}/app").status_code == 204
    assert http.get(base).json() == []
    again = http.delete(f"{base}/app")
    assert (again.status_code, again.json()) == (404, {"error": "Consent nor offline token not found"})
    refresh = httpx.post(
        admin_server.url(f"/realms/{realm}/protocol/openid-connect/token"),
        data={"grant_type": "refresh_token", "client_id": "app", "refresh_token": token.json()["refresh_token"]},
    )
    assert refresh.status_code == 400


def test_send_verify_email_fails_as_keycloak_without_smtp(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    user = kc.create_user({"username": "mail", "email": "mail@x.org", "enabled": True})
    response = http.put(f"/admin/realms/{realm}/users/{user}/send-verify-email")
    assert response.status_code == 500
    assert response.json()["errorMessage"].startswith("Failed to send verify email")
    no_email = kc.create_user({"username": "nomail", "enabled": True})
    missing = http.put(f"/admin/realms/{realm}/users/{no_email}/send-verify-email")
    assert (missing.status_code, missing.json()) == (400, {"errorMessage": "User email missing"})


def test_client_certificate_info_and_installation(
    admin_server: ServerProcess, http: httpx.Client, realm: str, kc: KeycloakAdmin
) -> None:
    cid = kc.create_client({"clientId": "conf", "secret": "s3cret"})
    base = f"/admin/realms/{realm}/clients/{cid}"
    assert http.get(f"{base}/certificates/jwt.credential").json() == {}
    missing = http.get(f"/admin/realms/{realm}/clients/nope/certificates/jwt.credential")
    assert (missing.status_code, missing.json()) == (404, {"error": "Could not find client"})
    unknown = http.get(f"{base}/installation/providers/bad")
    assert (unknown.status_code, unknown.json()) == (404, {"error": "Unknown Provider"})
    doc = http.get(f"{base}/installation/providers/keycloak-oidc-keycloak-json").json()
    assert doc == {
        "realm": realm,
        "auth-server-url": admin_server.base_url + "/",
        "ssl-required": "external",
        "resource": "conf",
        "credentials": {"secret": "s3cret"},
        "confidential-port": 0,
    }


def test_user_storage_sync_finds_no_component(http: httpx.Client, realm: str) -> None:
    response = http.post(f"/admin/realms/{realm}/user-storage/nope/sync", params={"action": "triggerFullSync"})
    assert (response.status_code, response.json()) == (404, {"error": "Could not find component"})


def test_mapper_without_provider_is_provider_not_found(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    cid = kc.create_client({"clientId": "mapped"})
    response = http.post(f"/admin/realms/{realm}/clients/{cid}/protocol-mappers/models", json={})
    assert (response.status_code, response.json()) == (404, {"error": "ProtocolMapper provider not found"})


def test_required_actions_list_read_and_update(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    base = f"/admin/realms/{realm}/authentication/required-actions"
    actions = http.get(base).json()
    assert [a["alias"] for a in actions][:3] == ["CONFIGURE_TOTP", "TERMS_AND_CONDITIONS", "UPDATE_PASSWORD"]
    update = http.get(f"{base}/UPDATE_PASSWORD").json()
    assert update == {
        "alias": "UPDATE_PASSWORD",
        "name": "Update Password",
        "providerId": "UPDATE_PASSWORD",
        "enabled": True,
        "defaultAction": False,
        "priority": 30,
        "config": {},
    }
    assert http.put(f"{base}/UPDATE_PASSWORD", json={**update, "enabled": False}).status_code == 204
    assert http.get(f"{base}/UPDATE_PASSWORD").json()["enabled"] is False
    assert http.get(f"{base}/VERIFY_EMAIL").json()["enabled"] is True
    stored = kc.get_realm(realm)["requiredActions"]
    assert {a["alias"]: a["enabled"] for a in stored}["UPDATE_PASSWORD"] is False
    missing = http.get(f"{base}/nope")
    assert (missing.status_code, missing.json()) == (404, {"error": "Failed to find required action"})
    wrong = http.put(f"{base}/VERIFY_EMAIL", json={"enabled": "no"})
    assert (wrong.status_code, wrong.json()) == (400, CANNOT_PARSE)


def test_realm_default_scope_endpoints_say_client_scope_not_found(http: httpx.Client, realm: str) -> None:
    for kind in ("default-default-client-scopes", "default-optional-client-scopes"):
        for method in ("PUT", "DELETE"):
            response = http.request(method, f"/admin/realms/{realm}/{kind}/nope")
            assert (response.status_code, response.json()) == (404, {"error": "Client scope not found"}), kind


def test_partial_import_ignores_the_rest_of_a_realm_export(http: httpx.Client, realm: str) -> None:
    export = http.post(f"/admin/realms/{realm}/partial-export").json()
    body = {**export, "ifResourceExists": "SKIP", "users": [{"username": "imported"}]}
    response = http.post(f"/admin/realms/{realm}/partialImport", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["added"] >= 1


def test_user_profile_defaults_and_update(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    base = f"/admin/realms/{realm}/users/profile"
    profile = http.get(base).json()
    assert [a["name"] for a in profile["attributes"]] == ["username", "email", "firstName", "lastName"]
    assert [g["name"] for g in profile["groups"]] == ["user-metadata"]
    surname = {"name": "surname", "displayName": "", "permissions": {"view": [], "edit": ["admin"]}}
    profile["attributes"].append(surname)
    updated = http.put(base, json=profile)
    assert updated.status_code == 200
    assert "surname" in [a["name"] for a in updated.json()["attributes"]]
    assert "surname" in [a["name"] for a in http.get(base).json()["attributes"]]
    assert "userProfileConfig" not in kc.get_realm(realm)
    no_email = {"attributes": [a for a in profile["attributes"] if a["name"] != "email"]}
    refused = http.put(base, json=no_email)
    assert (refused.status_code, refused.json()) == (400, {"errorMessage": "The attribute 'email' can not be removed"})
    # Users are still users: /users/{id} is not shadowed by the profile route.
    user = kc.create_user({"username": "profiled"})
    assert http.get(f"/admin/realms/{realm}/users/{user}").json()["username"] == "profiled"


def _self_signed_pem() -> str:
    return self_signed("upload")[0].decode("ascii")


def test_upload_certificate_takes_keycloaks_multipart_form(http: httpx.Client, realm: str, kc: KeycloakAdmin) -> None:
    cid = kc.create_client({"clientId": "jwt-client"})
    url = f"/admin/realms/{realm}/clients/{cid}/certificates/jwt.credential"
    pem = _self_signed_pem()
    body = "".join(pem.strip().splitlines()[1:-1])
    response = http.post(f"{url}/upload-certificate", data={"keystoreFormat": "Certificate PEM"}, files={"file": pem})
    assert (response.status_code, response.json()) == (200, {"certificate": body})
    assert kc.get_client(cid)["attributes"]["jwt.credential.certificate"] == body
    assert http.get(url).json() == {"certificate": body}
    bad = http.post(f"{url}/upload-certificate", data={"keystoreFormat": "Certificate PEM"}, files={"file": "nope"})
    assert bad.status_code == 400
    jks = http.post(f"{url}/upload-certificate", data={"keystoreFormat": "JKS"}, files={"file": pem})
    assert jks.status_code == 400
    assert http.get(url).json() == {"certificate": body}


def test_links_to_unknown_providers_are_stored_but_not_listed(
    http: httpx.Client, realm: str, kc: KeycloakAdmin
) -> None:
    user = kc.create_user({"username": "social"})
    base = f"/admin/realms/{realm}/users/{user}/federated-identity"
    link = {"userId": "gl-1", "userName": "gl"}
    assert http.post(f"{base}/gitlab", json=link).status_code == 204
    assert http.get(base).json() == []
    again = http.post(f"{base}/gitlab", json=link)
    assert (again.status_code, again.json()) == (409, {"errorMessage": "User is already linked with provider"})
    missing_user = http.post(f"/admin/realms/{realm}/users/nope/federated-identity/gitlab", json=link)
    assert (missing_user.status_code, missing_user.json()) == (404, {"error": "User not found"})
    kc.create_idp(
        {
            "alias": "gitlab",
            "providerId": "oidc",
            "config": {
                "clientId": "x",
                "clientSecret": "y",
                "authorizationUrl": "https://gitlab.example/auth",
                "tokenUrl": "https://gitlab.example/token",
            },
        }
    )
    assert [li["identityProvider"] for li in http.get(base).json()] == ["gitlab"]
