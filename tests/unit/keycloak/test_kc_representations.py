"""Keycloak JSON <-> model: field names, types, unknown fields, ids, nested mappers, roles."""

from __future__ import annotations

import json

import pytest

from realmgate.crypto.passwords import verify_password
from realmgate.crypto.secrets import SYSTEM
from realmgate.keycloak.representations import (
    RepresentationError,
    client_from_rep,
    client_scope_from_rep,
    client_scope_to_rep,
    client_to_rep,
    composite_ids_from_rep,
    composites_to_rep,
    credential_from_rep,
    credential_to_rep,
    federated_identity_from_rep,
    federated_identity_to_rep,
    group_from_rep,
    group_to_rep,
    identity_provider_from_rep,
    identity_provider_to_rep,
    idp_mapper_from_rep,
    idp_mapper_to_rep,
    realm_from_rep,
    realm_to_rep,
    role_from_rep,
    role_ids_from_names,
    role_to_rep,
    user_from_rep,
    user_to_rep,
)
from realmgate.model.client import Client, ClientScope, ProtocolMapper
from realmgate.model.identity_provider import IdentityProvider, IdentityProviderMapper
from realmgate.model.realm import Realm
from realmgate.model.role import Group, Role
from realmgate.model.user import User


def test_realm_rep_names_and_partial_update() -> None:
    realm = Realm(id="r1", name="demo", display_name="Demo", attributes={"frontendUrl": "x"})
    rep = realm_to_rep(realm)
    assert rep["realm"] == "demo" and rep["id"] == "r1"
    assert rep["accessTokenLifespan"] == 300 and rep["ssoSessionIdleTimeout"] == 1800
    assert rep["displayName"] == "Demo" and rep["attributes"] == {"frontendUrl": "x"}
    assert "passwordPolicy" not in rep  # None is omitted, as Keycloak's NON_NULL
    assert "defaultRoleId" not in rep and "default_role_id" not in rep
    updated, unknown = realm_from_rep(
        {"accessTokenLifespan": 60, "bruteForceProtected": True, "users": [], "fooBar": 1, "id": "evil"},
        realm,
    )
    assert updated.access_token_lifespan == 60 and updated.display_name == "Demo"
    assert updated.id == "r1"  # ids are not taken from a body unless asked
    assert unknown == ["fooBar"]
    assert realm_from_rep({"id": "r2"}, realm, with_id=True)[0].id == "r2"


def test_realm_rep_type_errors_name_the_field() -> None:
    realm = Realm(id="r1", name="demo")
    with pytest.raises(RepresentationError) as err:
        realm_from_rep({"accessTokenLifespan": "soon"}, realm)
    assert err.value.field == "accessTokenLifespan"
    with pytest.raises(RepresentationError):
        realm_from_rep({"enabled": "yes"}, realm)
    with pytest.raises(RepresentationError):
        realm_from_rep({"defaultDefaultClientScopes": "profile"}, realm)
    # Keycloak accepts numeric strings and "true"/"false" for typed fields.
    assert realm_from_rep({"accessTokenLifespan": "90", "enabled": "false"}, realm)[0].access_token_lifespan == 90


def test_client_round_trip_with_mappers_and_scopes() -> None:
    mapper = ProtocolMapper(
        id="m1",
        name="aud",
        protocol_mapper="oidc-audience-mapper",
        config={"included.client.audience": "api"},
    )
    client = Client(
        id="c1",
        realm_id="r1",
        client_id="app",
        secret="s3",
        redirect_uris=("https://app/*",),
        attributes={"pkce.code.challenge.method": "S256"},
        protocol_mappers=(mapper,),
        default_client_scopes=("profile", "email"),
        optional_client_scopes=("address",),
    )
    rep = client_to_rep(client)
    assert rep["clientId"] == "app" and rep["redirectUris"] == ["https://app/*"]
    assert rep["protocolMappers"] == [
        {
            "id": "m1",
            "name": "aud",
            "protocolMapper": "oidc-audience-mapper",
            "protocol": "openid-connect",
            "config": {"included.client.audience": "api"},
        }
    ]
    assert rep["defaultClientScopes"] == ["profile", "email"]
    assert "realmId" not in rep and "scopeRoleIds" not in rep
    blank = Client(id="c1", realm_id="r1", client_id="")
    same, unknown = client_from_rep(json.loads(json.dumps(rep)), blank, with_id=True, ids=SYSTEM)
    assert same == client and unknown == []
    fresh, _ = client_from_rep(rep, blank, ids=SYSTEM)
    assert fresh.protocol_mappers[0].id != "m1"  # nested mappers get new ids without with_id
    with pytest.raises(RepresentationError) as err:
        client_from_rep({"clientId": "x", "protocolMappers": [{"name": "n"}]}, blank, ids=SYSTEM)
    assert err.value.field == "protocolMappers[0].protocolMapper"
    with pytest.raises(RepresentationError):
        client_from_rep({"publicClient": True}, blank, ids=SYSTEM)  # clientId required
    assert client_from_rep({"clientId": "x", "authorizationServicesEnabled": False, "zzz": 1}, blank, ids=SYSTEM)[
        1
    ] == ["zzz"]


def test_client_scope_rep() -> None:
    scope = ClientScope(
        id="s1",
        realm_id="r1",
        name="email",
        attributes={"include.in.token.scope": "true"},
        protocol_mappers=(ProtocolMapper(id="m", name="email", protocol_mapper="oidc-usermodel-property-mapper"),),
    )
    rep = client_scope_to_rep(scope)
    assert rep["name"] == "email"
    assert rep["protocolMappers"] == [
        {
            "id": "m",
            "name": "email",
            "protocol": "openid-connect",
            "protocolMapper": "oidc-usermodel-property-mapper",
            "config": {},
        }
    ]
    assert (
        client_scope_from_rep(rep, ClientScope(id="s1", realm_id="r1", name=""), with_id=True, ids=SYSTEM)[0] == scope
    )


def test_user_rep_lowercases_and_handles_attributes() -> None:
    base = User(id="u1", realm_id="r1", username="")
    user, unknown = user_from_rep(
        {
            "username": "Alice",
            "email": "Alice@Example.COM",
            "firstName": "Alice",
            "attributes": {"dept": ["a", "b"], "single": "x"},
            "requiredActions": ["UPDATE_PASSWORD"],
            "credentials": [{"type": "password", "value": "pw"}],
            "realmRoles": ["x"],
            "totp": False,
            "nonsense": 1,
        },
        base,
    )
    assert (user.username, user.email, user.first_name) == ("alice", "alice@example.com", "Alice")
    assert user.attributes == {"dept": ("a", "b"), "single": ("x",)}
    assert unknown == ["nonsense"]
    rep = user_to_rep(user)
    assert rep["attributes"] == {"dept": ["a", "b"], "single": ["x"]}
    assert rep["emailVerified"] is False and rep["requiredActions"] == ["UPDATE_PASSWORD"]
    assert "serviceAccountClientId" not in rep
    with pytest.raises(RepresentationError):
        user_from_rep({"email": "a@b"}, base)


def test_credential_hashed_is_copied_and_plain_is_hashed() -> None:
    keycloak_rep = {
        "id": "cred-1",
        "type": "password",
        "userLabel": "My password",
        "createdDate": 1700000000000,
        "secretData": '{"value":"abc=","salt":"c2FsdA==","additionalParameters":{}}',
        "credentialData": '{"hashIterations":27500,"algorithm":"pbkdf2-sha256","additionalParameters":{}}',
        "priority": 10,
    }
    parsed = credential_from_rep(keycloak_rep, "u1", now_ms=5, with_id=True, ids=SYSTEM)
    assert parsed.credential.secret_data == keycloak_rep["secretData"]
    assert parsed.credential.created_date == 1700000000000 and not parsed.temporary
    assert credential_to_rep(parsed.credential) == keycloak_rep
    plain = credential_from_rep(
        {"type": "password", "value": "pw", "temporary": True},
        "u1",
        now_ms=7,
        policy="hashAlgorithm(pbkdf2-sha256) and hashIterations(10)",
        ids=SYSTEM,
    )
    assert plain.temporary and plain.credential.created_date == 7
    assert json.loads(plain.credential.credential_data)["algorithm"] == "pbkdf2-sha256"
    assert verify_password("pw", plain.credential.secret_data, plain.credential.credential_data)
    assert "value" not in credential_to_rep(plain.credential)
    with pytest.raises(RepresentationError, match="unknown credential type"):
        credential_from_rep({"type": "otp", "value": "1"}, "u1", now_ms=0, ids=SYSTEM)
    with pytest.raises(RepresentationError, match="unsupported"):
        credential_from_rep(
            {**keycloak_rep, "credentialData": '{"hashIterations":1,"algorithm":"md5"}'}, "u1", now_ms=0, ids=SYSTEM
        )


def test_federated_identity_rep() -> None:
    link, unknown = federated_identity_from_rep(
        {"identityProvider": "up", "userId": "sub-1", "userName": "bob", "x": 1}, realm_id="r1", user_id="u1"
    )
    assert unknown == ["x"]
    assert (link.identity_provider, link.idp_user_id, link.idp_username) == ("up", "sub-1", "bob")
    assert federated_identity_to_rep(link) == {"identityProvider": "up", "userId": "sub-1", "userName": "bob"}
    with pytest.raises(RepresentationError):
        federated_identity_from_rep({"userId": "x"}, realm_id="r1", user_id="u1")


ROLES = {
    "r-admin": (None, "admin"),
    "r-user": (None, "user"),
    "c-view": ("account", "view-profile"),
    "c-manage": ("account", "manage-account"),
}


def _resolver(client_id: str | None, name: str) -> str | None:
    return next((rid for rid, key in ROLES.items() if key == (client_id, name)), None)


def test_role_rep_and_composites_by_name() -> None:
    role = Role(id="r-admin", realm_id="r1", name="admin", composite_ids=("c-view", "r-user", "c-manage"))
    rep = role_to_rep(role, container_id="r1")
    assert rep == {
        "id": "r-admin",
        "name": "admin",
        "attributes": {},
        "composite": True,
        "clientRole": False,
        "containerId": "r1",
    }
    composites = composites_to_rep(role.composite_ids, ROLES.get)
    assert composites == {"realm": ["user"], "client": {"account": ["manage-account", "view-profile"]}}
    assert set(composite_ids_from_rep(composites, _resolver)) == {"c-view", "r-user", "c-manage"}
    with pytest.raises(RepresentationError, match="unknown client account role nope"):
        composite_ids_from_rep({"client": {"account": ["nope"]}}, _resolver)
    parsed, unknown = role_from_rep({**rep, "composites": composites}, Role(id="x", realm_id="r1", name=""))
    assert parsed.name == "admin" and parsed.id == "x" and unknown == []
    assert role_ids_from_names(["user", "user"], None, _resolver) == ("r-user",)


def test_group_rep() -> None:
    group = Group(
        id="g2",
        realm_id="r1",
        name="child",
        parent_id="g1",
        role_ids=("r-user", "c-view"),
        attributes={"k": ("v",)},
    )
    rep = group_to_rep(group, path="/parent/child", namer=ROLES.get)
    assert rep["path"] == "/parent/child" and rep["subGroups"] == [] and rep["parentId"] == "g1"
    assert rep["realmRoles"] == ["user"] and rep["clientRoles"] == {"account": ["view-profile"]}
    parsed, unknown = group_from_rep(rep, Group(id="new", realm_id="r1", name=""))
    assert (parsed.name, parsed.attributes, parsed.id) == ("child", {"k": ("v",)}, "new")
    assert unknown == []


def test_identity_provider_rep_migrates_legacy_and_drops_empty_config() -> None:
    base = IdentityProvider(internal_id="i1", realm_id="r1", alias="", provider_id="")
    rep = {
        "alias": "slave",
        "displayName": "Login with slave",
        "providerId": "keycloak-oidc",
        "enabled": True,
        "authenticateByDefault": False,
        "config": {
            "clientId": "idp_client",
            "hideOnLoginPage": "true",
            "prompt": "",
            "validateSignature": False,
        },
    }
    idp, unknown = identity_provider_from_rep(rep, base)
    assert idp.hide_on_login is True and unknown == []
    assert idp.config == {"clientId": "idp_client", "validateSignature": "false"}
    assert idp.internal_id == "i1"
    out = identity_provider_to_rep(idp)
    assert out["hideOnLogin"] is True and out["internalId"] == "i1"
    assert out["firstBrokerLoginFlowAlias"] == "first broker login"
    explicit, _ = identity_provider_from_rep({**rep, "hideOnLogin": False}, base)
    assert explicit.hide_on_login is False
    with pytest.raises(RepresentationError):
        identity_provider_from_rep({"alias": "x"}, base)


def test_idp_mapper_rep() -> None:
    rep = {
        "id": "m1",
        "name": "role",
        "identityProviderAlias": "slave",
        "identityProviderMapper": "oidc-role-idp-mapper",
        "config": {"claim": "roles", "role": "admin", "syncMode": "INHERIT"},
    }
    mapper, unknown = idp_mapper_from_rep(
        rep,
        IdentityProviderMapper(id="", realm_id="r1", name="", identity_provider_alias="", identity_provider_mapper=""),
        with_id=True,
    )
    assert idp_mapper_to_rep(mapper) == rep and unknown == []
