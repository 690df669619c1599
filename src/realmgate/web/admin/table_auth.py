"""The ``/admin/realms/{realm}/authentication`` routes (Keycloak's Authentication Management):
required actions, flows, executions, authenticator configs and provider descriptions."""

from __future__ import annotations

from realmgate.admin import auth as a
from realmgate.admin import auth_configs as cfg
from realmgate.admin import auth_executions as ex
from realmgate.admin import auth_flows as fl
from realmgate.admin import required_actions
from realmgate.admin.call import Method, Operation, Service, Status, op
from realmgate.admin.schema import ANY_OBJECT, Schema, arr
from realmgate.web.admin.table_common import R

T = "Authentication Management"
AUTH = f"{R}/authentication"


def _view(path: str, service: Service, summary: str, *, many: bool = True) -> Operation:
    response = arr(ANY_OBJECT) if many else ANY_OBJECT
    return op("GET", f"{AUTH}/{path}", service, a.VIEW_REALM, summary, T, response=response)


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
        a.MANAGE_REALM,
        summary,
        T,
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
        _view("unregistered-required-actions", cfg.unregistered_required_actions, "Required actions not registered"),
        _view("flows", fl.list_flows, "Top-level authentication flows"),
        _manage("POST", flows, fl.create_flow, "Create a flow", body=fl.FLOW, resource="AUTH_FLOW"),
        _view("flows/{id}", fl.get_flow, "A flow by id", many=False),
        _manage(
            "PUT",
            f"{flows}/{{id}}",
            fl.update_flow,
            "Update a flow",
            status=202,
            body=fl.FLOW,
            response=fl.FLOW,
            resource="AUTH_FLOW",
        ),
        _manage("DELETE", f"{flows}/{{id}}", fl.delete_flow, "Delete a custom flow", resource="AUTH_FLOW"),
        _manage(
            "POST",
            f"{flows}/{{flowAlias}}/copy",
            fl.copy_flow,
            "Copy a flow under a new name",
            body=ANY_OBJECT,
            resource="AUTH_FLOW",
        ),
        _view("flows/{flowAlias}/executions", ex.list_executions, "A flow's executions, sub-flows included"),
        _manage(
            "PUT",
            flow_execs,
            ex.update_execution,
            "Change an execution's requirement or priority, or a sub-flow's name",
            body=ex.EXECUTION_INFO,
            resource="AUTH_EXECUTION",
        ),
        _manage(
            "POST",
            f"{flow_execs}/execution",
            ex.add_execution,
            "Add a step to a custom flow",
            body=ANY_OBJECT,
            resource="AUTH_EXECUTION",
        ),
        _manage(
            "POST",
            f"{flow_execs}/flow",
            ex.add_subflow,
            "Add a sub-flow to a custom flow",
            body=ANY_OBJECT,
            resource="AUTH_EXECUTION_FLOW",
        ),
        _manage("GET", execution, ex.get_execution, "An execution", response=ANY_OBJECT),
        _manage("DELETE", execution, ex.delete_execution, "Remove an execution", resource="AUTH_EXECUTION"),
        _manage(
            "POST",
            f"{execution}/raise-priority",
            ex.raise_priority,
            "Move an execution up",
            resource="AUTH_EXECUTION",
        ),
        _manage(
            "POST",
            f"{execution}/lower-priority",
            ex.lower_priority,
            "Move an execution down",
            resource="AUTH_EXECUTION",
        ),
        _manage(
            "POST",
            f"{execution}/config",
            cfg.new_execution_config,
            "Attach a new config to an execution",
            body=cfg.CONFIG,
            resource="AUTH_EXECUTION",
        ),
        _view("executions/{executionId}/config/{id}", cfg.execution_config, "A config (deprecated)", many=False),
        _view("config/{id}", cfg.get_config, "An authenticator config", many=False),
        _manage(
            "PUT",
            f"{AUTH}/config/{{id}}",
            cfg.update_config,
            "Update an authenticator config",
            body=cfg.CONFIG,
            resource="AUTHENTICATOR_CONFIG",
        ),
        _manage(
            "DELETE",
            f"{AUTH}/config/{{id}}",
            cfg.delete_config,
            "Delete an authenticator config",
            resource="AUTHENTICATOR_CONFIG",
        ),
        _view("config-description/{providerId}", cfg.config_description, "A provider's config", many=False),
        _view("authenticator-providers", cfg.authenticator_providers, "Authenticator providers"),
        _view("client-authenticator-providers", cfg.client_authenticator_providers, "Client authenticators"),
        _view("form-providers", cfg.form_providers, "Form providers"),
        _view("form-action-providers", cfg.form_action_providers, "Form action providers"),
        _view(
            "per-client-config-description",
            cfg.per_client_config_description,
            "Per-client config of client authenticators",
            many=False,
        ),
    ]
