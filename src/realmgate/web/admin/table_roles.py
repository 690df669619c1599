"""Admin routes of roles by id."""

from __future__ import annotations

from realmgate.admin import api_schemas as schemas
from realmgate.admin import (
    auth,
    roles,
)
from realmgate.admin.call import FIRST_MAX, Operation, op
from realmgate.web.admin.table_common import REALM_PATH, SEARCH


def roles_by_id_ops() -> list[Operation]:
    tag = "Roles (by ID)"
    role_path = f"{REALM_PATH}/roles-by-id/{{role_id}}"
    manage = auth.MANAGE_REALM | auth.MANAGE_CLIENTS
    return [
        op("GET", role_path, roles.get_role_by_id, auth.VIEW_ROLES, "Get a role", tag, response=schemas.ROLE),
        op(
            "PUT",
            role_path,
            roles.update_role_by_id,
            manage,
            "Update a role",
            tag,
            body=schemas.ROLE,
            resource="REALM_ROLE",
        ),
        op("DELETE", role_path, roles.delete_role_by_id, manage, "Delete a role", tag, resource="REALM_ROLE"),
        op(
            "GET",
            f"{role_path}/composites",
            roles.get_composites,
            auth.VIEW_ROLES,
            "Composites",
            tag,
            query=(SEARCH, *FIRST_MAX),
            response=schemas.ROLES,
        ),
        op(
            "POST",
            f"{role_path}/composites",
            roles.add_composites,
            manage,
            "Add composites",
            tag,
            status=204,
            body=schemas.ROLES,
            resource="REALM_ROLE",
        ),
        op(
            "DELETE",
            f"{role_path}/composites",
            roles.remove_composites,
            manage,
            "Remove composites",
            tag,
            body=schemas.ROLES,
            resource="REALM_ROLE",
        ),
        op(
            "GET",
            f"{role_path}/composites/realm",
            roles.get_realm_composites,
            auth.VIEW_ROLES,
            "Realm-role composites",
            tag,
            response=schemas.ROLES,
        ),
        op(
            "GET",
            f"{role_path}/composites/clients/{{composite_client}}",
            roles.get_client_composites,
            auth.VIEW_ROLES,
            "Client-role composites",
            tag,
            response=schemas.ROLES,
        ),
    ]
