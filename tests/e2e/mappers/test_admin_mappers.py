"""The identity provider mapper admin endpoints on a real server, as Keycloak answers them."""

from __future__ import annotations

import json
import secrets

from tests.e2e.harness import ServerProcess
from tests.e2e.mappers.kit import ALIAS, Admin, MasterRealm, new_master_realm


def _base(realm: MasterRealm) -> str:
    return f"{realm.path}/identity-provider/instances/{ALIAS}"


def test_mapper_types_are_those_of_the_provider_kind(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave)
    types = realm.admin.call("GET", f"{_base(realm)}/mapper-types", expect=200).json()
    assert "keycloak-oidc-role-to-role-idp-mapper" in types
    assert "oidc-advanced-group-idp-mapper" in types
    claim_to_role = types["oidc-role-idp-mapper"]
    assert claim_to_role["id"] == "oidc-role-idp-mapper" and claim_to_role["name"] == "Claim to Role"
    assert {"category", "helpText", "properties"} <= set(claim_to_role)
    names = {p["name"] for p in claim_to_role["properties"]}
    assert {"claim", "claim.value", "role"} <= names

    oidc = {
        "alias": "plain",
        "providerId": "oidc",
        "config": {"authorizationUrl": "https://a.test/auth", "tokenUrl": "https://a.test/token", "clientId": "x"},
    }
    realm.admin.call("POST", f"{realm.path}/identity-provider/instances", oidc, expect=201)
    plain = realm.admin.call("GET", f"{realm.path}/identity-provider/instances/plain/mapper-types", expect=200).json()
    assert "keycloak-oidc-role-to-role-idp-mapper" not in plain and "oidc-role-idp-mapper" in plain


def test_mapper_crud(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave)
    base = _base(realm)
    body = {
        "name": "managers",
        "identityProviderAlias": ALIAS,
        "identityProviderMapper": "keycloak-oidc-role-to-role-idp-mapper",
        "config": {"external.role": "manager", "role": "app-admin", "syncMode": "INHERIT"},
    }
    created = realm.admin.call("POST", f"{base}/mappers", body, expect=201)
    mapper_id = created.headers["location"].rsplit("/", 1)[1]
    assert created.headers["location"].endswith(f"/identity-provider/instances/{ALIAS}/mappers/{mapper_id}")
    got = realm.admin.call("GET", f"{base}/mappers/{mapper_id}", expect=200).json()
    assert got == {**body, "id": mapper_id}
    assert realm.admin.call("GET", f"{base}/mappers", expect=200).json() == [got]

    duplicate = realm.admin.call("POST", f"{base}/mappers", body, expect=409).json()
    assert duplicate == {"errorMessage": "Identity provider mapper name must be unique per identity provider"}

    changed = {**got, "config": {"external.role": "manager", "role": "viewer", "syncMode": "FORCE"}}
    realm.admin.call("PUT", f"{base}/mappers/{mapper_id}", changed, expect=204)
    assert realm.admin.call("GET", f"{base}/mappers/{mapper_id}", expect=200).json()["config"]["role"] == "viewer"

    realm.admin.call("DELETE", f"{base}/mappers/{mapper_id}", expect=204)
    missing = realm.admin.call("GET", f"{base}/mappers/{mapper_id}", expect=404)
    assert missing.json() == {"error": "Model not found"}
    assert realm.admin.call("DELETE", f"{base}/mappers/{mapper_id}", expect=404).json() == {"error": "Model not found"}
    unknown_idp = realm.admin.call("GET", f"{realm.path}/identity-provider/instances/nope/mappers", expect=404)
    assert unknown_idp.json() == {"error": "HTTP 404 Not Found"}


def test_mapper_with_unknown_role_or_group_is_refused(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave)
    base = _base(realm)
    role = {
        "name": "bad",
        "identityProviderMapper": "oidc-hardcoded-role-idp-mapper",
        "config": {"role": "no-such-role"},
    }
    refused = realm.admin.call("POST", f"{base}/mappers", role, expect=400)
    assert "no-such-role" in refused.json()["errorMessage"]
    group = {"name": "bad", "identityProviderMapper": "oidc-hardcoded-group-idp-mapper", "config": {"group": "/nope"}}
    assert "/nope" in realm.admin.call("POST", f"{base}/mappers", group, expect=400).json()["errorMessage"]
    wrong_kind = {"name": "bad", "identityProviderMapper": "no-such-type", "config": {}}
    realm.admin.call("POST", f"{base}/mappers", wrong_kind, expect=400)
    assert realm.admin.call("GET", f"{base}/mappers", expect=200).json() == []

    good = {"name": "ok", "identityProviderMapper": "oidc-hardcoded-role-idp-mapper", "config": {"role": "viewer"}}
    mapper_id = realm.admin.created_id(f"{base}/mappers", good)
    bad_update = {**good, "config": {"role": "app_client.nope"}}
    realm.admin.call("PUT", f"{base}/mappers/{mapper_id}", bad_update, expect=400)
    assert realm.admin.call("GET", f"{base}/mappers/{mapper_id}", expect=200).json()["config"] == {"role": "viewer"}


def test_renames_carry_into_mapper_configs(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave)
    base = _base(realm)
    role_mapper = realm.add_mapper("r", "oidc-hardcoded-role-idp-mapper", role="viewer")
    client_mapper = realm.add_mapper("c", "oidc-hardcoded-role-idp-mapper", role="app_client.editor")
    group_mapper = realm.add_mapper("g", "oidc-hardcoded-group-idp-mapper", group="/staff/ops")
    viewer = realm.admin.call("GET", f"{realm.path}/roles/viewer", expect=200).json()
    realm.admin.call("PUT", f"{realm.path}/roles/viewer", {**viewer, "name": "reader"}, expect=204)
    app = realm.admin.id_of(f"{realm.path}/clients", clientId="app_client")
    realm.admin.call("PUT", f"{realm.path}/clients/{app}", {"clientId": "web_app"}, expect=204)
    staff = realm.admin.id_of(f"{realm.path}/groups", name="staff")
    realm.admin.call("PUT", f"{realm.path}/groups/{staff}", {"name": "people"}, expect=204)

    def config(mapper_id: str) -> dict[str, str]:
        got: dict[str, str] = realm.admin.call("GET", f"{base}/mappers/{mapper_id}", expect=200).json()["config"]
        return got

    assert config(role_mapper) == {"role": "reader"}
    assert config(client_mapper) == {"role": "web_app.editor"}
    assert config(group_mapper) == {"group": "/people/ops"}


def test_mappers_in_partial_export(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave)
    claims = json.dumps([{"key": "org.unit", "value": "ops"}])
    realm.add_mapper("adv", "oidc-advanced-role-idp-mapper", claims=claims, role="auditor")
    exported = realm.admin.call("POST", f"{realm.path}/partial-export", expect=200).json()
    mappers = exported["identityProviderMappers"]
    assert [(m["name"], m["identityProviderAlias"], m["config"]["claims"]) for m in mappers] == [("adv", ALIAS, claims)]


def test_realm_created_from_a_representation_keeps_its_mappers(master: ServerProcess) -> None:
    admin = Admin(master)
    name = f"imported_{secrets.token_hex(3)}"
    mapper = {
        "name": "managers",
        "identityProviderAlias": "up",
        "identityProviderMapper": "keycloak-oidc-role-to-role-idp-mapper",
        "config": {"external.role": "manager", "role": "app-admin", "syncMode": "FORCE"},
    }
    rep = {
        "realm": name,
        "enabled": True,
        "roles": {"realm": [{"name": "app-admin"}]},
        "identityProviders": [
            {
                "alias": "up",
                "providerId": "keycloak-oidc",
                "config": {"authorizationUrl": "https://up.test/auth", "tokenUrl": "https://up.test/token"},
            }
        ],
        "identityProviderMappers": [mapper],
    }
    admin.call("POST", "", rep, expect=201)
    listed = admin.call("GET", f"/{name}/identity-provider/instances/up/mappers", expect=200).json()
    assert [{k: v for k, v in m.items() if k != "id"} for m in listed] == [mapper]


def test_partial_import_of_mappers(master: ServerProcess, slave: ServerProcess) -> None:
    realm = new_master_realm(master, slave)
    mapper = {
        "name": "managers",
        "identityProviderAlias": ALIAS,
        "identityProviderMapper": "keycloak-oidc-role-to-role-idp-mapper",
        "config": {"external.role": "manager", "role": "app-admin"},
    }
    url = f"{realm.path}/partialImport"
    added = realm.admin.call("POST", url, {"identityProviderMappers": [mapper]}, expect=200).json()
    assert [(r["action"], r["resourceType"], r["resourceName"]) for r in added["results"]] == [
        ("ADDED", "IDP_MAPPER", "managers")
    ]
    again = {"ifResourceExists": "FAIL", "identityProviderMappers": [mapper]}
    realm.admin.call("POST", url, again, expect=409)
    changed = {**mapper, "config": {"external.role": "manager", "role": "viewer"}}
    overwrite = {"ifResourceExists": "OVERWRITE", "identityProviderMappers": [changed]}
    assert realm.admin.call("POST", url, overwrite, expect=200).json()["overwritten"] == 1
    listed = realm.admin.call("GET", f"{_base(realm)}/mappers", expect=200).json()
    assert [(m["name"], m["config"]["role"]) for m in listed] == [("managers", "viewer")]
    orphan = {"identityProviderMappers": [{**mapper, "name": "x", "identityProviderAlias": "nope"}]}
    realm.admin.call("POST", url, orphan, expect=400)
