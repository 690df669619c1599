"""Clients: search, create, read, update, delete, the secret, the service-account user and the
client's default/optional client scopes.

Keycloak's rules kept: ``clientId`` is unique per realm (409 ``Client x already exists``); a
confidential client gets a generated secret unless one is given; a client with service accounts
gets the user ``service-account-{clientId}`` (with the realm's default role); a client without
explicit scopes gets the realm's default and optional client scopes; list search is on
``clientId`` (exact, or substring with ``search=true``).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from realmgate.admin import auth as admin_auth
from realmgate.admin import idp_mappers, lookup
from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_object, read
from realmgate.admin.views import user_view
from realmgate.keycloak import defaults
from realmgate.keycloak.defaults import new_client, settle_secret
from realmgate.keycloak.representations import client_from_rep, client_to_rep
from realmgate.model.client import Client
from realmgate.model.realm import Realm
from realmgate.store.interface import Conflict, Tx


async def _can_manage(call: AdminCall) -> bool:
    held = await admin_auth.admin_roles_in(call.tx, call.who, call.realm.name)
    return bool(held & admin_auth.MANAGE_CLIENTS)


def client_rep(client: Client, *, can_manage: bool) -> dict[str, Any]:
    rep: dict[str, Any] = dict(client_to_rep(client))
    if not can_manage:
        rep.pop("secret", None)
    rep["access"] = {"view": True, "configure": can_manage, "manage": can_manage}
    return rep


async def list_clients(call: AdminCall) -> object:
    tx, realm = call.tx, call.realm
    wanted = call.str_arg("clientId")
    first, maximum = call.page()
    if wanted is not None and not call.bool_arg("search", False):
        found = await tx.clients.get_by_client_id(realm.id, wanted)
        clients = [found] if found else []
    else:
        clients = list(await tx.clients.list(realm.id, search=wanted, first=first, max=maximum))
    manage = await _can_manage(call)
    return [client_rep(c, can_manage=manage) for c in clients]


async def get_client(call: AdminCall) -> object:
    client = await lookup.client(call.tx, call.realm, call.path["id"])
    return client_rep(client, can_manage=await _can_manage(call))


async def ensure_service_account(call: AdminCall, client: Client) -> None:
    """The client's service-account user, created on first need (and renamed with the client)."""
    try:
        await defaults.ensure_service_account(call.tx, call.realm, client, now=call.now, ids=call.ids)
    except Conflict as conflict:
        raise AdminError.conflict(str(conflict)) from None


async def _check_scopes_exist(tx: Tx, realm: Realm, names: tuple[str, ...]) -> None:
    for name in names:
        if await tx.client_scopes.get_by_name(realm.id, name) is None:
            raise AdminError.bad_request(f"Client scope {name} does not exist")


async def create_client(call: AdminCall) -> Created:
    tx, realm = call.tx, call.realm
    rep = body_object(call.body)
    given_id = rep.get("id")
    # ``new_client``'s defaults are Keycloak's: a client created without
    # ``directAccessGrantsEnabled`` allows the password grant (python-keycloak's tests rely on it).
    base = new_client(realm, "", ids=call.ids, secret=None)
    client = settle_secret(
        read(partial(client_from_rep, ids=call.ids), rep, base, "ClientRepresentation"), ids=call.ids
    )
    if isinstance(given_id, str) and given_id:
        client = replace(client, id=given_id)
    if await tx.clients.get_by_client_id(realm.id, client.client_id) is not None:
        raise AdminError.conflict(f"Client {client.client_id} already exists")
    if await tx.clients.get(realm.id, client.id) is not None:
        raise AdminError.conflict(f"Client {client.client_id} already exists")
    await _check_scopes_exist(tx, realm, client.default_client_scopes + client.optional_client_scopes)
    await lookup.unique(tx.clients.add(client), f"Client {client.client_id} already exists")
    if client.service_accounts_enabled:
        await ensure_service_account(call, client)
    return Created(client.id)


async def update_client(call: AdminCall) -> None:
    tx, realm = call.tx, call.realm
    current = await lookup.client(tx, realm, call.path["id"], for_update=True)
    updated = replace(
        read(partial(client_from_rep, ids=call.ids), call.body, current, "ClientRepresentation"), id=current.id
    )
    if updated.client_id != current.client_id and await tx.clients.get_by_client_id(realm.id, updated.client_id):
        raise AdminError.conflict(f"Client {updated.client_id} already exists")
    await _check_scopes_exist(tx, realm, updated.default_client_scopes + updated.optional_client_scopes)
    updated = settle_secret(updated, ids=call.ids)
    await tx.clients.update(updated)
    await idp_mappers.client_renamed(tx, realm.id, old_client_id=current.client_id, new_client_id=updated.client_id)
    if updated.service_accounts_enabled:
        await ensure_service_account(call, updated)


async def delete_client(call: AdminCall) -> None:
    client = await lookup.client(call.tx, call.realm, call.path["id"])
    await call.tx.clients.delete(call.realm.id, client.id)


async def get_secret(call: AdminCall) -> object:
    client = await lookup.client(call.tx, call.realm, call.path["id"])
    rep: dict[str, Any] = {"type": "secret"}
    if client.secret is not None:
        rep["value"] = client.secret
    return rep


async def regenerate_secret(call: AdminCall) -> object:
    client = await lookup.client(call.tx, call.realm, call.path["id"], for_update=True)
    if client.public_client:
        raise AdminError.bad_request("Public clients have no secret")
    secret = call.ids.new_client_secret()
    await call.tx.clients.update(replace(client, secret=secret))
    return {"type": "secret", "value": secret}


async def invalidate_rotated_secret(call: AdminCall) -> None:
    """``DELETE .../client-secret/rotated``: Keycloak drops the secret kept from the last rotation
    and answers 204; realmgate keeps no rotated secret, so there is nothing to drop."""
    await lookup.client(call.tx, call.realm, call.path["id"])


async def service_account_user(call: AdminCall) -> object:
    client = await lookup.client(call.tx, call.realm, call.path["id"])
    if not client.service_accounts_enabled:
        raise AdminError.web(400, f"Service account not enabled for the client '{client.client_id}'")
    user = await call.tx.users.get_service_account(call.realm.id, client.id)
    if user is None:
        raise AdminError.not_found("User not found")
    return user_view(user, can_manage=await _can_manage(call), service_client=client.client_id)


# --- the client's default / optional client scopes ----------------------------------------------


async def _scope_reps(tx: Tx, realm: Realm, names: tuple[str, ...]) -> list[dict[str, str]]:
    out = []
    for name in names:
        scope = await tx.client_scopes.get_by_name(realm.id, name)
        if scope is not None:
            out.append({"id": scope.id, "name": scope.name})
    return sorted(out, key=lambda s: s["name"])


async def default_scopes(call: AdminCall) -> object:
    client = await lookup.client(call.tx, call.realm, call.path["id"])
    return await _scope_reps(call.tx, call.realm, client.default_client_scopes)


async def optional_scopes(call: AdminCall) -> object:
    client = await lookup.client(call.tx, call.realm, call.path["id"])
    return await _scope_reps(call.tx, call.realm, client.optional_client_scopes)


async def _attach(call: AdminCall, *, default: bool, attach: bool) -> None:
    """Attach (a scope moves between default and optional, never is both) or detach."""
    tx, realm = call.tx, call.realm
    client = await lookup.client(tx, realm, call.path["id"], for_update=True)
    scope = await lookup.client_scope(tx, realm, call.path["scope_id"])
    defaults = tuple(n for n in client.default_client_scopes if n != scope.name)
    optionals = tuple(n for n in client.optional_client_scopes if n != scope.name)
    if attach and default:
        defaults += (scope.name,)
    elif attach:
        optionals += (scope.name,)
    elif default:
        optionals = client.optional_client_scopes
    else:
        defaults = client.default_client_scopes
    await tx.clients.update(replace(client, default_client_scopes=defaults, optional_client_scopes=optionals))


async def add_default_scope(call: AdminCall) -> None:
    await _attach(call, default=True, attach=True)


async def remove_default_scope(call: AdminCall) -> None:
    await _attach(call, default=True, attach=False)


async def add_optional_scope(call: AdminCall) -> None:
    await _attach(call, default=False, attach=True)


async def remove_optional_scope(call: AdminCall) -> None:
    await _attach(call, default=False, attach=False)
