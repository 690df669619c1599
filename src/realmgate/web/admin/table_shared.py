"""Route-table builders used under several resources: roles and their composites, role
mappings of users and groups, protocol mappers and scope mappings of clients and client scopes."""

from __future__ import annotations

from realmgate.admin import api_schemas as s
from realmgate.admin import auth as a
from realmgate.admin import (
    roles,
)
from realmgate.admin.call import FIRST_MAX, Access, Operation, op
from realmgate.admin.mapper_owners import MapperOwners
from realmgate.admin.role_mappings import RoleMappings
from realmgate.admin.schema import arr
from realmgate.web.admin.table_common import BRIEF, SEARCH


def role_ops(base: str, tag: str, manage: Access, resource: str) -> list[Operation]:
    """Roles under ``base`` (``/roles`` or ``/clients/{client}/roles``) and their composites."""
    one = f"{base}/{{role}}"
    return [
        op(
            "GET",
            base,
            roles.list_roles,
            a.VIEW_ROLES,
            "List roles",
            tag,
            query=(SEARCH, *FIRST_MAX, BRIEF),
            response=s.ROLES,
        ),
        op("POST", base, roles.create_role, manage, "Create a role", tag, body=s.NEW_ROLE, resource=resource),
        op("GET", one, roles.get_role, a.VIEW_ROLES, "Get a role by name", tag, response=s.ROLE),
        op(
            "PUT",
            one,
            roles.update_role,
            manage,
            "Update a role by name",
            tag,
            body=s.ROLE,
            resource=resource,
        ),
        op("DELETE", one, roles.delete_role, manage, "Delete a role by name", tag, resource=resource),
        op(
            "GET",
            f"{one}/composites",
            roles.get_composites,
            a.VIEW_ROLES,
            "Composites of a role",
            tag,
            response=s.ROLES,
        ),
        op(
            "POST",
            f"{one}/composites",
            roles.add_composites,
            manage,
            "Add composites",
            tag,
            status=204,
            body=s.ROLES,
            resource=resource,
        ),
        op(
            "DELETE",
            f"{one}/composites",
            roles.remove_composites,
            manage,
            "Remove composites",
            tag,
            body=s.ROLES,
            resource=resource,
        ),
        op(
            "GET",
            f"{one}/composites/realm",
            roles.get_realm_composites,
            a.VIEW_ROLES,
            "Realm-role composites",
            tag,
            response=s.ROLES,
        ),
        op(
            "GET",
            f"{one}/composites/clients/{{composite_client}}",
            roles.get_client_composites,
            a.VIEW_ROLES,
            "Client-role composites",
            tag,
            response=s.ROLES,
        ),
        op(
            "GET",
            f"{one}/users",
            roles.role_users,
            a.VIEW_USERS,
            "Users with a role",
            tag,
            query=FIRST_MAX,
            response=arr(s.USER),
        ),
        op(
            "GET",
            f"{one}/groups",
            roles.role_groups,
            a.VIEW_USERS,
            "Groups with a role",
            tag,
            query=(*FIRST_MAX, BRIEF),
            response=arr(s.GROUP),
        ),
    ]


def role_mapping_ops(base: str, tag: str, rm: RoleMappings, resource: str) -> list[Operation]:
    m = f"{base}/role-mappings"
    c = f"{m}/clients/{{client}}"
    view, manage = a.VIEW_USERS, a.MANAGE_USERS
    return [
        op("GET", m, rm.all, view, "All role mappings", tag, response=s.MAPPINGS),
        op("GET", f"{m}/realm", rm.listed, view, "Realm role mappings", tag, response=s.ROLES),
        op(
            "POST",
            f"{m}/realm",
            rm.add,
            manage,
            "Add realm role mappings",
            tag,
            status=204,
            body=s.ROLES,
            resource=f"REALM_{resource}",
        ),
        op(
            "DELETE",
            f"{m}/realm",
            rm.remove,
            manage,
            "Remove realm role mappings",
            tag,
            body=s.ROLES,
            resource=f"REALM_{resource}",
        ),
        op(
            "GET",
            f"{m}/realm/composite",
            rm.composite,
            view,
            "Effective realm roles",
            tag,
            query=(BRIEF,),
            response=s.ROLES,
        ),
        op(
            "GET",
            f"{m}/realm/available",
            rm.available,
            view,
            "Realm roles that can be mapped",
            tag,
            response=s.ROLES,
        ),
        op("GET", c, rm.listed, view, "Client role mappings", tag, response=s.ROLES),
        op(
            "POST",
            c,
            rm.add,
            manage,
            "Add client role mappings",
            tag,
            status=204,
            body=s.ROLES,
            resource=f"CLIENT_{resource}",
        ),
        op(
            "DELETE",
            c,
            rm.remove,
            manage,
            "Remove client role mappings",
            tag,
            body=s.ROLES,
            resource=f"CLIENT_{resource}",
        ),
        op(
            "GET",
            f"{c}/composite",
            rm.composite,
            view,
            "Effective client roles",
            tag,
            query=(BRIEF,),
            response=s.ROLES,
        ),
        op(
            "GET",
            f"{c}/available",
            rm.available,
            view,
            "Client roles that can be mapped",
            tag,
            response=s.ROLES,
        ),
    ]


def mapper_owner_ops(base: str, tag: str, mo: MapperOwners, view: Access, manage: Access) -> list[Operation]:
    pm = f"{base}/protocol-mappers"
    sm = f"{base}/scope-mappings"
    c = f"{sm}/clients/{{client}}"
    return [
        op(
            "GET",
            f"{pm}/models",
            mo.list_mappers,
            view,
            "List protocol mappers",
            tag,
            response=s.PROTOCOL_MAPPERS,
        ),
        op(
            "POST",
            f"{pm}/models",
            mo.create_mapper,
            manage,
            "Create a protocol mapper",
            tag,
            body=s.NEW_PROTOCOL_MAPPER,
            resource="PROTOCOL_MAPPER",
        ),
        op(
            "POST",
            f"{pm}/add-models",
            mo.add_mappers,
            manage,
            "Create several protocol mappers",
            tag,
            status=204,
            body=arr(s.NEW_PROTOCOL_MAPPER),
            resource="PROTOCOL_MAPPER",
        ),
        op(
            "GET",
            f"{pm}/models/{{mapper_id}}",
            mo.get_mapper,
            view,
            "Get a protocol mapper",
            tag,
            response=s.PROTOCOL_MAPPER,
        ),
        op(
            "PUT",
            f"{pm}/models/{{mapper_id}}",
            mo.update_mapper,
            manage,
            "Update a protocol mapper",
            tag,
            body=s.PROTOCOL_MAPPER,
            resource="PROTOCOL_MAPPER",
        ),
        op(
            "DELETE",
            f"{pm}/models/{{mapper_id}}",
            mo.delete_mapper,
            manage,
            "Delete a protocol mapper",
            tag,
            resource="PROTOCOL_MAPPER",
        ),
        op("GET", sm, mo.all_scope_mappings, view, "All scope mappings", tag, response=s.MAPPINGS),
        op("GET", f"{sm}/realm", mo.scope_mappings, view, "Realm scope mappings", tag, response=s.ROLES),
        op(
            "POST",
            f"{sm}/realm",
            mo.add_scope_mappings,
            manage,
            "Add realm scope mappings",
            tag,
            status=204,
            body=s.ROLES,
            resource="REALM_SCOPE_MAPPING",
        ),
        op(
            "DELETE",
            f"{sm}/realm",
            mo.remove_scope_mappings,
            manage,
            "Remove realm scope mappings",
            tag,
            body=s.ROLES,
            resource="REALM_SCOPE_MAPPING",
        ),
        op(
            "GET",
            f"{sm}/realm/available",
            mo.available_scope_mappings,
            view,
            "Realm roles that can be scope-mapped",
            tag,
            response=s.ROLES,
        ),
        op("GET", c, mo.scope_mappings, view, "Client scope mappings", tag, response=s.ROLES),
        op(
            "POST",
            c,
            mo.add_scope_mappings,
            manage,
            "Add client scope mappings",
            tag,
            status=204,
            body=s.ROLES,
            resource="CLIENT_SCOPE_MAPPING",
        ),
        op(
            "DELETE",
            c,
            mo.remove_scope_mappings,
            manage,
            "Remove client scope mappings",
            tag,
            body=s.ROLES,
            resource="CLIENT_SCOPE_MAPPING",
        ),
        op(
            "GET",
            f"{c}/available",
            mo.available_scope_mappings,
            view,
            "Client roles that can be scope-mapped",
            tag,
            response=s.ROLES,
        ),
    ]
