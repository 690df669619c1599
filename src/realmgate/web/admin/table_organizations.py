"""The admin routes of organizations (their members and identity providers) and components."""

from __future__ import annotations

from realmgate.admin import auth, components, organization_links, organizations
from realmgate.admin.call import FIRST_MAX, Operation, Param, op
from realmgate.admin.schema import ANY_OBJECT, BOOL, INT, RAW_TEXT, STR, arr, multi_map, obj
from realmgate.web.admin.table_common import EXACT, REALM_PATH, SEARCH, USER_FILTERS

_DOMAIN = obj("OrganizationDomainRepresentation", {"name": STR, "verified": BOOL})
ORGANIZATION = obj(
    "OrganizationRepresentation",
    {
        "id": STR,
        "name": STR,
        "alias": STR,
        "enabled": BOOL,
        "description": STR,
        "redirectUrl": STR,
        "attributes": multi_map(),
        "domains": arr(_DOMAIN),
        "members": arr(ANY_OBJECT),
        "identityProviders": arr(ANY_OBJECT),
    },
)
COMPONENT = obj(
    "ComponentRepresentation",
    {
        "id": STR,
        "name": STR,
        "providerId": STR,
        "providerType": STR,
        "parentId": STR,
        "subType": STR,
        "config": multi_map(),
    },
)
_Q = next(p for p in USER_FILTERS if p.name == "q")  # the attribute search, as for users
_BRIEF_TRUE = Param("briefRepresentation", "boolean", "Leave out attributes (default true)")


def organization_ops() -> list[Operation]:
    t, manage = "Organizations", auth.MANAGE_REALM
    base, one = f"{REALM_PATH}/organizations", f"{REALM_PATH}/organizations/{{org}}"
    members, idps = f"{one}/members", f"{one}/identity-providers"
    org, membership = "ORGANIZATION", "ORGANIZATION_MEMBERSHIP"
    return [
        op(
            "GET",
            base,
            organizations.list_organizations,
            manage,
            "Organizations, by name",
            t,
            query=(SEARCH, _Q, EXACT, *FIRST_MAX, _BRIEF_TRUE),
            response=arr(ORGANIZATION),
        ),
        op(
            "POST",
            base,
            organizations.create_organization,
            manage,
            "Create an organization",
            t,
            body=ORGANIZATION,
            resource=org,
        ),
        op(
            "GET",
            f"{base}/count",
            organizations.count_organizations,
            manage,
            "Number of organizations",
            t,
            query=(SEARCH, _Q, EXACT),
            response=INT,
        ),
        op(
            "GET",
            f"{base}/members/{{member}}/organizations",
            organization_links.user_organizations,
            manage,
            "The organizations of a user",
            t,
            query=(_BRIEF_TRUE,),
            response=arr(ORGANIZATION),
        ),
        op("GET", one, organizations.get_organization, manage, "An organization", t, response=ORGANIZATION),
        op(
            "PUT",
            one,
            organizations.update_organization,
            manage,
            "Update an organization",
            t,
            body=ORGANIZATION,
            resource=org,
        ),
        op("DELETE", one, organizations.delete_organization, manage, "Delete an organization", t, resource=org),
        op(
            "GET",
            members,
            organization_links.list_members,
            manage,
            "Members, by username",
            t,
            query=(SEARCH, EXACT, *FIRST_MAX, Param("membershipType")),
            response=arr(ANY_OBJECT),
        ),
        op(
            "POST",
            members,
            organization_links.add_member,
            manage,
            "Add a user (its id as the body) as a member",
            t,
            body=RAW_TEXT,
            resource=membership,
        ),
        op("GET", f"{members}/count", organization_links.count_members, manage, "Number of members", t, response=INT),
        op("GET", f"{members}/{{member}}", organization_links.get_member, manage, "A member", t, response=ANY_OBJECT),
        op(
            "DELETE",
            f"{members}/{{member}}",
            organization_links.remove_member,
            manage,
            "Remove a member (the user stays)",
            t,
            resource=membership,
        ),
        op(
            "GET",
            f"{members}/{{member}}/organizations",
            organization_links.member_organizations,
            manage,
            "The organizations of a member",
            t,
            query=(_BRIEF_TRUE,),
            response=arr(ORGANIZATION),
        ),
        op(
            "GET",
            idps,
            organization_links.list_providers,
            manage,
            "The organization's identity providers",
            t,
            response=arr(ANY_OBJECT),
        ),
        op(
            "POST",
            idps,
            organization_links.add_provider,
            manage,
            "Link an identity provider (its alias or id as the body)",
            t,
            body=RAW_TEXT,
            status=204,
            resource=org,
        ),
        op(
            "GET",
            f"{idps}/{{alias}}",
            organization_links.get_provider,
            manage,
            "A linked identity provider",
            t,
            response=ANY_OBJECT,
        ),
        op(
            "DELETE",
            f"{idps}/{{alias}}",
            organization_links.remove_provider,
            manage,
            "Unlink an identity provider (the provider stays)",
            t,
            resource=org,
        ),
    ]


def component_ops() -> list[Operation]:
    t, view, manage, kind = "Component", auth.VIEW_REALM, auth.MANAGE_REALM, "COMPONENT"
    base, one = f"{REALM_PATH}/components", f"{REALM_PATH}/components/{{id}}"
    return [
        op(
            "GET",
            base,
            components.list_components,
            view,
            "Components",
            t,
            query=(Param("parent"), Param("type"), Param("name")),
            response=arr(COMPONENT),
        ),
        op(
            "POST",
            base,
            components.create_component,
            manage,
            "Create a component",
            t,
            body=COMPONENT,
            resource="COMPONENT",
        ),
        op("GET", one, components.get_component, view, "A component", t, response=COMPONENT),
        op(
            "PUT",
            one,
            components.update_component,
            manage,
            "Update a component",
            t,
            body=COMPONENT,
            resource="COMPONENT",
        ),
        op("DELETE", one, components.delete_component, manage, "Delete a component", t, resource=kind),
        op(
            "GET",
            f"{one}/sub-component-types",
            components.sub_component_types,
            view,
            "Sub-component types (none: realmgate runs no sub-component providers)",
            t,
            query=(Param("type"),),
            response=arr(ANY_OBJECT),
        ),
    ]
