"""A fresh realm has Keycloak's roles, clients, client scopes, default role and keys."""

from __future__ import annotations

from tests.keycloak.kc_facts import DEFAULT_CLIENT_SCOPES

from realmgate.crypto.realm_keys import active_key
from realmgate.crypto.secrets import SYSTEM
from realmgate.keycloak.defaults import create_realm, ensure_realm_admin_client, new_client
from realmgate.model.role import Role
from realmgate.store.interface import Store

NOW = 1_700_000_000


async def _role_names(store: Store, realm_id: str, ids: tuple[str, ...]) -> set[str]:
    async with store.tx() as tx:
        roles = await tx.roles.get_many(realm_id, list(ids))
        clients = {c.id: c.client_id for c in await tx.clients.list(realm_id)}
    return {f"{clients[r.client_id]}/{r.name}" if r.client_id else r.name for r in roles}


async def test_fresh_realm_contents(store: Store) -> None:
    async with store.tx() as tx:
        realm = await create_realm(tx, "demo", now=NOW, ids=SYSTEM)
    async with store.tx() as tx:
        stored = await tx.realms.get_by_name("demo")
        assert stored == realm
        assert realm.access_token_lifespan == 300
        clients = {c.client_id: c for c in await tx.clients.list(realm.id)}
        scopes = {s.name: s for s in await tx.client_scopes.list(realm.id)}
        realm_roles = {r.name: r for r in await tx.roles.list_realm_roles(realm.id)}
        keys = await tx.keys.list(realm.id)
        management_roles = {
            r.name: r for r in await tx.roles.list_client_roles(realm.id, clients["realm-management"].id)
        }
    assert set(clients) == {
        "account",
        "account-console",
        "admin-cli",
        "broker",
        "realm-management",
        "security-admin-console",
    }
    assert clients["account"].name == "${client_account}"
    assert clients["account"].redirect_uris == ("/realms/demo/account/*",)
    assert clients["admin-cli"].public_client and clients["admin-cli"].direct_access_grants_enabled
    assert not clients["admin-cli"].standard_flow_enabled
    assert clients["realm-management"].bearer_only and clients["realm-management"].secret
    assert clients["security-admin-console"].redirect_uris == ("/admin/demo/console/*",)
    assert clients["security-admin-console"].protocol_mappers[0].config["claim.name"] == "locale"
    assert clients["account"].default_client_scopes == DEFAULT_CLIENT_SCOPES
    assert clients["account"].optional_client_scopes == (
        "offline_access",
        "address",
        "phone",
        "microprofile-jwt",
    )

    assert set(scopes) == {
        "acr",
        "address",
        "basic",
        "email",
        "microprofile-jwt",
        "offline_access",
        "phone",
        "profile",
        "role_list",
        "roles",
        "web-origins",
    }
    profile = {m.name: m for m in scopes["profile"].protocol_mappers}
    assert profile["username"].protocol_mapper == "oidc-usermodel-attribute-mapper"
    assert profile["username"].config["claim.name"] == "preferred_username"
    assert profile["full name"].protocol_mapper == "oidc-full-name-mapper"
    assert profile["updated at"].config["jsonType.label"] == "long"
    email = {m.name: m for m in scopes["email"].protocol_mappers}
    assert email["email verified"].protocol_mapper == "oidc-usermodel-property-mapper"
    roles_scope = {m.name: m.protocol_mapper for m in scopes["roles"].protocol_mappers}
    assert roles_scope == {
        "realm roles": "oidc-usermodel-realm-role-mapper",
        "client roles": "oidc-usermodel-client-role-mapper",
        "audience resolve": "oidc-audience-resolve-mapper",
    }
    basic = {m.name: m for m in scopes["basic"].protocol_mappers}
    assert basic["sub"].protocol_mapper == "oidc-sub-mapper"
    assert basic["auth_time"].config["user.session.note"] == "AUTH_TIME"
    assert scopes["roles"].attributes["include.in.token.scope"] == "false"
    assert scopes["role_list"].protocol == "saml"
    assert scopes["offline_access"].scope_role_ids == (realm_roles["offline_access"].id,)

    assert set(realm_roles) == {"default-roles-demo", "offline_access", "uma_authorization"}
    assert realm.default_role_id == realm_roles["default-roles-demo"].id
    assert await _role_names(store, realm.id, realm_roles["default-roles-demo"].composite_ids) == {
        "offline_access",
        "uma_authorization",
        "account/view-profile",
        "account/manage-account",
    }
    admin: Role = management_roles["realm-admin"]
    assert len(admin.composite_ids) == 18 and len(management_roles) == 19
    assert await _role_names(store, realm.id, management_roles["view-users"].composite_ids) == {
        "realm-management/query-users",
        "realm-management/query-groups",
    }
    assert realm.default_default_client_scopes == ("role_list", *DEFAULT_CLIENT_SCOPES)

    assert sorted(k.algorithm for k in keys) == ["AES", "HS512", "RS256", "RSA-OAEP"]
    assert active_key(keys, "RS256") is not None


async def test_master_realm(store: Store) -> None:
    async with store.tx() as tx:
        master = await create_realm(tx, "master", now=NOW, ids=SYSTEM)
        # A realm made after master gets its ``{realm}-realm`` client in master, like Keycloak.
        await create_realm(tx, "Other", now=NOW, ids=SYSTEM)
        before = len(await tx.clients.list(master.id))
        await ensure_realm_admin_client(tx, master, "Other", ids=SYSTEM)  # idempotent
        assert len(await tx.clients.list(master.id)) == before
    async with store.tx() as tx:
        assert master.access_token_lifespan == 60
        clients = {c.client_id: c for c in await tx.clients.list(master.id)}
        assert "realm-management" not in clients
        assert {"master-realm", "Other-realm"} <= set(clients)
        assert clients["admin-cli"].full_scope_allowed and clients["admin-cli"].public_client
        admin = await tx.roles.get_realm_role(master.id, "admin")
        assert admin is not None
        other_roles = {r.name for r in await tx.roles.list_client_roles(master.id, clients["Other-realm"].id)}
        other = await tx.realms.get_by_name("Other")
        assert other is not None and other.default_role_id is not None
        default_role = await tx.roles.get(other.id, other.default_role_id)
    assert default_role is not None and default_role.name == "default-roles-other"
    assert len(other_roles) == 18 and "realm-admin" not in other_roles
    names = await _role_names(store, master.id, admin.composite_ids)
    assert len(names) == 1 + 18 + 18
    assert {"create-realm", "master-realm/manage-users", "Other-realm/impersonation"} <= names


async def test_new_client_defaults(store: Store) -> None:
    async with store.tx() as tx:
        realm = await create_realm(tx, "demo", now=NOW, ids=SYSTEM)
    confidential = new_client(realm, "app", ids=SYSTEM)
    assert confidential.secret and len(confidential.secret) == 32
    assert confidential.default_client_scopes == DEFAULT_CLIENT_SCOPES
    assert "role_list" not in confidential.default_client_scopes
    public = new_client(realm, "spa", public_client=True, ids=SYSTEM)
    assert public.secret is None and public.realm_id == realm.id
    assert new_client(realm, "x", secret="given", ids=SYSTEM).secret == "given"


async def test_create_realm_with_given_settings(store: Store) -> None:
    from realmgate.model.realm import Realm

    async with store.tx() as tx:
        realm = await create_realm(
            tx, "custom", now=NOW, realm=Realm(id="rid", name="ignored", access_token_lifespan=77), ids=SYSTEM
        )
    assert (realm.id, realm.name, realm.access_token_lifespan) == ("rid", "custom", 77)
