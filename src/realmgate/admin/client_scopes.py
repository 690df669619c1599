"""Client scopes (CRUD) and the realm's default / optional client scopes (the ones every new
client gets). Scope names are unique per realm: 409 ``Client Scope x already exists``. Renaming
a scope renames it in every client and in the realm defaults, since clients refer to scopes by
name."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from realmgate.admin import lookup
from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError, realm_not_found
from realmgate.admin.reps import read
from realmgate.keycloak.representations import client_scope_from_rep, client_scope_to_rep
from realmgate.model.client import ClientScope
from realmgate.model.realm import Realm
from realmgate.store.interface import Tx


async def list_scopes(call: AdminCall) -> object:
    scopes = await call.tx.client_scopes.list(call.realm.id)
    return [client_scope_to_rep(s) for s in sorted(scopes, key=lambda s: s.name)]


async def get_scope(call: AdminCall) -> object:
    return client_scope_to_rep(await lookup.client_scope(call.tx, call.realm, call.path["id"]))


def _valid_name(name: str) -> None:
    if not name.strip() or " " in name:
        raise AdminError.bad_request('Unexpected name "' + name + '" for ClientScope')


async def create_scope(call: AdminCall) -> Created:
    tx, realm = call.tx, call.realm
    base = ClientScope(id=call.ids.new_id(), realm_id=realm.id, name="")
    scope = replace(
        read(partial(client_scope_from_rep, ids=call.ids), call.body, base, "ClientScopeRepresentation"), id=base.id
    )
    _valid_name(scope.name)
    if await tx.client_scopes.get_by_name(realm.id, scope.name) is not None:
        raise AdminError.conflict(f"Client Scope {scope.name} already exists")
    await lookup.unique(tx.client_scopes.add(scope), f"Client Scope {scope.name} already exists")
    return Created(scope.id)


async def _rename_everywhere(tx: Tx, realm: Realm, old: str, new: str) -> None:
    def swap(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new if n == old else n for n in names)

    for client in await tx.clients.list(realm.id):
        if old in client.default_client_scopes or old in client.optional_client_scopes:
            await tx.clients.update(
                replace(
                    client,
                    default_client_scopes=swap(client.default_client_scopes),
                    optional_client_scopes=swap(client.optional_client_scopes),
                )
            )
    current = await tx.realms.get(realm.id, for_update=True)
    if current is not None:
        await tx.realms.update(
            replace(
                current,
                default_default_client_scopes=swap(current.default_default_client_scopes),
                default_optional_client_scopes=swap(current.default_optional_client_scopes),
            )
        )


async def update_scope(call: AdminCall) -> None:
    tx, realm = call.tx, call.realm
    current = await lookup.client_scope(tx, realm, call.path["id"], for_update=True)
    updated = replace(
        read(partial(client_scope_from_rep, ids=call.ids), call.body, current, "ClientScopeRepresentation"),
        id=current.id,
    )
    if updated.name != current.name:
        _valid_name(updated.name)
        if await tx.client_scopes.get_by_name(realm.id, updated.name) is not None:
            raise AdminError.conflict(f"Client Scope {updated.name} already exists")
        await _rename_everywhere(tx, realm, current.name, updated.name)
    await tx.client_scopes.update(updated)


async def delete_scope(call: AdminCall) -> None:
    tx, realm = call.tx, call.realm
    scope = await lookup.client_scope(tx, realm, call.path["id"])
    users = [
        c.client_id
        for c in await tx.clients.list(realm.id)
        if scope.name in c.default_client_scopes or scope.name in c.optional_client_scopes
    ]
    if users:
        raise AdminError.bad_request(
            f"Cannot remove client scope, it is currently in use by clients: {', '.join(users)}"
        )
    await _realm_defaults(tx, realm, scope.name, default=None)
    await tx.client_scopes.delete(realm.id, scope.id)


# --- realm default / optional client scopes -----------------------------------------------------


async def _realm_defaults(tx: Tx, realm: Realm, name: str, *, default: bool | None) -> None:
    """Make ``name`` a default (True), an optional (False) or neither (None) realm scope."""
    current = await tx.realms.get(realm.id, for_update=True)
    if current is None:
        raise realm_not_found()
    defaults = tuple(n for n in current.default_default_client_scopes if n != name)
    optionals = tuple(n for n in current.default_optional_client_scopes if n != name)
    if default is True:
        defaults += (name,)
    elif default is False:
        optionals += (name,)
    await tx.realms.update(
        replace(current, default_default_client_scopes=defaults, default_optional_client_scopes=optionals)
    )


async def _named(tx: Tx, realm: Realm, names: tuple[str, ...]) -> list[dict[str, str]]:
    scopes = {s.name: s for s in await tx.client_scopes.list(realm.id)}
    return sorted(({"id": scopes[n].id, "name": n} for n in names if n in scopes), key=lambda r: r["name"])


async def realm_default_scopes(call: AdminCall) -> object:
    return await _named(call.tx, call.realm, call.realm.default_default_client_scopes)


async def realm_optional_scopes(call: AdminCall) -> object:
    return await _named(call.tx, call.realm, call.realm.default_optional_client_scopes)


async def _realm_scope(call: AdminCall) -> ClientScope:
    """The scope a realm-default endpoint names; Keycloak's text for a missing one differs from
    ``/client-scopes/{id}``'s."""
    scope = await call.tx.client_scopes.get(call.realm.id, call.path["scope_id"])
    if scope is None:
        raise AdminError.not_found("Client scope not found")
    return scope


async def add_realm_default_scope(call: AdminCall) -> None:
    scope = await _realm_scope(call)
    await _realm_defaults(call.tx, call.realm, scope.name, default=True)


async def add_realm_optional_scope(call: AdminCall) -> None:
    scope = await _realm_scope(call)
    await _realm_defaults(call.tx, call.realm, scope.name, default=False)


async def remove_realm_default_scope(call: AdminCall) -> None:
    scope = await _realm_scope(call)
    if scope.name in call.realm.default_default_client_scopes:
        await _realm_defaults(call.tx, call.realm, scope.name, default=None)


async def remove_realm_optional_scope(call: AdminCall) -> None:
    scope = await _realm_scope(call)
    if scope.name in call.realm.default_optional_client_scopes:
        await _realm_defaults(call.tx, call.realm, scope.name, default=None)
