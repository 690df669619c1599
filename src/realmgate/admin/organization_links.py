"""An organization's members and identity providers (``/organizations/{org}/members``,
``/organizations/{org}/identity-providers``) and a user's organizations.

Keycloak takes the user id or provider alias to add as the bare request body, quoted or not,
surrounding whitespace trimmed (python-keycloak sends it unquoted). Members added here are
unmanaged ones (``membershipType`` ``UNMANAGED``): only an organization login, which realmgate
does not run, makes managed members.
"""

from __future__ import annotations

from typing import Any

from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError
from realmgate.admin.identity_providers import to_rep as idp_rep
from realmgate.admin.organizations import DEFAULT_MAX, organization, require_enabled
from realmgate.admin.users import can_manage_users
from realmgate.admin.views import user_view
from realmgate.keycloak.organizations import organization_to_rep
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.organization import UNMANAGED, Organization
from realmgate.model.user import User

NOT_FOUND = "HTTP 404 Not Found"  # Keycloak's bare NotFoundException


def bare_value(body: object) -> str:
    """The id or alias of a bare body: trimmed, one pair of surrounding quotes removed."""
    text = body.strip() if isinstance(body, str) else ""
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    elif text.startswith('"') or text.endswith('"'):
        text = text.strip('"')
    return text


async def _member_rep(call: AdminCall, user: User) -> dict[str, Any]:
    rep = user_view(user, can_manage=await can_manage_users(call))
    rep["membershipType"] = UNMANAGED
    return rep


async def add_member(call: AdminCall) -> Created:
    org = await organization(call)
    user_id = bare_value(call.body)
    user = await call.tx.users.get(call.realm.id, user_id) if user_id else None
    if user is None:
        raise AdminError.bad_request("User does not exist")
    if not await call.tx.organizations.add_member(call.realm.id, org.id, user.id, UNMANAGED):
        raise AdminError.conflict("User is already a member of the organization.")
    return Created(user.id)


async def list_members(call: AdminCall) -> object:
    org = await organization(call)
    membership = call.str_arg("membershipType")
    if membership is not None and membership.upper() not in ("MANAGED", "UNMANAGED"):
        raise AdminError.bad_request("Invalid value for query parameter membershipType")
    if membership is not None and membership.upper() == "MANAGED":
        return []
    first, maximum = call.page(DEFAULT_MAX)
    members = await call.tx.organizations.members(
        call.realm.id,
        org.id,
        search=call.str_arg("search") or None,
        exact=bool(call.bool_arg("exact", False)),
        first=first,
        max=maximum,
    )
    return [await _member_rep(call, u) for u in members]


async def count_members(call: AdminCall) -> object:
    org = await organization(call)
    return await call.tx.organizations.member_count(call.realm.id, org.id)


async def _member(call: AdminCall, org: Organization) -> User:
    user = await call.tx.users.get(call.realm.id, call.path["member"])
    if user is None or not await call.tx.organizations.is_member(call.realm.id, org.id, user.id):
        raise AdminError.not_found(NOT_FOUND)
    return user


async def get_member(call: AdminCall) -> object:
    org = await organization(call)
    return await _member_rep(call, await _member(call, org))


async def remove_member(call: AdminCall) -> None:
    org = await organization(call)
    user = await _member(call, org)
    await call.tx.organizations.remove_member(call.realm.id, org.id, user.id)


async def _organizations_of(call: AdminCall) -> object:
    user = await call.tx.users.get(call.realm.id, call.path["member"])
    if user is None:
        raise AdminError.not_found(NOT_FOUND)
    brief = bool(call.bool_arg("briefRepresentation", True))
    return [organization_to_rep(o, brief=brief) for o in await call.tx.organizations.of_member(call.realm.id, user.id)]


async def member_organizations(call: AdminCall) -> object:
    """``organizations/{org}/members/{member}/organizations``: all of the member's organizations."""
    org = await organization(call)
    await _member(call, org)
    return await _organizations_of(call)


async def user_organizations(call: AdminCall) -> object:
    """``organizations/members/{member}/organizations``."""
    require_enabled(call.realm)
    return await _organizations_of(call)


def _org_idp_rep(idp: IdentityProvider, org: Organization) -> dict[str, Any]:
    rep = idp_rep(idp)
    rep["organizationId"] = org.id
    return rep


async def _linked_providers(call: AdminCall, org: Organization) -> list[IdentityProvider]:
    ids = set(await call.tx.organizations.provider_ids(call.realm.id, org.id))
    return [i for i in await call.tx.identity_providers.list(call.realm.id) if i.internal_id in ids]


async def add_provider(call: AdminCall) -> None:
    org = await organization(call)
    key = bare_value(call.body)
    idps = await call.tx.identity_providers.list(call.realm.id)
    idp = next((i for i in idps if i.alias == key), None) or next((i for i in idps if i.internal_id == key), None)
    if idp is None:
        raise AdminError.bad_request("Identity provider not found with the given alias")
    owner = await call.tx.organizations.provider_owner(call.realm.id, idp.internal_id)
    if owner == org.id:
        raise AdminError.conflict("Identity provider already associated to the organization")
    if owner is not None:
        raise AdminError.bad_request("Identity provider already associated with a different organization")
    await call.tx.organizations.link_provider(call.realm.id, org.id, idp.internal_id)


async def list_providers(call: AdminCall) -> object:
    org = await organization(call)
    return [_org_idp_rep(i, org) for i in await _linked_providers(call, org)]


async def _linked(call: AdminCall, org: Organization, message: str) -> IdentityProvider:
    idp = next((i for i in await _linked_providers(call, org) if i.alias == call.path["alias"]), None)
    if idp is None:
        raise AdminError(404, {"errorMessage": message})
    return idp


async def get_provider(call: AdminCall) -> object:
    org = await organization(call)
    return _org_idp_rep(await _linked(call, org, "Identity provider not associated with the organization"), org)


async def remove_provider(call: AdminCall) -> None:
    org = await organization(call)
    idp = await _linked(call, org, "Identity provider not found with the given alias")
    await call.tx.organizations.unlink_provider(call.realm.id, idp.internal_id)
