"""The admin API's route table: every Keycloak admin path realmgate serves, declared once.

Each line names the method and path, the service, who may call it (the ``realm-management``
roles of which one suffices), the query parameters, the schemas and the admin-event resource
type. Routes and ``/admin/openapi.json`` are both generated from this list.
"""

from realmgate.admin import attack_detection, auth, idp_mapper_operations, idp_operations, server
from realmgate.admin.call import Operation, op
from realmgate.admin.schema import ANY_OBJECT
from realmgate.web.admin.table_auth import auth_ops
from realmgate.web.admin.table_clients import client_ops, client_scope_ops
from realmgate.web.admin.table_common import REALM_PATH
from realmgate.web.admin.table_organizations import component_ops, organization_ops
from realmgate.web.admin.table_realms import realm_ops
from realmgate.web.admin.table_roles import roles_by_id_ops
from realmgate.web.admin.table_shared import role_ops
from realmgate.web.admin.table_users import group_ops, user_ops


def operations() -> list[Operation]:
    return [
        op(
            "GET",
            "/admin/serverinfo",
            server.serverinfo,
            "authenticated",
            "Server information",
            "Root",
            response=ANY_OBJECT,
        ),
        op(
            "GET",
            "/admin/{realm}/console/whoami",
            server.whoami,
            "authenticated",
            "Who is calling",
            "Root",
            response=ANY_OBJECT,
        ),
        *realm_ops(),
        *auth_ops(),
        *client_ops(),
        *client_scope_ops(),
        *user_ops(),
        *group_ops(),
        *role_ops(f"{REALM_PATH}/roles", "Roles", auth.MANAGE_REALM, "REALM_ROLE"),
        *roles_by_id_ops(),
        *idp_operations.OPERATIONS,
        *idp_mapper_operations.operations(),
        *organization_ops(),
        *component_ops(),
        *attack_detection.OPERATIONS,
    ]
