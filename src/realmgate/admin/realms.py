"""Realms: list, create (from a bare name or a full realm representation), read, update,
delete, and the master realm's ``{realm}-realm`` admin clients that go with each realm.

Realm settings realmgate stores but does not act on are logged (``keycloak.unenforced``) when
an update turns them on; creating a realm goes through the realm import, which logs them too.

Creating realm R also creates, in master, the client ``R-realm`` holding R's admin roles, all
contained in master's ``admin`` role (the import's ``keycloak.defaults.ensure_builtins`` does
it): so master admins can manage R at once. Deleting R removes that client. The master realm cannot be deleted
or renamed. A clash of names is Keycloak's 409 ``Conflict detected. See logs for details``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from realmgate.admin import auth as admin_auth
from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError, realm_not_found
from realmgate.admin.reps import body_object, read
from realmgate.crypto.algorithms import UnsupportedAlgorithm, check_realm_default
from realmgate.keycloak.realm_file import RealmFileError
from realmgate.keycloak.realm_import import import_realm
from realmgate.keycloak.representations import realm_from_rep, realm_to_rep, role_to_rep
from realmgate.keycloak.representations.realm import dropped_fields
from realmgate.keycloak.unenforced import log_dropped, log_findings, realm_findings
from realmgate.model.realm import Realm
from realmgate.store.interface import Tx

MASTER = admin_auth.MASTER


async def realm_rep(tx: Tx, realm: Realm) -> dict[str, Any]:
    rep: dict[str, Any] = dict(realm_to_rep(realm))
    if realm.default_role_id:
        role = await tx.roles.get(realm.id, realm.default_role_id)
        if role is not None:
            rep["defaultRole"] = role_to_rep(role, container_id=realm.id)
    return rep


async def list_realms(call: AdminCall) -> object:
    brief = bool(call.bool_arg("briefRepresentation", False))
    out = []
    for realm in sorted(await call.tx.realms.list(), key=lambda r: r.name):
        if not await admin_auth.can_touch_realm(call.tx, call.who, realm.name):
            continue
        if brief:
            item: dict[str, Any] = {"id": realm.id, "realm": realm.name, "enabled": realm.enabled}
            if realm.display_name:
                item["displayName"] = realm.display_name
            out.append(item)
        else:
            out.append(await realm_rep(call.tx, realm))
    if not out:  # as Keycloak: no realm to show is a 403, not an empty list
        raise AdminError.forbidden()
    return out


async def _master(tx: Tx) -> Realm:
    master = await tx.realms.get_by_name(MASTER)
    if master is None:
        raise realm_not_found()
    return master


def _valid_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise AdminError.bad_request("Realm name cannot be empty")
    if "/" in name or name != name.strip():
        raise AdminError.bad_request("Realm name contains invalid characters")
    return name


async def create_realm(call: AdminCall) -> Created:
    admin_auth.require_create_realm(call.who)
    tx = call.tx
    rep = body_object(call.body)
    name = _valid_name(rep.get("realm"))
    # Top-level fields must be known (400), nested ones are checked by the import.
    read(realm_from_rep, rep, Realm(id=call.ids.new_id(), name=name), "RealmRepresentation")
    if await tx.realms.get_by_name(name) is not None:
        raise AdminError.conflict("Conflict detected. See logs for details")
    try:
        realm = await import_realm(tx, rep, source="request body", now=call.now, ids=call.ids)
    except RealmFileError as exc:
        raise AdminError.bad_request(str(exc)) from None
    return Created(realm.name)


async def get_realm(call: AdminCall) -> object:
    return await realm_rep(call.tx, call.realm)


async def update_realm(call: AdminCall) -> None:
    tx = call.tx
    current = await tx.realms.get(call.realm.id, for_update=True)
    if current is None:
        raise realm_not_found()
    updated = replace(read(realm_from_rep, call.body, current, "RealmRepresentation"), id=current.id)
    try:
        check_realm_default(updated.default_signature_algorithm)
    except UnsupportedAlgorithm as exc:
        raise AdminError.bad_request(str(exc)) from None
    if updated.name != current.name:
        _valid_name(updated.name)
        if current.name == MASTER:
            raise AdminError.bad_request("Can't rename master realm")
        if await tx.realms.get_by_name(updated.name) is not None:
            raise AdminError.conflict("Realm with same name exists")
        master = await _master(tx)
        old_client = await tx.clients.get_by_client_id(master.id, f"{current.name}-realm")
        if old_client is not None:
            await tx.clients.update(
                replace(old_client, client_id=f"{updated.name}-realm", name=f"{updated.name} Realm")
            )
    await tx.realms.update(updated)
    log_dropped(updated.name, dropped_fields(body_object(call.body)), context="admin API update")
    before = set(realm_findings(current))
    log_findings(updated.name, [f for f in realm_findings(updated) if f not in before], context="set by admin API")


async def delete_realm(call: AdminCall) -> None:
    tx, realm = call.tx, call.realm
    if realm.name == MASTER:
        raise AdminError.bad_request("Can't delete master realm")
    master = await _master(tx)
    admin_client = await tx.clients.get_by_client_id(master.id, f"{realm.name}-realm")
    if admin_client is not None:
        await tx.clients.delete(master.id, admin_client.id)
    await tx.realms.delete(realm.id)
