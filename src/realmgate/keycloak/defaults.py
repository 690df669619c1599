"""What a fresh Keycloak realm contains, and Keycloak's defaults for a new client.

``create_realm`` inserts a realm with its built-in roles, clients, client scopes, default role
and keys. ``ensure_builtins`` adds whatever of that is missing, so realm import reuses it: a
realm file that omits the built-in clients or roles still gets them, as Keycloak does (client
scopes are added only when the file has no ``clientScopes`` at all, again like Keycloak).
Everything already present is left exactly as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from realmgate.crypto.realm_keys import generate_default_keys
from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.builtin_clients import (
    MASTER,
    ClientSpec,
    RoleSpec,
    admin_client_spec,
    builtin_client_specs,
    client_mappers,
)
from realmgate.keycloak.builtin_scopes import (
    DEFAULT_SCOPES,
    OPTIONAL_SCOPES,
    SAML_SCOPES,
    builtin_client_scopes,
)
from realmgate.keycloak.components import CLIENT_REGISTRATION_POLICY, default_components
from realmgate.model.client import Client
from realmgate.model.realm import Realm
from realmgate.model.role import Role
from realmgate.model.user import User
from realmgate.store.interface import Conflict, Tx
from realmgate.store.user_creation import add_user

MASTER_ACCESS_TOKEN_LIFESPAN = 60
OFFLINE_ACCESS = "offline_access"
UMA_AUTHORIZATION = "uma_authorization"
MASTER_ADMIN_ROLE = "admin"
CREATE_REALM_ROLE = "create-realm"
# The default role's composites: realm roles, then (client, role) pairs.
_DEFAULT_ROLE_REALM = (OFFLINE_ACCESS, UMA_AUTHORIZATION)
_DEFAULT_ROLE_CLIENT = (("account", "view-profile"), ("account", "manage-account"))


def settle_secret(client: Client, *, ids: Randomness) -> Client:
    """Confidential clients need a secret (generated like Keycloak's); public ones have none."""
    if client.public_client:
        return dataclasses.replace(client, secret=None) if client.secret is not None else client
    if not client.secret and client.client_authenticator_type == "client-secret":
        return dataclasses.replace(client, secret=ids.new_client_secret())
    return client


def new_client(realm: Realm, client_id: str, *, ids: Randomness, **fields: Any) -> Client:
    """A client with Keycloak's defaults: the realm's default/optional scopes (OIDC ones),
    direct access grants on (a ClientRepresentation without ``directAccessGrantsEnabled``
    allows the password grant in Keycloak) and, when confidential, a generated secret.
    ``fields`` (model field names) override defaults."""
    oidc = fields.get("protocol", "openid-connect") == "openid-connect"
    defaults: dict[str, Any] = {
        "id": ids.new_id(),
        "direct_access_grants_enabled": True,
        "default_client_scopes": tuple(
            s for s in realm.default_default_client_scopes if not (oidc and s in SAML_SCOPES)
        ),
        "optional_client_scopes": tuple(
            s for s in realm.default_optional_client_scopes if not (oidc and s in SAML_SCOPES)
        ),
    }
    client = Client(**{**defaults, **fields, "realm_id": realm.id, "client_id": client_id})
    return client if "secret" in fields else settle_secret(client, ids=ids)


async def _ensure_role(
    tx: Tx,
    realm_id: str,
    name: str,
    *,
    ids: Randomness,
    client_id: str | None = None,
    description: str | None = None,
    composite_ids: Sequence[str] = (),
) -> Role:
    """The existing role of that name, or a new one with the given composites."""
    if client_id is None:
        existing = await tx.roles.get_realm_role(realm_id, name)
    else:
        existing = await tx.roles.get_client_role(realm_id, client_id, name)
    if existing is not None:
        return existing
    role = Role(
        id=ids.new_id(),
        realm_id=realm_id,
        name=name,
        description=description,
        client_id=client_id,
        composite_ids=tuple(composite_ids),
    )
    await tx.roles.add(role)
    return role


async def _ensure_client_roles(
    tx: Tx, realm_id: str, client: Client, roles: Sequence[RoleSpec], *, ids: Randomness
) -> dict[str, Role]:
    """Create the client's roles (leaves first, so composites can point at them)."""
    made: dict[str, Role] = {}
    for spec in sorted(roles, key=lambda r: len(r.composites)):
        composite_ids = [made[name].id for name in spec.composites if name in made]
        made[spec.name] = await _ensure_role(
            tx,
            realm_id,
            spec.name,
            ids=ids,
            client_id=client.id,
            description=spec.description,
            composite_ids=composite_ids,
        )
    return made


async def _ensure_client(tx: Tx, realm: Realm, spec: ClientSpec, *, ids: Randomness) -> tuple[Client, bool]:
    existing = await tx.clients.get_by_client_id(realm.id, spec.client_id)
    if existing is not None:
        return existing, False
    # Keycloak's built-in clients refuse the password grant unless their spec says otherwise.
    fields = {"direct_access_grants_enabled": False, **spec.fields}
    client = new_client(
        realm, spec.client_id, ids=ids, **fields, protocol_mappers=client_mappers(spec.mappers, ids=ids)
    )
    await tx.clients.add(client)
    return client, True


async def ensure_builtin_client(tx: Tx, realm: Realm, client_id: str, *, ids: Randomness) -> Client | None:
    """The built-in client ``client_id`` (created, without its roles, when missing), or None
    when no built-in client has that id. Lets a realm file give roles to ``account`` & co.
    without listing those clients, as Keycloak sets them up before importing roles."""
    spec = next((s for s in builtin_client_specs(realm.name) if s.client_id == client_id), None)
    return None if spec is None else (await _ensure_client(tx, realm, spec, ids=ids))[0]


async def _scope_role_ids(tx: Tx, realm_id: str, pairs: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    ids: list[str] = []
    for client_id, role_name in pairs:
        owner = await tx.clients.get_by_client_id(realm_id, client_id)
        role = None if owner is None else await tx.roles.get_client_role(realm_id, owner.id, role_name)
        if role is not None:
            ids.append(role.id)
    return tuple(ids)


async def _ensure_scopes(tx: Tx, realm: Realm, offline_role: Role, *, all_scopes: bool, ids: Randomness) -> Realm:
    """Add missing built-in scopes (all of them, or only ``offline_access`` as Keycloak does
    for a realm file that lists its own client scopes)."""
    present = {scope.name for scope in await tx.client_scopes.list(realm.id)}
    for scope in builtin_client_scopes(realm.id, offline_access_role_id=offline_role.id, ids=ids):
        if scope.name not in present and (all_scopes or scope.name == OFFLINE_ACCESS):
            await tx.client_scopes.add(scope)
    if not all_scopes or realm.default_default_client_scopes or realm.default_optional_client_scopes:
        return realm
    return dataclasses.replace(
        realm, default_default_client_scopes=DEFAULT_SCOPES, default_optional_client_scopes=OPTIONAL_SCOPES
    )


async def _ensure_default_role(tx: Tx, realm: Realm, *, ids: Randomness) -> Realm:
    if realm.default_role_id is not None and await tx.roles.get(realm.id, realm.default_role_id) is not None:
        return realm
    composite_ids = [(await _ensure_role(tx, realm.id, name, ids=ids)).id for name in _DEFAULT_ROLE_REALM]
    composite_ids += await _scope_role_ids(tx, realm.id, _DEFAULT_ROLE_CLIENT)
    role = await _ensure_role(
        tx,
        realm.id,
        f"default-roles-{realm.name.lower()}",
        ids=ids,
        description="${role_default-roles}",
        composite_ids=composite_ids,
    )
    return dataclasses.replace(realm, default_role_id=role.id)


async def ensure_realm_admin_client(tx: Tx, master: Realm, realm_name: str, *, ids: Randomness) -> Client:
    """The ``{realm_name}-realm`` client in master with the admin roles of that realm; master's
    ``admin`` role is made to contain all of them (Keycloak's master admin model)."""
    spec = admin_client_spec(f"{realm_name}-realm", f"{realm_name} Realm", realm_admin=False)
    client, _ = await _ensure_client(tx, master, spec, ids=ids)
    roles = await _ensure_client_roles(tx, master.id, client, spec.roles, ids=ids)
    create_realm_role = await _ensure_role(
        tx, master.id, CREATE_REALM_ROLE, ids=ids, description="${role_" + CREATE_REALM_ROLE + "}"
    )
    admin = await _ensure_role(tx, master.id, MASTER_ADMIN_ROLE, ids=ids, description="${role_admin}")
    wanted = (create_realm_role.id, *(role.id for role in roles.values()))
    missing = tuple(role_id for role_id in wanted if role_id not in admin.composite_ids)
    if missing:
        await tx.roles.update(dataclasses.replace(admin, composite_ids=admin.composite_ids + missing))
    return client


async def ensure_builtins(tx: Tx, realm: Realm, *, now: int, ids: Randomness, with_scopes: bool = True) -> Realm:
    """Add the built-in roles, clients, scopes, default role and keys that ``realm`` lacks,
    and (as Keycloak does for every realm) its ``{realm}-realm`` admin client in master.

    The realm must already be stored; the updated realm (default scopes, default role) is
    saved and returned.
    """
    offline = await _ensure_role(tx, realm.id, OFFLINE_ACCESS, ids=ids, description="${role_offline-access}")
    await _ensure_role(tx, realm.id, UMA_AUTHORIZATION, ids=ids, description="${role_uma_authorization}")
    realm = await _ensure_scopes(tx, realm, offline, all_scopes=with_scopes, ids=ids)
    for spec in builtin_client_specs(realm.name):
        if spec.client_id == f"{MASTER}-realm":
            await ensure_realm_admin_client(tx, realm, MASTER, ids=ids)
            continue
        client, created = await _ensure_client(tx, realm, spec, ids=ids)
        await _ensure_client_roles(tx, realm.id, client, spec.roles, ids=ids)
        if created and spec.scope_roles:
            scope_ids = await _scope_role_ids(tx, realm.id, spec.scope_roles)
            await tx.clients.update(dataclasses.replace(client, scope_role_ids=scope_ids))
    realm = await _ensure_default_role(tx, realm, ids=ids)
    if not await tx.keys.list(realm.id):
        for key in generate_default_keys(realm.id, now=now, ids=ids, realm_name=realm.name):
            await tx.keys.add(key)
    # As Keycloak: the default client-registration policies unless the realm has some.
    if not await tx.components.list(realm.id, parent=realm.id, provider_type=CLIENT_REGISTRATION_POLICY):
        for component in default_components(realm.id, ids=ids):
            await tx.components.add(component)
    await tx.realms.update(realm)
    if realm.name != MASTER:
        master = await tx.realms.get_by_name(MASTER)
        if master is not None:
            await ensure_realm_admin_client(tx, master, realm.name, ids=ids)
    return realm


async def create_realm(tx: Tx, name: str, *, now: int, ids: Randomness, realm: Realm | None = None) -> Realm:
    """Insert a realm with a fresh Keycloak realm's contents; ``realm`` gives its settings."""
    if realm is None:
        realm = Realm(id=ids.new_id(), name=name)
        if name == MASTER:
            realm = dataclasses.replace(realm, access_token_lifespan=MASTER_ACCESS_TOKEN_LIFESPAN)
    await tx.realms.add(dataclasses.replace(realm, name=name))
    return await ensure_builtins(tx, dataclasses.replace(realm, name=name), now=now, ids=ids)


SERVICE_ACCOUNT_PREFIX = "service-account-"


async def ensure_service_account(tx: Tx, realm: Realm, client: Client, *, now: int, ids: Randomness) -> None:
    """The client's service-account user (``service-account-{clientId}``), created on first
    need with the realm's default roles, and renamed with the client, as Keycloak does.

    Raises the store's ``Conflict`` when a regular user already holds that username."""
    username = f"{SERVICE_ACCOUNT_PREFIX}{client.client_id}".lower()
    existing = await tx.users.get_service_account(realm.id, client.id)
    if existing is not None:
        if existing.username != username:
            await tx.users.update(dataclasses.replace(existing, username=username))
        return
    if await tx.users.get_by_username(realm.id, username) is not None:
        raise Conflict("User exists with same username")
    user = User(
        id=ids.new_id(),
        realm_id=realm.id,
        username=username,
        created_timestamp=now * 1000,
        service_account_client_id=client.id,
    )
    await add_user(tx, realm, user)
