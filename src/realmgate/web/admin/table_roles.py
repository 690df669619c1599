"""Admin routes of roles by id."""

from __future__ import annotations

from realmgate.admin import api_schemas as s
from realmgate.admin import auth as a
from realmgate.admin import (
    roles,
)
from realmgate.admin.call import FIRST_MAX, Operation, op
from realmgate.web.admin.table_common import SEARCH, R


def roles_by_id_ops() -> list[Operation]:
    t = "Roles (by ID)"
    r = f"{R}/roles-by-id/{{role_id}}"
    manage = a.MANAGE_REALM | a.MANAGE_CLIENTS
    return [
        op("GET", r, roles.get_role_by_id, a.VIEW_ROLES, "Get a role", t, response=s.ROLE),
        op("PUT", r, roles.update_role_by_id, manage, "Update a role", t, body=s.ROLE, resource="REALM_ROLE"),
        op("DELETE", r, roles.delete_role_by_id, manage, "Delete a role", t, resource="REALM_ROLE"),
        op(
            "GET",
            f"{r}/composites",
            roles.get_composites,
            a.VIEW_ROLES,
            "Composites",
            t,
            query=(SEARCH, *FIRST_MAX),
            response=s.ROLES,
        ),
        op(
            "POST",
            f"{r}/composites",
            roles.add_composites,
            manage,
            "Add composites",
            t,
            status=204,
            body=s.ROLES,
            resource="REALM_ROLE",
        ),
        op(
            "DELETE",
            f"{r}/composites",
            roles.remove_composites,
            manage,
            "Remove composites",
            t,
            body=s.ROLES,
            resource="REALM_ROLE",
        ),
        op(
            "GET",
            f"{r}/composites/realm",
            roles.get_realm_composites,
            a.VIEW_ROLES,
            "Realm-role composites",
            t,
            response=s.ROLES,
        ),
        op(
            "GET",
            f"{r}/composites/clients/{{composite_client}}",
            roles.get_client_composites,
            a.VIEW_ROLES,
            "Client-role composites",
            t,
            response=s.ROLES,
        ),
    ]
