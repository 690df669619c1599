"""``authentication/flows/{alias}/executions`` and ``authentication/executions/{id}``: the steps
and sub-flows of a flow, their requirements and order.

Keycloak's behaviour (``AuthenticationManagementResource``, Keycloak 26): steps and sub-flows
are added to, removed from and reordered in custom flows only; a built-in flow's executions may
still change requirement and priority (``PUT .../executions``), which is how an administrator
turns on a step. Such a change is stored and, when it makes a bound flow require a step
realmgate does not run, logged as not enforced (``auth_flow_state``).
"""

from __future__ import annotations

from realmgate.admin.auth_flow_state import FlowState, Json, next_priority, ordered, priority
from realmgate.admin.auth_flows import drop_unused_configs, flow_tree, new_flow, remove_flows, rename_flow
from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_object
from realmgate.admin.schema import BOOL, INT, STR, arr, obj
from realmgate.keycloak.authenticators import REQUIREMENTS, SUBFLOW_CHOICES, provider, provider_for_flow

EXECUTION_INFO = obj(
    "AuthenticationExecutionInfoRepresentation",
    {
        "id": STR,
        "requirement": STR,
        "displayName": STR,
        "alias": STR,
        "description": STR,
        "requirementChoices": arr(STR),
        "configurable": BOOL,
        "authenticationFlow": BOOL,
        "providerId": STR,
        "authenticationConfig": STR,
        "flowId": STR,
        "level": INT,
        "index": INT,
        "priority": INT,
        "providerUnavailable": BOOL,
    },
)
_BUILT_IN_ADD = "It is illegal to add execution to a built in flow"


def _step_info(state: FlowState, execution: Json) -> Json:
    authenticator = str(execution.get("authenticator"))
    found = provider(authenticator)
    rep: Json = {"providerId": authenticator}
    if found is None:  # a realm file's custom provider: shown, not fatal (Keycloak 26 flags it)
        rep |= {
            "displayName": authenticator,
            "configurable": False,
            "requirementChoices": [],
            "providerUnavailable": True,
        }
    else:
        rep |= {
            "displayName": found.name,
            "description": found.help_text,
            "configurable": found.configurable,
            "requirementChoices": list(found.choices),
        }
    config = state.config_by_alias(execution.get("authenticatorConfig"))
    if config is not None:
        rep["authenticationConfig"] = config["id"]
        if rep["configurable"]:
            rep["alias"] = config["alias"]
    return rep


def _subflow_info(state: FlowState, execution: Json, sub: Json) -> Json:
    kind = str(sub.get("providerId"))
    rep: Json = {
        "displayName": sub["alias"],
        "description": sub.get("description"),
        "configurable": False,
        "authenticationFlow": True,
        "flowId": sub["id"],
        "requirementChoices": list(SUBFLOW_CHOICES.get(kind, ())),
    }
    if kind == "form-flow":
        rep["providerId"] = execution.get("authenticator")
        config = state.config_by_alias(execution.get("authenticatorConfig"))
        if config is not None:
            rep["authenticationConfig"] = config["id"]
    return {k: v for k, v in rep.items() if v is not None}


def _infos(state: FlowState, flow: Json, level: int, seen: set[str], out: list[Json]) -> None:
    seen.add(flow["id"])
    for index, execution in enumerate(ordered(flow)):
        base = {
            "id": execution["id"],
            "requirement": execution.get("requirement"),
            "level": level,
            "index": index,
            "priority": priority(execution),
        }
        sub = state.subflow(execution)
        if sub is None and execution.get("flowAlias") is not None:
            continue  # a reference to a flow that does not exist: nothing to show
        if sub is None:
            out.append(base | _step_info(state, execution))
            continue
        out.append(base | _subflow_info(state, execution, sub))
        if sub["id"] not in seen:
            _infos(state, sub, level + 1, seen, out)


async def list_executions(call: AdminCall) -> object:
    state = FlowState.read(call)
    flow = state.by_alias(call.path["flowAlias"])
    if flow is None:
        raise AdminError.not_found("Flow not found")
    out: list[Json] = []
    _infos(state, flow, 0, set(), out)
    return out


def _requirement(value: object) -> str:
    if value not in REQUIREMENTS:
        raise AdminError.bad_request(f"Invalid requirement: {value}")
    return str(value)


async def update_execution(call: AdminCall) -> None:
    """Keycloak 26: a changed requirement or priority is stored; otherwise, for a sub-flow, its
    alias (``displayName``) and description."""
    body = body_object(call.body)
    state = await FlowState.write(call)
    if state.by_alias(call.path["flowAlias"]) is None:
        raise AdminError.not_found("flow not found")
    _, execution = state.execution(body.get("id"))
    changed = False
    if body.get("priority") is not None and body["priority"] != execution.get("priority"):
        execution["priority"], changed = int(body["priority"]), True
    if body.get("requirement") is not None and body["requirement"] != execution.get("requirement"):
        execution["requirement"], changed = _requirement(body["requirement"]), True
    if not changed and body.get("authenticationFlow") is not None:
        sub = next((f for f in state.flows if f["id"] == body.get("flowId")), None)
        if sub is None:
            raise AdminError.not_found("Illegal execution")
        if isinstance(body.get("displayName"), str) and body["displayName"]:
            rename_flow(state, sub, body["displayName"])
        sub["description"] = body.get("description") if isinstance(body.get("description"), str) else ""
    await state.save(call)


def _custom_parent(state: FlowState, alias: str, built_in_message: str) -> Json:
    flow = state.by_alias(alias)
    if flow is None:
        raise AdminError.web(400, "Parent flow doesn't exist")
    if flow.get("builtIn") is True:
        raise AdminError.web(400, built_in_message)
    return flow


def _priority(body: Json, parent: Json) -> int:
    value = body.get("priority")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return next_priority(parent)


async def add_execution(call: AdminCall) -> Created:
    body = body_object(call.body)
    state = await FlowState.write(call)
    parent = _custom_parent(state, call.path["flowAlias"], _BUILT_IN_ADD)
    name = body.get("provider")
    found = provider_for_flow(str(parent.get("providerId")), str(name))
    if found is None:
        raise AdminError.web(400, f"No authentication provider found for id: {name}")
    execution_id = call.ids.new_id()
    execution = {
        "id": execution_id,
        "authenticator": found.id,
        "authenticatorFlow": False,
        "requirement": found.choices[0] if len(found.choices) == 1 else "DISABLED",
        "priority": _priority(body, parent),
        "autheticatorFlow": False,
        "userSetupAllowed": False,
    }
    parent["authenticationExecutions"].append(execution)
    await state.save(call)
    return Created(execution_id, location=f"authentication/executions/{execution_id}")


async def add_subflow(call: AdminCall) -> Created:
    body = body_object(call.body)
    state = await FlowState.write(call)
    parent = _custom_parent(state, call.path["flowAlias"], "It is illegal to add sub-flow to a built in flow")
    alias = body.get("alias")
    if not isinstance(alias, str) or not alias:
        raise AdminError.conflict("Failed to create flow with empty alias name")
    if state.by_alias(alias) is not None:
        raise AdminError.conflict("New flow alias name already exists")
    kind = body.get("type") if isinstance(body.get("type"), str) else "basic-flow"
    sub = new_flow(call.ids.new_id(), alias, body.get("description"), kind)
    execution: Json = {"authenticator": body.get("provider")} if kind == "form-flow" else {}
    execution |= {
        "id": call.ids.new_id(),
        "authenticatorFlow": True,
        "requirement": "DISABLED",
        "priority": _priority(body, parent),
        "autheticatorFlow": True,
        "flowAlias": alias,
        "userSetupAllowed": False,
    }
    state.flows.append(sub)
    parent["authenticationExecutions"].append(execution)
    await state.save(call)
    return Created(sub["id"], location=f"authentication/flows/{sub['id']}")


async def get_execution(call: AdminCall) -> object:
    """``AuthenticationExecutionModel`` as Keycloak's JSON shows it (ids, not aliases)."""
    state = FlowState.read(call)
    parent, execution = state.execution(call.path["executionId"])
    requirement = execution.get("requirement")
    rep: Json = {"id": execution["id"]}
    if execution.get("authenticator") is not None:
        rep["authenticator"] = execution["authenticator"]
    config = state.config_by_alias(execution.get("authenticatorConfig"))
    if config is not None:
        rep["authenticatorConfig"] = config["id"]
    sub = state.subflow(execution)
    rep["authenticatorFlow"] = sub is not None
    if sub is not None:
        rep["flowId"] = sub["id"]
    return rep | {
        "requirement": requirement,
        "priority": priority(execution),
        "parentFlow": parent["id"],
        "required": requirement == "REQUIRED",
        "alternative": requirement == "ALTERNATIVE",
        "disabled": requirement == "DISABLED",
        "conditional": requirement == "CONDITIONAL",
        "enabled": requirement != "DISABLED",
    }


async def delete_execution(call: AdminCall) -> None:
    state = await FlowState.write(call)
    parent, execution = state.execution(call.path["executionId"])
    message = "It is illegal to remove execution from a built in flow"
    if parent.get("builtIn") is True:
        raise AdminError.web(400, message)
    parent["authenticationExecutions"] = [e for e in parent["authenticationExecutions"] if e is not execution]
    sub = state.subflow(execution)
    if sub is not None:
        remove_flows(state, flow_tree(state, sub), message)
    drop_unused_configs(state, [execution])
    await state.save(call)


async def _move(call: AdminCall, step: int) -> None:
    """Swap the execution's priority with its neighbour's (``step`` -1: the one before)."""
    state = await FlowState.write(call)
    parent, execution = state.execution(call.path["executionId"])
    if parent.get("builtIn") is True:
        raise AdminError.web(400, "It is illegal to modify execution in a built in flow")
    executions = ordered(parent)
    position = next(i for i, e in enumerate(executions) if e is execution)
    if not 0 <= position + step < len(executions):
        return
    other = executions[position + step]
    execution["priority"], other["priority"] = priority(other), priority(execution)
    await state.save(call)


async def raise_priority(call: AdminCall) -> None:
    await _move(call, -1)


async def lower_priority(call: AdminCall) -> None:
    await _move(call, 1)
