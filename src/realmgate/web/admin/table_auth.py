"""The ``/admin/realms/{realm}/authentication`` routes (Keycloak's Authentication Management):
required actions, flows, executions, authenticator configs and provider descriptions."""

from __future__ import annotations

from realmgate.admin import auth, auth_configs, auth_executions, auth_flows, required_actions
from realmgate.admin.call import Method, Operation, Service, Status, op
from realmgate.admin.schema import ANY_OBJECT, Schema, arr
from realmgate.web.admin.table_common import REALM_PATH

TAG = "Authentication Management"
AUTH = f"{REALM_PATH}/authentication"


def _view(path: str, service: Service, summary: str, *, many: bool = True) -> Operation:
    response = arr(ANY_OBJECT) if many else ANY_OBJECT
    return op("GET", f"{AUTH}/{path}", service, auth.VIEW_REALM, summary, TAG, response=response)


def _manage(
    method: Method,
    path: str,
    service: Service,
    summary: str,
    *,
    status: Status | None = None,
    body: Schema | None = None,
    response: Schema | None = None,
    resource: str | None = None,
) -> Operation:
    """A write (or the one manage-gated read, an execution by id, as in Keycloak): manage-realm."""
    return op(
        method,
        path,
        service,
        auth.MANAGE_REALM,
        summary,
        TAG,
        status=status,
        body=body,
        response=response,
        resource=resource,
    )


def auth_ops() -> list[Operation]:
    ra, flows, executions = f"{AUTH}/required-actions", f"{AUTH}/flows", f"{AUTH}/executions"
    flow_execs = f"{flows}/{{flowAlias}}/executions"
    execution = f"{executions}/{{executionId}}"
    return [
        _view("required-actions", required_actions.list_actions, "Required actions"),
        _view("required-actions/{alias}", required_actions.get_action, "A required action", many=False),
        _manage(
            "PUT",
            f"{ra}/{{alias}}",
            required_actions.update_action,
            "Update a required action",
            body=ANY_OBJECT,
            resource="REQUIRED_ACTION",
        ),
        _view(
            "unregistered-required-actions",
            auth_configs.unregistered_required_actions,
            "Required actions not registered",
        ),
        _view("flows", auth_flows.list_flows, "Top-level authentication flows"),
        _manage("POST", flows, auth_flows.create_flow, "Create a flow", body=auth_flows.FLOW, resource="AUTH_FLOW"),
        _view("flows/{id}", auth_flows.get_flow, "A flow by id", many=False),
        _manage(
            "PUT",
            f"{flows}/{{id}}",
            auth_flows.update_flow,
            "Update a flow",
            status=202,
            body=auth_flows.FLOW,
            response=auth_flows.FLOW,
            resource="AUTH_FLOW",
        ),
        _manage("DELETE", f"{flows}/{{id}}", auth_flows.delete_flow, "Delete a custom flow", resource="AUTH_FLOW"),
        _manage(
            "POST",
            f"{flows}/{{flowAlias}}/copy",
            auth_flows.copy_flow,
            "Copy a flow under a new name",
            body=ANY_OBJECT,
            resource="AUTH_FLOW",
        ),
        _view(
            "flows/{flowAlias}/executions", auth_executions.list_executions, "A flow's executions, sub-flows included"
        ),
        _manage(
            "PUT",
            flow_execs,
            auth_executions.update_execution,
            "Change an execution's requirement or priority, or a sub-flow's name",
            body=auth_executions.EXECUTION_INFO,
            resource="AUTH_EXECUTION",
        ),
        _manage(
            "POST",
            f"{flow_execs}/execution",
            auth_executions.add_execution,
            "Add a step to a custom flow",
            body=ANY_OBJECT,
            resource="AUTH_EXECUTION",
        ),
        _manage(
            "POST",
            f"{flow_execs}/flow",
            auth_executions.add_subflow,
            "Add a sub-flow to a custom flow",
            body=ANY_OBJECT,
            resource="AUTH_EXECUTION_FLOW",
        ),
        _manage("GET", execution, auth_executions.get_execution, "An execution", response=ANY_OBJECT),
        _manage(
            "DELETE", execution, auth_executions.delete_execution, "Remove an execution", resource="AUTH_EXECUTION"
        ),
        _manage(
            "POST",
            f"{execution}/raise-priority",
            auth_executions.raise_priority,
            "Move an execution up",
            resource="AUTH_EXECUTION",
        ),
        _manage(
            "POST",
            f"{execution}/lower-priority",
            auth_executions.lower_priority,
            "Move an execution down",
            resource="AUTH_EXECUTION",
        ),
        _manage(
            "POST",
            f"{execution}/config",
            auth_configs.new_execution_config,
            "Attach a new config to an execution",
            body=auth_configs.CONFIG,
            resource="AUTH_EXECUTION",
        ),
        _view(
            "executions/{executionId}/config/{id}", auth_configs.execution_config, "A config (deprecated)", many=False
        ),
        _view("config/{id}", auth_configs.get_config, "An authenticator config", many=False),
        _manage(
            "PUT",
            f"{AUTH}/config/{{id}}",
            auth_configs.update_config,
            "Update an authenticator config",
            body=auth_configs.CONFIG,
            resource="AUTHENTICATOR_CONFIG",
        ),
        _manage(
            "DELETE",
            f"{AUTH}/config/{{id}}",
            auth_configs.delete_config,
            "Delete an authenticator config",
            resource="AUTHENTICATOR_CONFIG",
        ),
        _view("config-description/{providerId}", auth_configs.config_description, "A provider's config", many=False),
        _view("authenticator-providers", auth_configs.authenticator_providers, "Authenticator providers"),
        _view("client-authenticator-providers", auth_configs.client_authenticator_providers, "Client authenticators"),
        _view("form-providers", auth_configs.form_providers, "Form providers"),
        _view("form-action-providers", auth_configs.form_action_providers, "Form action providers"),
        _view(
            "per-client-config-description",
            auth_configs.per_client_config_description,
            "Per-client config of client authenticators",
            many=False,
        ),
    ]
