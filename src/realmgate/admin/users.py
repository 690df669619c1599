"""Users: search, count, create, read, update, delete, passwords and credentials.

Keycloak's rules kept here: usernames and emails are stored lower-cased and unique per realm
(409 ``User exists with same username`` / ``... same email``, the latter unless the realm allows
duplicate emails); a new user gets the realm's default role; a temporary password adds the
``UPDATE_PASSWORD`` required action; service-account users are hidden from searches; a search
is ordered by username and pages with ``first``/``max`` (default 100).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from realmgate.admin import auth as admin_auth
from realmgate.admin import lookup
from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_object, read, reject_unknown
from realmgate.admin.views import user_view
from realmgate.crypto.passwords import PASSWORD_TYPE
from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.representations import user_from_rep
from realmgate.model.realm import Realm
from realmgate.model.user import User
from realmgate.protocol import brute_force
from realmgate.protocol.credentials import PasswordRejected, replace_password
from realmgate.store.interface import Tx, UserQuery
from realmgate.store.user_creation import add_user

CREDENTIAL_INPUT_KEYS = frozenset({"type", "value", "temporary", "userLabel", "id", "createdDate", "priority"})


BUILTIN_Q_FIELDS = ("username", "email", "firstName", "lastName")
"""``q`` keys Keycloak's user search reads as the user's own fields, not as attributes."""


def attribute_query(q: str | None) -> tuple[tuple[str, str], ...]:
    """``q=key:value key2:value2`` (Keycloak's attribute search)."""
    if not q:
        return ()
    pairs = []
    for term in q.split():
        key, sep, value = term.partition(":")
        if not sep or not key:
            raise AdminError.bad_request("Invalid query parameter q: expected key:value pairs")
        pairs.append((key, value))
    return tuple(pairs)


def _query(call: AdminCall, *, paged: bool) -> UserQuery:
    first, maximum = call.page() if paged else (0, None)
    search = call.str_arg("search")
    exact = bool(call.bool_arg("exact", False))
    if search is not None and search.startswith('"') and search.endswith('"') and len(search) >= 2:
        search, exact = search[1:-1], True
    if search in ("*", ""):
        search = None
    if search is not None and not exact:
        search = search.replace("*", "")
    attributes = attribute_query(call.str_arg("q"))
    fields = {name: call.str_arg(name) for name in BUILTIN_Q_FIELDS}
    for key, value in attributes:
        if key in fields and fields[key] is None:
            fields[key] = value
    return UserQuery(
        search=search,
        username=fields["username"],
        email=fields["email"],
        first_name=fields["firstName"],
        last_name=fields["lastName"],
        exact=exact,
        enabled=call.bool_arg("enabled"),
        attributes=tuple((k, v) for k, v in attributes if k not in fields),
        first=first,
        max=maximum,
    )


async def can_manage_users(call: AdminCall) -> bool:
    """Whether the caller may manage users (the ``access`` a user representation shows)."""
    held = await admin_auth.admin_roles_in(call.tx, call.who, call.realm.name)
    return bool(held & admin_auth.MANAGE_USERS)


async def _service_client_id(tx: Tx, realm: Realm, user: User) -> str | None:
    if user.service_account_client_id is None:
        return None
    client = await tx.clients.get(realm.id, user.service_account_client_id)
    return client.client_id if client else None


async def list_users(call: AdminCall) -> object:
    tx, realm = call.tx, call.realm
    brief = bool(call.bool_arg("briefRepresentation", False))
    alias, idp_user = call.str_arg("idpAlias"), call.str_arg("idpUserId")
    query = _query(call, paged=alias is None)  # parsed (and checked) whichever way we search
    if alias is not None and idp_user is not None:
        link = await tx.federated_identities.get_by_upstream(realm.id, alias, idp_user)
        found = await tx.users.get(realm.id, link.user_id) if link else None
        users = [found] if found else []
    else:
        users = list(await tx.users.find(realm.id, query))
        if alias is not None:
            linked = []
            for u in users:
                if any(
                    li.identity_provider == alias for li in await tx.federated_identities.list_for_user(realm.id, u.id)
                ):
                    linked.append(u)
            first, maximum = call.page()
            users = linked[first : None if maximum is None else first + maximum]
    manage = await can_manage_users(call)
    return [user_view(u, can_manage=manage, brief=brief) for u in users]


async def count_users(call: AdminCall) -> object:
    return await call.tx.users.count(call.realm.id, _query(call, paged=False))


async def get_user(call: AdminCall) -> object:
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    service_client = await _service_client_id(call.tx, call.realm, user)
    return user_view(user, can_manage=await can_manage_users(call), service_client=service_client)


def _read_user(body: object, base: User) -> User:
    return read(user_from_rep, body, base, "UserRepresentation")


async def _check_unique(tx: Tx, realm: Realm, user: User, *, previous: User | None) -> None:
    if previous is None or previous.username != user.username:
        clash = await tx.users.get_by_username(realm.id, user.username)
        if clash is not None and clash.id != user.id:
            raise AdminError.conflict("User exists with same username")
    email_changed = previous is None or previous.email != user.email
    if user.email and not realm.duplicate_emails_allowed and email_changed:
        others = await tx.users.get_by_email(realm.id, user.email)
        if any(u.id != user.id for u in others):
            raise AdminError.conflict("User exists with same email")


async def set_password(
    tx: Tx, realm: Realm, user: User, value: str, *, temporary: bool, now: int, ids: Randomness
) -> User:
    """Replace the user's password; returns the user with ``UPDATE_PASSWORD`` set or cleared."""
    try:
        return await replace_password(tx, realm, user, value, temporary=temporary, now=now, ids=ids)
    except PasswordRejected as rejected:
        raise AdminError(400, {"error": "invalidPasswordMessage", "error_description": rejected.message}) from None


def _password_inputs(rep: dict[str, Any]) -> list[tuple[str, bool]]:
    """``credentials`` of a UserRepresentation: (password, temporary) for each password entry."""
    raw = rep.get("credentials")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise AdminError.bad_request("Invalid value for credentials: must be an array")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise AdminError.bad_request("Invalid value for credentials: must be an array of objects")
        value, temporary = item.get("value"), item.get("temporary", False)
        if item.get("type", PASSWORD_TYPE) != PASSWORD_TYPE or value is None:
            continue
        if not isinstance(value, str) or not isinstance(temporary, bool | None):
            raise AdminError.bad_request("Invalid value for credentials")
        out.append((value, bool(temporary)))
    return out


async def _join_groups_by_path(tx: Tx, realm: Realm, user: User, paths: object) -> None:
    if paths is None:
        return
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise AdminError.bad_request("Invalid value for groups: must be an array of group paths")
    groups = {g.id: g for g in await tx.groups.list(realm.id)}
    by_path = {path: gid for gid, path in lookup.group_paths(groups).items()}
    for path in paths:
        wanted = path if path.startswith("/") else "/" + path
        if wanted not in by_path:
            raise AdminError.bad_request(f"Group {path} not found")
        await tx.users.join_group(realm.id, user.id, by_path[wanted])


async def create_user(call: AdminCall) -> Created:
    tx, realm = call.tx, call.realm
    rep = body_object(call.body)
    if realm.registration_email_as_username and not rep.get("username") and isinstance(rep.get("email"), str):
        rep = {**rep, "username": rep["email"]}
    if not rep.get("username"):
        raise AdminError.bad_request("User name is missing")
    base = User(id=call.ids.new_id(), realm_id=realm.id, username="", created_timestamp=call.now * 1000)
    user = replace(_read_user(rep, base), id=base.id, created_timestamp=base.created_timestamp)
    await _check_unique(tx, realm, user, previous=None)
    passwords = _password_inputs(rep)
    await lookup.unique(add_user(tx, realm, user), "User exists with same username or email")
    for value, temporary in passwords:
        user = await set_password(tx, realm, user, value, temporary=temporary, now=call.now, ids=call.ids)
    if passwords:
        await tx.users.update(user)
    await _join_groups_by_path(tx, realm, user, rep.get("groups"))
    return Created(user.id)


async def update_user(call: AdminCall) -> None:
    tx, realm = call.tx, call.realm
    previous = await lookup.user(tx, realm, call.path["id"], for_update=True)
    rep = body_object(call.body)
    updated = replace(_read_user(rep, previous), id=previous.id, created_timestamp=previous.created_timestamp)
    await _check_unique(tx, realm, updated, previous=previous)
    for value, temporary in _password_inputs(rep):
        updated = await set_password(tx, realm, updated, value, temporary=temporary, now=call.now, ids=call.ids)
    await tx.users.update(await brute_force.unlocked_by_admin(tx, realm, previous, updated, now=call.now))


async def delete_user(call: AdminCall) -> None:
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    await call.tx.users.delete(call.realm.id, user.id)


async def reset_password(call: AdminCall) -> None:
    tx, realm = call.tx, call.realm
    user = await lookup.user(tx, realm, call.path["id"], for_update=True)
    rep = call.body
    if not isinstance(rep, dict) or rep.get("value") is None:
        raise AdminError.web(400, "No password provided")
    reject_unknown(rep, CREDENTIAL_INPUT_KEYS, "CredentialRepresentation")
    value, temporary = rep["value"], rep.get("temporary", False)
    if not isinstance(value, str) or not isinstance(temporary, bool | None):
        raise AdminError.bad_request("Invalid value for credential")
    if not value.strip():
        raise AdminError.web(400, "Empty password not allowed")
    await tx.users.update(
        await set_password(tx, realm, user, value, temporary=bool(temporary), now=call.now, ids=call.ids)
    )


async def list_credentials(call: AdminCall) -> object:
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    out = []
    for cred in await call.tx.credentials.list(user.id):
        rep: dict[str, Any] = {
            "id": cred.id,
            "type": cred.type,
            "createdDate": cred.created_date,
            "credentialData": cred.credential_data,
            "priority": cred.priority,
        }
        if cred.user_label is not None:
            rep["userLabel"] = cred.user_label
        out.append(rep)
    return out


async def set_credential_label(call: AdminCall) -> None:
    """``PUT .../credentials/{id}/userLabel`` with the label as a plain-text body; a blank label
    removes it."""
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    found = [c for c in await call.tx.credentials.list(user.id) if c.id == call.path["credential_id"]]
    if not found:
        raise AdminError.not_found("Credential not found")
    label = str(call.body).strip()
    await call.tx.credentials.update(replace(found[0], user_label=label or None))


async def configured_storage_credential_types(call: AdminCall) -> object:
    """Credential types a user-storage provider keeps for the user: none, as realmgate keeps every
    credential itself."""
    await lookup.user(call.tx, call.realm, call.path["id"])
    return []


async def delete_credential(call: AdminCall) -> None:
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    if not any(c.id == call.path["credential_id"] for c in await call.tx.credentials.list(user.id)):
        raise AdminError.not_found("Credential not found")
    await call.tx.credentials.delete(user.id, call.path["credential_id"])


async def send_verify_email(call: AdminCall) -> None:
    """Keycloak's checks come first (an email address, an enabled user); then sending fails."""
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    if not user.email:
        raise AdminError.bad_request("User email missing")
    if not user.enabled:
        raise AdminError.bad_request("User is disabled")
    raise AdminError.server_error("Failed to send verify email: realmgate does not send email yet")


async def execute_actions_email(call: AdminCall) -> None:
    await lookup.user(call.tx, call.realm, call.path["id"])
    raise AdminError.server_error("Failed to send execute actions email: realmgate does not send email yet")
