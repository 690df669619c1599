"""``/admin/realms/{realm}/organizations``: Keycloak 26's organizations, their domains and
attributes (members and identity providers: ``admin.organization_links``).

Every call first checks that the realm has ``organizationsEnabled`` (else Keycloak's 404
``Organizations not enabled for this realm.``). Errors carry Keycloak's texts and statuses
(``OrganizationsResource``, ``OrganizationResource``, ``JpaOrganizationProvider``). Lists default
to ten results and are ordered by name, as in Keycloak.
"""

from __future__ import annotations

from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_object
from realmgate.admin.users import attribute_query
from realmgate.keycloak.organizations import (
    OrganizationError,
    new_organization,
    organization_to_rep,
    updated_organization,
)
from realmgate.model.organization import Organization
from realmgate.model.realm import Realm
from realmgate.store.interface import OrganizationQuery, Tx

DEFAULT_MAX = 10


def require_enabled(realm: Realm) -> None:
    if realm.extra_settings.get("organizationsEnabled") is not True:
        raise AdminError(404, {"errorMessage": "Organizations not enabled for this realm."})


def rule_error(exc: OrganizationError) -> AdminError:
    return AdminError(exc.status, {"errorMessage": exc.message})


async def organization(call: AdminCall, *, for_update: bool = False) -> Organization:
    """The organization of the path's ``{org}`` (after the enabled check), else Keycloak's 404."""
    require_enabled(call.realm)
    found = await call.tx.organizations.get(call.realm.id, call.path["org"], for_update=for_update)
    if found is None:
        raise AdminError(404, {"errorMessage": "Organization not found."})
    return found


async def check_unique(tx: Tx, realm: Realm, org: Organization, previous: Organization | None) -> None:
    """Keycloak's duplicate checks, with its messages: name and alias (409), domains (400)."""
    repo = tx.organizations
    if previous is None or previous.name != org.name:
        same_name = await repo.find(realm.id, OrganizationQuery(search=org.name, exact=True))
        if any(o.name == org.name and o.id != org.id for o in same_name):
            raise AdminError.conflict("A organization with the same name already exists.")
    if previous is None and await repo.count(realm.id, OrganizationQuery(attributes=(("alias", org.alias),))):
        raise AdminError.conflict("A organization with the same alias already exists")
    for domain in org.domains:
        owner = await repo.owner_of_domain(realm.id, domain.name)
        if owner is not None and owner != org.id:
            raise AdminError.bad_request(
                f"Domain {domain.name} is already linked to another organization in realm {realm.name}"
            )


def _query(call: AdminCall, *, paged: bool) -> OrganizationQuery:
    first, maximum = call.page(DEFAULT_MAX) if paged else (0, None)
    return OrganizationQuery(
        search=call.str_arg("search") or None,
        exact=bool(call.bool_arg("exact", False)),
        attributes=attribute_query(call.str_arg("q")),
        first=first,
        max=maximum,
    )


async def list_organizations(call: AdminCall) -> object:
    require_enabled(call.realm)
    brief = bool(call.bool_arg("briefRepresentation", True))
    found = await call.tx.organizations.find(call.realm.id, _query(call, paged=True))
    return [organization_to_rep(o, brief=brief) for o in found]


async def count_organizations(call: AdminCall) -> object:
    require_enabled(call.realm)
    return await call.tx.organizations.count(call.realm.id, _query(call, paged=False))


async def create_organization(call: AdminCall) -> Created:
    require_enabled(call.realm)
    try:
        org = new_organization(body_object(call.body), id=call.ids.new_id(), realm_id=call.realm.id)
    except OrganizationError as exc:
        raise rule_error(exc) from None
    await check_unique(call.tx, call.realm, org, None)
    await call.tx.organizations.add(org)
    return Created(org.id)


async def get_organization(call: AdminCall) -> object:
    return organization_to_rep(await organization(call))


async def update_organization(call: AdminCall) -> None:
    current = await organization(call, for_update=True)
    try:
        updated = updated_organization(current, body_object(call.body))
    except OrganizationError as exc:
        raise rule_error(exc) from None
    await check_unique(call.tx, call.realm, updated, current)
    await call.tx.organizations.update(updated)


async def delete_organization(call: AdminCall) -> None:
    org = await organization(call)
    await call.tx.organizations.delete(call.realm.id, org.id)
