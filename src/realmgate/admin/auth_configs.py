"""``authentication/config`` and the provider descriptions: the authenticator configs attached
to executions, and what Keycloak's admin console reads to offer providers
(``authenticator-providers``, ``config-description/{providerId}``, ...).

An execution names its config by alias, as Keycloak's realm file does, so aliases are unique in
a realm here (Keycloak does not check; a second config with an alias already used is a 409).
A config updated without an alias keeps its alias (Keycloak would clear it, leaving the realm
file unable to name it).
"""

from __future__ import annotations

from realmgate.admin.auth_flow_state import FlowState, Json
from realmgate.admin.call import AdminCall, Created, Service
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_object
from realmgate.admin.schema import STR, obj, str_map
from realmgate.keycloak.authenticators import Kind, provider, providers

CONFIG = obj("AuthenticatorConfigRepresentation", {"id": STR, "alias": STR, "config": str_map()})


def _values(body: Json) -> dict[str, str]:
    """The config map as Keycloak stores it: text values, empty ones left out."""
    raw = body.get("config")
    values = raw if isinstance(raw, dict) else {}
    return {str(k): v if isinstance(v, str) else str(v).lower() for k, v in values.items() if v not in (None, "")}


async def new_execution_config(call: AdminCall) -> Created:
    body = body_object(call.body)
    state = await FlowState.write(call)
    _, execution = state.execution(call.path["executionId"])
    alias = body.get("alias")
    if not isinstance(alias, str) or not alias:
        raise AdminError.bad_request("Alias missing")
    if state.config_by_alias(alias) is not None:
        raise AdminError.conflict(f"Authenticator config {alias} already exists")
    config_id = call.ids.new_id()
    state.configs.append({"id": config_id, "alias": alias, "config": _values(body)})
    execution["authenticatorConfig"] = alias
    await state.save(call)
    return Created(config_id)


async def get_config(call: AdminCall) -> object:
    return FlowState.read(call).config_by_id(call.path["id"])


async def update_config(call: AdminCall) -> None:
    body = body_object(call.body)
    state = await FlowState.write(call)
    config = state.config_by_id(call.path["id"])
    alias = body.get("alias")
    if isinstance(alias, str) and alias and alias != config["alias"]:
        if state.config_by_alias(alias) is not None:
            raise AdminError.conflict(f"Authenticator config {alias} already exists")
        _point(state, config["alias"], alias)
        config["alias"] = alias
    config["config"] = _values(body)
    await state.save(call)


def _point(state: FlowState, old: str, new: str | None) -> None:
    """Make the executions using config ``old`` use ``new`` (None: no config)."""
    for flow in state.flows:
        for execution in flow["authenticationExecutions"]:
            if execution.get("authenticatorConfig") == old:
                if new is None:
                    del execution["authenticatorConfig"]
                else:
                    execution["authenticatorConfig"] = new


async def delete_config(call: AdminCall) -> None:
    state = await FlowState.write(call)
    config = state.config_by_id(call.path["id"])
    _point(state, config["alias"], None)
    state.found.configs = [c for c in state.configs if c is not config]
    await state.save(call)


async def execution_config(call: AdminCall) -> object:
    """The deprecated ``executions/{id}/config/{configId}``: the config, whatever the execution."""
    return FlowState.read(call).config_by_id(call.path["id"])


async def config_description(call: AdminCall) -> object:
    found = provider(call.path["providerId"])
    if found is None:
        raise AdminError.not_found("Could not find authenticator provider")
    return found.config_description()


def _listing(kind: Kind) -> Service:
    async def service(call: AdminCall) -> object:
        return [p.to_list_rep() for p in providers(kind)]

    return service


authenticator_providers = _listing("authenticator")
client_authenticator_providers = _listing("client")
form_providers = _listing("form")
form_action_providers = _listing("form-action")


async def per_client_config_description(call: AdminCall) -> object:
    """Keycloak's client authenticators have no per-client properties to describe."""
    return {p.id: [] for p in providers("client")}


async def unregistered_required_actions(call: AdminCall) -> object:
    """realmgate has no required-action providers beyond the ones every realm lists."""
    return []
