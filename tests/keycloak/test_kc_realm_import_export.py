"""Realm import/export against a real store: a Keycloak-style realm file, built-ins added,
all-or-nothing errors with JSON paths, and import -> export -> import -> export as a fixed point."""

from __future__ import annotations

import base64
import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.keycloak.kc_facts import DEFAULT_CLIENT_SCOPES

from realmgate.crypto import jws
from realmgate.crypto.passwords import verify_password
from realmgate.crypto.realm_keys import keycloak_key_id
from realmgate.crypto.secrets import SYSTEM
from realmgate.keycloak.realm_export import RealmNotFound, export_realm
from realmgate.keycloak.realm_import import RealmFileError, import_realm
from realmgate.store.interface import Store

NOW = 1_700_000_000
REALM_FILE = Path(__file__).parents[1] / "data" / "realms" / "acme-realm.json"


def _realm_file() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REALM_FILE.read_text())
    return data


async def _import(store: Store, rep: dict[str, Any], source: str = "acme-realm.json") -> None:
    async with store.tx() as tx:
        await import_realm(tx, rep, source=source, now=NOW, ids=SYSTEM)


async def _export(store: Store, name: str = "acme") -> dict[str, object]:
    async with store.tx() as tx:
        return await export_realm(tx, name, include_users=True)


async def test_import_keycloak_realm_file(store: Store) -> None:
    await _import(store, _realm_file())
    async with store.tx() as tx:
        realm = await tx.realms.get_by_name("acme")
        assert realm is not None
        assert (realm.id, realm.display_name, realm.access_token_lifespan) == (
            "9d6c1f4e-6a8b-4d1e-9f3a-2b7c5e8d1a00",
            "ACME Corp",
            600,
        )
        assert realm.remember_me and realm.reset_password_allowed
        clients = {c.client_id: c for c in await tx.clients.list(realm.id)}
        # Built-ins the file leaves out are added, like Keycloak does.
        assert {"account", "account-console", "admin-cli", "broker", "realm-management"} <= set(clients)
        assert clients["webapp"].secret == "webapp-secret-0123456789abcdefghij"
        assert clients["webapp"].protocol_mappers[0].id == "e5f6a7b8-7777-4d8e-9f0a-000000000001"
        assert clients["spa"].secret is None
        # No clientScopes in the file: Keycloak's built-in scopes and realm defaults are added.
        scope_names = {s.name for s in await tx.client_scopes.list(realm.id)}
        assert {"profile", "email", "roles", "basic", "web-origins"} <= scope_names
        assert "profile" in realm.default_default_client_scopes
        assert clients["spa"].default_client_scopes == DEFAULT_CLIENT_SCOPES

        admin = await tx.roles.get_realm_role(realm.id, "app-admin")
        editor = await tx.roles.get_client_role(realm.id, clients["webapp"].id, "editor")
        viewer = await tx.roles.get_client_role(realm.id, clients["webapp"].id, "viewer")
        app_user = await tx.roles.get_realm_role(realm.id, "app-user")
        assert admin and editor and viewer and app_user
        assert set(admin.composite_ids) == {app_user.id, editor.id}
        assert editor.composite_ids == (viewer.id,)
        assert admin.attributes == {"tier": ("gold",)}
        assert realm.default_role_id == "0b5a6f3e-1111-4c2a-8d3e-000000000003"
        assert set(clients["spa"].scope_role_ids) == {app_user.id, viewer.id}

        alice = await tx.users.get_by_username(realm.id, "alice")
        bob = await tx.users.get_by_username(realm.id, "bob")
        robot = await tx.users.get_by_username(realm.id, "service-account-backend-service")
        assert alice and bob and robot
        assert robot.service_account_client_id == clients["backend-service"].id
        assert bob.email == "bob@acme.example" and bob.required_actions == ("UPDATE_PASSWORD",)
        [alice_cred] = await tx.credentials.list(alice.id)
        assert alice_cred.id == "d4e5f6a7-6666-4c7d-9e8f-000000000001"
        assert alice_cred.created_date == 1700000000456
        assert verify_password("alice-password", alice_cred.secret_data, alice_cred.credential_data)
        [bob_cred] = await tx.credentials.list(bob.id)
        assert json.loads(bob_cred.credential_data)["algorithm"] == "argon2"
        assert verify_password("bob-initial", bob_cred.secret_data, bob_cred.credential_data)
        assert set(await tx.users.role_ids(realm.id, alice.id)) == {
            realm.default_role_id,
            admin.id,
            editor.id,
        }
        groups = {g.name: g for g in await tx.groups.list(realm.id)}
        assert groups["engineering"].parent_id == groups["staff"].id
        assert set(groups["engineering"].role_ids) == {app_user.id, viewer.id}
        assert await tx.users.group_ids(realm.id, alice.id) == [groups["engineering"].id]
        [link] = await tx.federated_identities.list_for_user(realm.id, alice.id)
        assert (link.identity_provider, link.idp_user_id, link.idp_username) == (
            "upstream",
            "up-123",
            "alice.l",
        )

        idp = await tx.identity_providers.get(realm.id, "upstream")
        assert idp is not None and idp.hide_on_login and idp.trust_email
        assert "hideOnLoginPage" not in idp.config and "prompt" not in idp.config
        [mapper] = await tx.idp_mappers.list(realm.id, "upstream")
        assert mapper.config["role"] == "app-admin"
        assert len(await tx.keys.list(realm.id)) == 4


async def test_export_import_round_trip_is_a_fixed_point(store: Store) -> None:
    await _import(store, _realm_file())
    first = await _export(store)
    async with store.tx() as tx:
        realm = await tx.realms.get_by_name("acme")
        assert realm is not None
        await tx.realms.delete(realm.id)
    await _import(store, json.loads(json.dumps(first)), source="export.json")
    second = await _export(store)
    assert second == first
    # Keycloak's shapes in the export.
    users = {u["username"]: u for u in first["users"]}  # type: ignore[attr-defined]
    alice = users["alice"]
    assert alice["credentials"][0]["secretData"] == _realm_file()["users"][0]["credentials"][0]["secretData"]
    assert alice["groups"] == ["/staff/engineering"]
    assert alice["clientRoles"] == {"webapp": ["editor"]}
    assert users["service-account-backend-service"]["serviceAccountClientId"] == "backend-service"
    roles: Any = first["roles"]
    admin = next(r for r in roles["realm"] if r["name"] == "app-admin")
    assert admin["composites"] == {"realm": ["app-user"], "client": {"webapp": ["editor"]}}
    assert "realm-management" in roles["client"]
    assert first["defaultRole"]["name"] == "default-roles-acme"  # type: ignore[index]
    assert {"client": "spa", "roles": ["app-user"]} in first["scopeMappings"]  # type: ignore[operator]
    assert first["clientScopeMappings"]["webapp"] == [{"client": "spa", "roles": ["viewer"]}]  # type: ignore[index]
    groups: Any = first["groups"]
    assert groups[0]["subGroups"][0]["path"] == "/staff/engineering"
    assert first["identityProviders"][0]["hideOnLogin"] is True  # type: ignore[index]
    components: Any = first["components"]
    assert {c["providerId"] for c in components["org.keycloak.keys.KeyProvider"]} == {
        "rsa-generated",
        "rsa-enc-generated",
        "hmac-generated",
        "aes-generated",
    }


async def test_export_without_users_and_unknown_realm(store: Store) -> None:
    await _import(store, _realm_file())
    async with store.tx() as tx:
        rep = await export_realm(tx, "acme", include_users=False)
        assert "users" not in rep
        with pytest.raises(RealmNotFound):
            await export_realm(tx, "nope", include_users=False)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda r: r["users"][1]["credentials"].__setitem__(0, {"type": "otp", "value": "123"}),
            "acme-realm.json: $.users[1].credentials[0].type: unknown credential type",
        ),
        (
            lambda r: r["roles"]["realm"][0]["composites"].__setitem__("realm", ["missing-role"]),
            "acme-realm.json: $.roles.realm[0].composites.realm: unknown realm role missing-role",
        ),
        (
            lambda r: r["users"][0].__setitem__("groups", ["/nowhere"]),
            "acme-realm.json: $.users[0].groups: no group /nowhere",
        ),
        (
            lambda r: r.__setitem__("accessTokenLifespan", "soon"),
            "acme-realm.json: $.accessTokenLifespan: must be a number",
        ),
        (
            lambda r: r["identityProviderMappers"][0].__setitem__("identityProviderAlias", "ghost"),
            "acme-realm.json: $.identityProviderMappers[0].identityProviderAlias: no such identity provider",
        ),
        (
            lambda r: r["users"][0]["federatedIdentities"][0].__setitem__("identityProvider", "ghost"),
            "acme-realm.json: $.users[0].federatedIdentities[0].identityProvider: no such identity provider",
        ),
        (
            lambda r: r.__setitem__("passwordPolicy", "hashAlgorithm(md5) and length(8)"),
            "acme-realm.json: $.passwordPolicy: Invalid config for hashAlgorithm: Password hashing provider",
        ),
        (
            lambda r: r["users"].append({"username": "alice"}),
            "acme-realm.json: $.users[3]:",
        ),
    ],
)
async def test_errors_are_located_and_nothing_is_kept(store: Store, mutate: Any, message: str) -> None:
    rep = copy.deepcopy(_realm_file())
    mutate(rep)
    with pytest.raises(RealmFileError) as err:
        await _import(store, rep)
    assert str(err.value).startswith(message)
    async with store.tx() as tx:
        assert await tx.realms.get_by_name("acme") is None


async def test_unknown_fields_are_warned_without_values(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    rep = _realm_file()
    rep["someFutureSetting"] = "top-secret-value"
    rep["clients"][0]["futureClientField"] = True
    with caplog.at_level(logging.WARNING, logger="realmgate.keycloak.import"):
        await _import(store, rep)
    text = caplog.text
    assert "$: unknown field 'someFutureSetting'" in text
    assert "$.clients[0]: unknown field 'futureClientField'" in text
    assert "top-secret-value" not in text and "bruteForceProtected" not in text


async def test_minimal_realm_gets_a_fresh_realms_contents(store: Store) -> None:
    async with store.tx() as tx:
        realm = await import_realm(tx, {"realm": "mini", "enabled": True}, source="body", now=NOW, ids=SYSTEM)
        assert len(await tx.clients.list(realm.id)) == 6
        assert len(await tx.client_scopes.list(realm.id)) == 11
        assert realm.default_role_id is not None
    with pytest.raises(RealmFileError, match=r"body: \$.realm: a realm name is required"):
        async with store.tx() as tx:
            await import_realm(tx, {"enabled": True}, source="body", now=NOW, ids=SYSTEM)


async def test_imported_users_without_roles_get_the_default_roles(store: Store) -> None:
    """A user that names no ``realmRoles`` gets ``default-roles-{realm}``, as every new user
    does; one that lists its roles (an export always does) gets exactly those."""
    rep = {
        "realm": "defaults",
        "enabled": True,
        "roles": {"realm": [{"name": "editor"}]},
        "users": [{"username": "plain", "enabled": True}, {"username": "listed", "realmRoles": ["editor"]}],
    }
    async with store.tx() as tx:
        realm = await import_realm(tx, rep, source="body", now=NOW, ids=SYSTEM)
        names = {}
        for username in ("plain", "listed"):
            user = await tx.users.get_by_username(realm.id, username)
            assert user is not None
            roles = [await tx.roles.get(realm.id, rid) for rid in await tx.users.role_ids(realm.id, user.id)]
            names[username] = {r.name for r in roles if r is not None}
    assert names == {"plain": {"default-roles-defaults"}, "listed": {"editor"}}


async def test_keycloak_key_components_are_imported(store: Store) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    secret = base64.urlsafe_b64encode(b"k" * 64).rstrip(b"=").decode()
    rep = {
        "realm": "keyed",
        "components": {
            "org.keycloak.keys.KeyProvider": [
                {
                    "id": "c1",
                    "name": "rsa-generated",
                    "providerId": "rsa-generated",
                    "subComponents": {},
                    "config": {"privateKey": [base64.b64encode(der).decode()], "priority": ["100"]},
                },
                {
                    "id": "c2",
                    "name": "hmac-generated",
                    "providerId": "hmac-generated",
                    "subComponents": {},
                    "config": {
                        "kid": ["hmac-kid"],
                        "secret": [secret],
                        "algorithm": ["HS512"],
                        "priority": ["100"],
                    },
                },
            ],
            "org.keycloak.userprofile.UserProfileProvider": [{"providerId": "declarative-user-profile"}],
        },
    }
    async with store.tx() as tx:
        realm = await import_realm(tx, rep, source="keys.json", now=NOW, ids=SYSTEM)
        keys = {k.algorithm: k for k in await tx.keys.list(realm.id)}
    assert set(keys) == {"RS256", "HS512"}  # file keys replace the generated defaults
    assert keys["RS256"].kid == keycloak_key_id(public_pem)
    token = jws.sign({"sub": "x"}, keys["RS256"])
    assert jws.verify(token, list(keys.values()), algorithms={"RS256"}) == {"sub": "x"}
    assert keys["HS512"].kid == "hmac-kid" and keys["HS512"].private_material == secret
    async with store.tx() as tx:
        exported: Any = await export_realm(tx, "keyed", include_users=False)
    configs = {c["providerId"]: c["config"] for c in exported["components"]["org.keycloak.keys.KeyProvider"]}
    assert configs["rsa-generated"]["privateKey"] == [base64.b64encode(der).decode()]
    assert "kid" not in configs["rsa-generated"]  # Keycloak's derivation gives it back


async def test_legacy_default_roles_are_migrated(store: Store) -> None:
    rep = {
        "realm": "old",
        "roles": {"realm": [{"name": "member"}]},
        "defaultRoles": ["offline_access", "member"],
        "clients": [{"clientId": "portal", "publicClient": True, "defaultRoles": ["reader"]}],
        "users": [{"username": "u", "realmRoles": ["member"]}],
    }
    rep["roles"]["client"] = {"portal": [{"name": "reader"}]}  # type: ignore[index]
    async with store.tx() as tx:
        realm = await import_realm(tx, rep, source="old.json", now=NOW, ids=SYSTEM)
        assert realm.default_role_id is not None
        default = await tx.roles.get(realm.id, realm.default_role_id)
        index = {r.id: r.name for r in await tx.roles.list_all(realm.id)}
    assert default is not None and default.name == "default-roles-old"
    assert {index[i] for i in default.composite_ids} >= {
        "offline_access",
        "uma_authorization",
        "view-profile",
        "manage-account",
        "member",
        "reader",
    }


async def test_native_realm_round_trip_keeps_key_ids(store: Store) -> None:
    from realmgate.crypto.realm_keys import generate_ec_key
    from realmgate.keycloak.defaults import create_realm

    async with store.tx() as tx:
        realm = await create_realm(tx, "native", now=NOW, ids=SYSTEM)
        await tx.keys.add(generate_ec_key(realm.id, now=NOW))
        before = {k.kid: k for k in await tx.keys.list(realm.id)}
    first = await _export(store, "native")
    async with store.tx() as tx:
        await tx.realms.delete(realm.id)
    await _import(store, json.loads(json.dumps(first)), source="native.json")
    assert await _export(store, "native") == first
    async with store.tx() as tx:
        after = {k.kid: k for k in await tx.keys.list(realm.id)}
    assert set(after) == set(before)  # tokens signed before the move still find their key
    for kid, key in before.items():
        assert (after[kid].algorithm, after[kid].private_material) == (key.algorithm, key.private_material)


async def test_file_with_own_client_scopes_gets_only_offline_access_added(store: Store) -> None:
    rep = {
        "realm": "scoped",
        "clientScopes": [
            {
                "name": "custom",
                "protocol": "openid-connect",
                "attributes": {"include.in.token.scope": "true"},
                "protocolMappers": [
                    {
                        "name": "sub",
                        "protocol": "openid-connect",
                        "protocolMapper": "oidc-sub-mapper",
                        "consentRequired": False,
                        "config": {"access.token.claim": "true"},
                    }
                ],
            }
        ],
        "defaultDefaultClientScopes": ["custom"],
        "clients": [{"clientId": "app", "secret": "s"}],
    }
    async with store.tx() as tx:
        realm = await import_realm(tx, rep, source="scoped.json", now=NOW, ids=SYSTEM)
        names = {s.name for s in await tx.client_scopes.list(realm.id)}
        app = await tx.clients.get_by_client_id(realm.id, "app")
    assert names == {"custom", "offline_access"}  # Keycloak's setupOfflineTokens, nothing more
    assert realm.default_default_client_scopes == ("custom",)
    assert app is not None and app.default_client_scopes == ("custom",)


async def test_partial_export_masks_are_not_taken_as_secrets(store: Store) -> None:
    rep = {
        "realm": "partial",
        "clients": [{"clientId": "app", "secret": "**********"}],
        "components": {
            "org.keycloak.keys.KeyProvider": [
                {"providerId": "hmac-generated", "config": {"kid": ["k"], "secret": ["**********"]}}
            ]
        },
    }
    async with store.tx() as tx:
        realm = await import_realm(tx, rep, source="partial.json", now=NOW, ids=SYSTEM)
        app = await tx.clients.get_by_client_id(realm.id, "app")
        keys = await tx.keys.list(realm.id)
    assert app is not None and app.secret and app.secret != "**********" and len(app.secret) == 32
    assert "k" not in {k.kid for k in keys} and len(keys) == 4  # fresh keys instead


async def test_roles_of_unlisted_builtin_clients(store: Store) -> None:
    rep = {
        "realm": "handwritten",
        "roles": {"client": {"account": [{"name": "extra-account-role"}]}},
        "users": [{"username": "u", "clientRoles": {"account": ["extra-account-role", "view-profile"]}}],
    }
    async with store.tx() as tx:
        realm = await import_realm(tx, rep, source="hand.json", now=NOW, ids=SYSTEM)
        account = await tx.clients.get_by_client_id(realm.id, "account")
        assert account is not None and account.public_client
        names = {r.name for r in await tx.roles.list_client_roles(realm.id, account.id)}
        user = await tx.users.get_by_username(realm.id, "u")
        assert user is not None
        granted = set(await tx.users.role_ids(realm.id, user.id))
    assert {"extra-account-role", "view-profile", "manage-account"} <= names
    assert len(granted) == 2


async def test_service_account_user_is_created_when_the_file_lists_none(store: Store) -> None:
    rep = {
        "realm": "robots",
        "clients": [{"clientId": "worker", "secret": "s3cret", "serviceAccountsEnabled": True}],
    }
    await _import(store, rep, source="robots.json")
    async with store.tx() as tx:
        realm = await tx.realms.get_by_name("robots")
        assert realm is not None and realm.default_role_id
        worker = await tx.clients.get_by_client_id(realm.id, "worker")
        assert worker is not None
        robot = await tx.users.get_service_account(realm.id, worker.id)
        assert robot is not None and robot.username == "service-account-worker"
        assert realm.default_role_id in await tx.users.role_ids(realm.id, robot.id)


async def test_service_account_name_taken_by_a_user_is_a_located_error(store: Store) -> None:
    rep = {
        "realm": "robots",
        "clients": [{"clientId": "worker", "secret": "s3cret", "serviceAccountsEnabled": True}],
        "users": [{"username": "service-account-worker", "enabled": True}],
    }
    with pytest.raises(RealmFileError, match=r"robots\.json: \$\.users: .*service account"):
        await _import(store, rep, source="robots.json")
    async with store.tx() as tx:
        assert await tx.realms.get_by_name("robots") is None
