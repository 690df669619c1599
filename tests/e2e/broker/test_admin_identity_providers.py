"""``/admin/realms/{realm}/identity-provider/...`` on a real server, with python-keycloak's
``KeycloakAdmin`` where it has a call for it (as a Keycloak user would) and plain HTTP else."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from keycloak.exceptions import KeycloakError
from tests.e2e import harness
from tests.e2e.broker.seed import Admin
from tests.e2e.harness import ServerProcess

from keycloak import KeycloakAdmin

REALM = "idp-admin"
URLS = {
    "authorizationUrl": "https://upstream.example/auth",
    "tokenUrl": "https://upstream.example/token",
    "clientId": "broker",
    "clientAuthMethod": "client_secret_post",
}


@pytest.fixture(scope="module")
def admin(servers: Callable[..., ServerProcess]) -> Iterator[Admin]:
    server = servers()
    admin = Admin(server)
    admin.realm(REALM)
    yield admin


@pytest.fixture(scope="module")
def keycloak_admin(admin: Admin) -> KeycloakAdmin:
    return harness.keycloak_admin(admin.server, REALM)


def _rep(alias: str, **config: str) -> dict[str, Any]:
    return {"alias": alias, "providerId": "oidc", "config": {**URLS, "clientSecret": "s3cret", **config}}


def test_crud_with_python_keycloak(keycloak_admin: KeycloakAdmin, admin: Admin) -> None:
    keycloak_admin.create_idp(_rep("kc-lib"))
    found = {i["alias"]: i for i in keycloak_admin.get_idps()}
    assert found["kc-lib"]["config"]["clientSecret"] == "**********"
    with pytest.raises(KeycloakError) as conflict:
        keycloak_admin.create_idp(_rep("kc-lib"))
    assert conflict.value.response_code == 409
    keycloak_admin.delete_idp("kc-lib")
    assert "kc-lib" not in {i["alias"] for i in keycloak_admin.get_idps()}


def test_create_conflict_get_and_404(admin: Admin) -> None:
    created = admin.call("POST", f"/{REALM}/identity-provider/instances", 201, json=_rep("one"))
    assert created.headers["location"].endswith(f"/admin/realms/{REALM}/identity-provider/instances/one")
    conflict = admin.call("POST", f"/{REALM}/identity-provider/instances", 409, json=_rep("one"))
    assert conflict.json() == {"errorMessage": "Identity Provider one already exists"}
    got = admin.call("GET", f"/{REALM}/identity-provider/instances/one", 200).json()
    assert got["config"]["clientSecret"] == "**********" and got["enabled"] is True
    by_id = admin.call("GET", f"/{REALM}/identity-provider/instances/{got['internalId']}", 200).json()
    assert by_id["alias"] == "one"
    assert admin.call("GET", f"/{REALM}/identity-provider/instances/nope", 404).json() == {
        "error": "HTTP 404 Not Found"
    }
    bad = admin.call("POST", f"/{REALM}/identity-provider/instances", 400, json={**_rep("x"), "providerId": "saml2"})
    assert bad.json() == {"errorMessage": "Invalid identity provider id [saml2]"}


def test_put_with_mask_keeps_secret_and_new_alias_moves_links(admin: Admin) -> None:
    admin.call("POST", f"/{REALM}/identity-provider/instances", 201, json=_rep("old"))
    user_id = admin.user(REALM, "linked", "pw")
    admin.call(
        "POST",
        f"/{REALM}/users/{user_id}/federated-identity/old",
        204,
        json={"userId": "upstream-sub", "userName": "upstream-name"},
    )
    mapper = {"name": "email", "identityProviderMapper": "hardcoded-attribute-idp-mapper", "config": {"attribute": "a"}}
    admin.call(
        "POST",
        f"/{REALM}/identity-provider/instances/old/mappers",
        201,
        json={**mapper, "identityProviderAlias": "old"},
    )
    rep = admin.call("GET", f"/{REALM}/identity-provider/instances/old", 200).json()
    rep.update(alias="renamed", displayName="Renamed")
    admin.call("PUT", f"/{REALM}/identity-provider/instances/old", 204, json=rep)
    links = admin.call("GET", f"/{REALM}/users/{user_id}/federated-identity", 200).json()
    assert links == [{"identityProvider": "renamed", "userId": "upstream-sub", "userName": "upstream-name"}]
    admin.call("GET", f"/{REALM}/identity-provider/instances/old", 404)
    mappers = admin.call("GET", f"/{REALM}/identity-provider/instances/renamed/mappers", 200).json()
    assert [(m["name"], m["identityProviderAlias"]) for m in mappers] == [("email", "renamed")]
    # The mask with a changed token URL is refused: the secret would go elsewhere.
    moved = {**rep, "config": {**rep["config"], "tokenUrl": "https://evil.example/token"}}
    refused = admin.call("PUT", f"/{REALM}/identity-provider/instances/renamed", 400, json=moved)
    assert "secret must be entered again" in refused.text


def test_provider_types_import_config_and_key_cache(admin: Admin) -> None:
    base = f"/{REALM}/identity-provider"
    assert admin.call("GET", f"{base}/providers/oidc", 200).json() == {"id": "oidc", "name": "OpenID Connect v1.0"}
    assert admin.call("GET", f"{base}/providers/keycloak-oidc", 200).json()["name"] == "Keycloak OpenID Connect"
    admin.call("GET", f"{base}/providers/unknown", 400)
    discovery = admin.server.url("/realms/master/.well-known/openid-configuration")
    config = admin.call("POST", f"{base}/import-config", 200, json={"providerId": "oidc", "fromUrl": discovery}).json()
    assert config["tokenUrl"] == admin.server.url("/realms/master/protocol/openid-connect/token")
    assert (config["useJwksUrl"], config["validateSignature"]) == ("true", "true")
    assert config["metadataDescriptorUrl"] == discovery
    admin.call("POST", f"/{REALM}/clear-keys-cache", 204)
    admin.call("POST", f"{base}/instances", 201, json={**_rep("jwks"), "config": {**URLS, **config}})
    assert admin.call("GET", f"{base}/instances/jwks/reload-keys", 200).json() is True
    admin.call("POST", f"{base}/instances", 201, json=_rep("static"))
    assert admin.call("GET", f"{base}/instances/static/reload-keys", 200).json() is False


def test_roles_are_needed(admin: Admin) -> None:
    viewer = admin.user("master", "idp-viewer", "pw")
    clients = admin.call("GET", "/master/clients", 200, params={"clientId": f"{REALM}-realm"}).json()
    role = admin.call("GET", f"/master/clients/{clients[0]['id']}/roles/view-identity-providers", 200).json()
    admin.call("POST", f"/master/users/{viewer}/role-mappings/clients/{clients[0]['id']}", 204, json=[role])
    token = httpx.post(
        admin.server.url("/realms/master/protocol/openid-connect/token"),
        data={"grant_type": "password", "client_id": "admin-cli", "username": "idp-viewer", "password": "pw"},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = admin.server.url(f"/admin/realms/{REALM}/identity-provider/instances")
    assert httpx.get(url, headers=headers).status_code == 200
    assert httpx.post(url, headers=headers, json=_rep("nope")).status_code == 403


def test_import_config_from_an_uploaded_file(admin: Admin) -> None:
    document = httpx.get(admin.server.url("/realms/master/.well-known/openid-configuration")).content
    response = admin.http.post(
        f"/admin/realms/{REALM}/identity-provider/import-config",
        data={"providerId": "keycloak-oidc"},
        files={"file": ("openid-configuration.json", document, "application/json")},
    )
    assert response.status_code == 200, response.text
    config = response.json()
    assert config["issuer"] == admin.server.url("/realms/master")
    assert config["jwksUrl"] == admin.server.url("/realms/master/protocol/openid-connect/certs")
    assert "metadataDescriptorUrl" not in config
    broken = admin.http.post(
        f"/admin/realms/{REALM}/identity-provider/import-config",
        data={"providerId": "oidc"},
        files={"file": ("x.json", b"not json", "application/json")},
    )
    assert broken.status_code == 400
    url = f"/admin/realms/{REALM}/identity-provider/import-config"
    headers = {"content-type": "application/json"}
    malformed = admin.http.post(url, content=b"{not json", headers=headers)
    assert (malformed.status_code, malformed.json()) == (400, {"errorMessage": "Invalid JSON body"})
    listed = admin.http.post(url, content=b"[]", headers=headers)
    expected = {"errorMessage": "Invalid value for body: expected a JSON object"}
    assert (listed.status_code, listed.json()) == (400, expected)


def test_list_search_paging_and_brief(admin: Admin) -> None:
    base = f"/{REALM}/identity-provider/instances"
    for alias in ("search-alpha", "search-beta", "other-gamma"):
        admin.call("POST", base, 201, json=_rep(alias))

    def aliases(**params: str) -> list[str]:
        return [i["alias"] for i in admin.call("GET", base, 200, params=params).json()]

    assert aliases(search="search") == ["search-alpha", "search-beta"]  # prefix by default
    assert aliases(search="*gamm*") == ["other-gamma"]
    assert aliases(search='"search-beta"') == ["search-beta"]
    assert aliases(search="search", first="1", max="1") == ["search-beta"]
    brief = admin.call("GET", base, 200, params={"search": "other", "briefRepresentation": "true"}).json()
    assert brief == [{"alias": "other-gamma", "displayName": None, "providerId": "oidc", "enabled": True}]
