"""The ``/admin/realms/{realm}/authentication`` routes (Keycloak's Authentication Management):
required actions, flows, executions, authenticator configs and provider descriptions."""

from __future__ import annotations

from realmgate.admin import auth as a
from realmgate.admin import auth_configs as cfg
from realmgate.admin import auth_executions as ex
from realmgate.admin import auth_flows as fl
from realmgate.admin import required_actions
from realmgate.admin.call import Operation, Service, op
from realmgate.admin.schema import ANY_OBJECT, arr
from realmgate.web.admin.table_common import R

T = "Authentication Management"
AUTH = f"{R}/authentication"


def _view(path: str, service: Service, summary: str, *, many: bool = True) -> Operation:
    response = arr(ANY_OBJECT) if many else ANY_OBJECT
    return op("GET", f"{AUTH}/{path}", service, a.VIEW_REALM, summary, T, response=response)


def auth_ops() -> list[Operation]:
    manage = a.MANAGE_REALM
    ra, flows, executions = f"{AUTH}/required-actions", f"{AUTH}/flows", f"{AUTH}/executions"
    flow_execs = f"{flows}/{{flowAlias}}/executions"
    execution = f"{executions}/{{executionId}}"
    return [
        _view("required-actions", required_actions.list_actions, "Required actions"),
        _view("required-actions/{alias}", required_actions.get_action, "A required action", many=False),
        op(
            "PUT",
            f"{ra}/{{alias}}",
            required_actions.update_action,
            manage,
            "Update a required action",
            T,
            body=ANY_OBJECT,
            resource="REQUIRED_ACTION",
        ),
        _view("unregistered-required-actions", cfg.unregistered_required_actions, "Required actions not registered"),
        _view("flows", fl.list_flows, "Top-level authentication flows"),
        op("POST", flows, fl.create_flow, manage, "Create a flow", T, body=fl.FLOW, resource="AUTH_FLOW"),
        _view("flows/{id}", fl.get_flow, "A flow by id", many=False),
        op(
            "PUT",
            f"{flows}/{{id}}",
            fl.update_flow,
            manage,
            "Update a flow",
            T,
            status=202,
            body=fl.FLOW,
            response=fl.FLOW,
            resource="AUTH_FLOW",
        ),
        op("DELETE", f"{flows}/{{id}}", fl.delete_flow, manage, "Delete a custom flow", T, resource="AUTH_FLOW"),
        op(
            "POST",
            f"{flows}/{{flowAlias}}/copy",
            fl.copy_flow,
            manage,
            "Copy a flow under a new name",
            T,
            body=ANY_OBJECT,
            resource="AUTH_FLOW",
        ),
        _view("flows/{flowAlias}/executions", ex.list_executions, "A flow's executions, sub-flows included"),
        op(
            "PUT",
            flow_execs,
            ex.update_execution,
            manage,
            "Change an execution's requirement or priority, or a sub-flow's name",
            T,
            body=ex.EXECUTION_INFO,
            resource="AUTH_EXECUTION",
        ),
        op(
            "POST",
            f"{flow_execs}/execution",
            ex.add_execution,
            manage,
            "Add a step to a custom flow",
            T,
            body=ANY_OBJECT,
            resource="AUTH_EXECUTION",
        ),
        op(
            "POST",
            f"{flow_execs}/flow",
            ex.add_subflow,
            manage,
            "Add a sub-flow to a custom flow",
            T,
            body=ANY_OBJECT,
            resource="AUTH_EXECUTION_FLOW",
        ),
        op("GET", execution, ex.get_execution, manage, "An execution", T, response=ANY_OBJECT),
        op("DELETE", execution, ex.delete_execution, manage, "Remove an execution", T, resource="AUTH_EXECUTION"),
        op(
            "POST",
            f"{execution}/raise-priority",
            ex.raise_priority,
            manage,
            "Move an execution up",
            T,
            resource="AUTH_EXECUTION",
        ),
        op(
            "POST",
            f"{execution}/lower-priority",
            ex.lower_priority,
            manage,
            "Move an execution down",
            T,
            resource="AUTH_EXECUTION",
        ),
        op(
            "POST",
            f"{execution}/config",
            cfg.new_execution_config,
            manage,
            "Attach a new config to an execution",
            T,
            body=cfg.CONFIG,
            resource="AUTH_EXECUTION",
        ),
        _view("executions/{executionId}/config/{id}", cfg.execution_config, "A config (deprecated)", many=False),
        _view("config/{id}", cfg.get_config, "An authenticator config", many=False),
        op(
            "PUT",
            f"{AUTH}/config/{{id}}",
            cfg.update_config,
            manage,
            "Update an authenticator config",
            T,
            body=cfg.CONFIG,
            resource="AUTHENTICATOR_CONFIG",
        ),
        op(
            "DELETE",
            f"{AUTH}/config/{{id}}",
            cfg.delete_config,
            manage,
            "Delete an authenticator config",
            T,
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
