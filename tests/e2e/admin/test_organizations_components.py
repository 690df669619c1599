"""Organizations and components through a real server (SQLite and PostgreSQL, as the admin
fixtures run), error texts included."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from keycloak.exceptions import KeycloakError

from keycloak import KeycloakAdmin


def _error(call: Callable[[], object]) -> tuple[int, bytes]:
    with pytest.raises(KeycloakError) as err:
        call()
    return err.value.response_code or 0, err.value.response_body or b""


def test_organizations_need_the_realm_switch_and_keep_keycloak_rules(kc: KeycloakAdmin, realm: str) -> None:
    kc.change_current_realm(realm)
    code, body = _error(lambda: kc.get_organizations())
    assert (code, body) == (404, b'{"errorMessage":"Organizations not enabled for this realm."}')
    kc.update_realm(realm, {"organizationsEnabled": True})
    org_id = kc.create_organization({"name": "acme", "domains": [{"name": "Acme.com"}], "attributes": {"k": ["v"]}})
    assert org_id is not None  # python-keycloak types the new id as optional
    org = kc.get_organization(org_id)
    assert org["alias"] == "acme" and org["domains"] == [{"name": "acme.com", "verified": False}]
    assert org["attributes"] == {"k": ["v"]}
    assert _error(lambda: kc.create_organization({"name": "acme"}))[0] == 409
    code, body = _error(lambda: kc.create_organization({"name": "other", "domains": [{"name": "acme.com"}]}))
    assert code == 400 and b"is already linked to another organization" in body
    assert _error(lambda: kc.create_organization({"name": "bad", "domains": [{"name": "no domain"}]}))[0] == 400
    assert _error(lambda: kc.create_organization({"name": "x", "wrong": 1}))[1].startswith(b'{"error":"Unrecognized')
    code, body = _error(lambda: kc.update_organization(org_id, {**org, "alias": "changed"}))
    assert (code, body) == (400, b'{"errorMessage":"Cannot change the alias"}')
    assert [o["name"] for o in kc.get_organizations({"search": "acme.c", "first": 0, "max": 5})] == ["acme"]
    assert kc.get_organizations({"q": "k:v", "first": 0, "max": 5})[0]["id"] == org_id
    user_id = kc.create_user({"username": "member"})
    assert _error(lambda: kc.organization_user_add("nobody", org_id))[0] == 400
    kc.organization_user_add(user_id, org_id)
    assert _error(lambda: kc.organization_user_add(user_id, org_id))[0] == 409
    assert kc.get_organization_members(org_id)[0]["membershipType"] == "UNMANAGED"
    kc.delete_user(user_id)  # the membership goes with the user
    assert kc.get_organization_members_count(org_id) == 0
    kc.delete_organization(org_id)
    code, body = _error(lambda: kc.get_organization(org_id))
    assert (code, body) == (404, b'{"errorMessage":"Organization not found."}')


def test_components_show_defaults_and_act_on_keys(kc: KeycloakAdmin, realm: str) -> None:
    kc.change_current_realm(realm)
    components = kc.get_components()
    policies = [c for c in components if c["providerType"].endswith("ClientRegistrationPolicy")]
    assert len(policies) == 8 and len(components) == 12
    assert all(c["config"]["privateKey"] == ["**********"] for c in components if "privateKey" in c["config"])
    key_id = kc.create_component(
        {
            "name": "extra",
            "providerId": "rsa-generated",
            "providerType": "org.keycloak.keys.KeyProvider",
            "config": {"priority": ["500"], "algorithm": ["RS384"]},
        }
    )
    assert any(k["kid"] == key_id and k["algorithm"] == "RS384" for k in kc.get_keys()["keys"]), (key_id, kc.get_keys())
    assert kc.get_keys()["active"]["RS384"] == key_id
    kc.delete_component(key_id)
    assert all(k["kid"] != key_id for k in kc.get_keys()["keys"])
    code, body = _error(lambda: kc.create_component({"name": "x", "providerId": "nope", "providerType": "nope"}))
    assert (code, body) == (400, b'{"error":"Invalid provider type or no such provider"}')
    assert _error(lambda: kc.get_component("missing"))[0] == 404
