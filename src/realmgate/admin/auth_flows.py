"""``authentication/flows``: list, read, create, update, delete and copy a realm's flows.

Keycloak's paths, representations and error texts (``AuthenticationManagementResource``). The
flows are data realmgate keeps and shows; its login does not run them (``auth_flow_state``).
Where Keycloak would fail on a missing value with a server error (a PUT without ``providerId``,
a copy without ``newName``), realmgate keeps the stored value or answers Keycloak's "empty
alias" conflict instead.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from realmgate.admin.auth_flow_state import FlowState, Json, ordered
from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_object
from realmgate.admin.schema import BOOL, STR, arr, obj
from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.auth_flows import BINDINGS
from realmgate.keycloak.representations.realm_settings import SETTINGS

FLOW = obj(
    "AuthenticationFlowRepresentation",
    {
        "id": STR,
        "alias": STR,
        "description": STR,
        "providerId": STR,
        "topLevel": BOOL,
        "builtIn": BOOL,
        "authenticationExecutions": arr({"type": "object", "additionalProperties": True}),
    },
)
# Keycloak leaves this flow out of the flow list (it is for SAML clients, see DefaultAuthenticationFlows).
_HIDDEN = "saml ecp"


def flow_rep(flow: Json) -> Json:
    """``AuthenticationFlowRepresentation``: the flow with its executions in realm-file form."""
    rep = {k: copy.deepcopy(v) for k, v in flow.items() if k != "authenticationExecutions"}
    rep["authenticationExecutions"] = [{k: v for k, v in e.items() if k != "id"} for e in ordered(flow)]
    return rep


def flow_not_found_by_id() -> AdminError:
    return AdminError.not_found("Could not find flow with id")


async def list_flows(call: AdminCall) -> object:
    state = FlowState.read(call)
    return [flow_rep(f) for f in state.flows if f.get("topLevel") is True and f.get("alias") != _HIDDEN]


async def get_flow(call: AdminCall) -> object:
    flow = FlowState.read(call).by_id(call.path["id"])
    if flow is None:
        raise flow_not_found_by_id()
    return flow_rep(flow)


def _alias(body: Json, empty_message: str) -> str:
    alias = body.get("alias")
    if not isinstance(alias, str) or not alias:
        raise AdminError.conflict(empty_message)
    return alias


async def create_flow(call: AdminCall) -> Created:
    body = body_object(call.body)
    alias = _alias(body, "Failed to create flow with empty alias name")
    state = await FlowState.write(call)
    if state.by_alias(alias) is not None:
        raise AdminError.conflict(f"Flow {alias} already exists")
    flow = new_flow(call.ids.new_id(), alias, body.get("description"), body.get("providerId") or "basic-flow")
    flow["topLevel"], flow["builtIn"] = body.get("topLevel") is True, body.get("builtIn") is True
    state.flows.append(flow)
    await state.save(call)
    return Created(flow["id"])


def new_flow(id: str, alias: str, description: object, provider: object) -> Json:
    """A new, empty, not built-in flow (Keycloak stores an absent description as "")."""
    return {
        "id": id,
        "alias": alias,
        "description": description if isinstance(description, str) else "",
        "providerId": provider if isinstance(provider, str) else "basic-flow",
        "topLevel": False,
        "builtIn": False,
        "authenticationExecutions": [],
    }


def rename_flow(state: FlowState, flow: Json, alias: str) -> None:
    """Give ``flow`` a new alias, and every reference to it (parent executions, realm bindings)."""
    old = flow["alias"]
    if old == alias:
        return
    if state.by_alias(alias) is not None:
        raise AdminError.conflict("Flow alias name already exists")
    for other in state.flows:
        for execution in other["authenticationExecutions"]:
            if state.subflow(execution) is flow:
                execution["flowAlias"] = alias
    settings = dict(state.realm.extra_settings)
    for binding in BINDINGS:
        if settings.get(binding, SETTINGS[binding].default) == old:
            settings[binding] = alias
    state.realm = replace(state.realm, extra_settings=settings)
    flow["alias"] = alias


async def update_flow(call: AdminCall) -> object:
    body = body_object(call.body)
    state = await FlowState.write(call)
    flow = state.by_id(call.path["id"])
    if flow is None:
        raise flow_not_found_by_id()
    rename_flow(state, flow, _alias(body, "Failed to update flow with empty alias name"))
    if isinstance(body.get("description"), str):
        flow["description"] = body["description"]
    if isinstance(body.get("providerId"), str):
        flow["providerId"] = body["providerId"]
    for key in ("topLevel", "builtIn"):
        if isinstance(body.get(key), bool):
            flow[key] = body[key]
    await state.save(call)
    return {**body, "id": flow["id"]}


def _in_use(state: FlowState, flow: Json, others: list[Any]) -> bool:
    settings = state.realm.extra_settings
    if any(settings.get(b, SETTINGS[b].default) == flow["alias"] for b in BINDINGS):
        return True
    return any(flow["alias"] in (idp.first_broker_login_flow_alias, idp.post_broker_login_flow_alias) for idp in others)


def flow_tree(state: FlowState, flow: Json) -> list[Json]:
    """``flow`` and every sub-flow below it, each once."""
    found: dict[str, Json] = {}
    todo = [flow]
    while todo:
        current = todo.pop()
        if current["id"] not in found:
            found[current["id"]] = current
            todo += [s for s in map(state.subflow, current["authenticationExecutions"]) if s is not None]
    return list(found.values())


def remove_flows(state: FlowState, removed: list[Json], message: str) -> None:
    """Delete ``removed`` (400 ``message`` if one is built in) and the configs only they used."""
    if any(f.get("builtIn") is True for f in removed):
        raise AdminError.web(400, message)
    gone = {f["id"] for f in removed}
    state.found.flows = [f for f in state.flows if f["id"] not in gone]
    drop_unused_configs(state, [e for f in removed for e in f["authenticationExecutions"]])


def drop_unused_configs(state: FlowState, removed: list[Json]) -> None:
    """Delete the configs of the ``removed`` executions that no remaining execution uses."""
    used = {e.get("authenticatorConfig") for f in state.flows for e in f["authenticationExecutions"]}
    orphaned = {e.get("authenticatorConfig") for e in removed} - used - {None}
    state.found.configs = [c for c in state.configs if c.get("alias") not in orphaned]


async def delete_flow(call: AdminCall) -> None:
    state = await FlowState.write(call)
    flow = state.by_id(call.path["id"])
    if flow is None:
        raise AdminError.not_found("Flow not found")
    if flow.get("builtIn") is True:
        raise AdminError.web(400, "Can't delete built in flow")
    if _in_use(state, flow, list(await call.tx.identity_providers.list(state.realm.id))):
        raise AdminError.bad_request("Cannot remove authentication flow, it is currently in use")
    remove_flows(state, flow_tree(state, flow), "Can't delete built in flow")
    await state.save(call)


def _copy(state: FlowState, source: Json, alias: str, prefix: str, top: bool, ids: Randomness) -> Json:
    """Keycloak's ``copyFlow``: the flow, its sub-flows ("{new name} {alias}") and the configs of
    its steps ("{new name} {alias}"), all new and not built in."""
    if state.by_alias(alias) is not None:
        raise AdminError.conflict("New flow alias name already exists")
    copied = new_flow(ids.new_id(), alias, source.get("description"), source.get("providerId"))
    copied["topLevel"] = top and source.get("topLevel") is True
    state.flows.append(copied)
    for execution in ordered(source):
        clone = {**copy.deepcopy(execution), "id": ids.new_id()}
        sub = state.subflow(execution)
        if sub is not None:
            clone["flowAlias"] = _copy(state, sub, f"{prefix} {sub['alias']}", prefix, False, ids)["alias"]
        config = state.config_by_alias(execution.get("authenticatorConfig"))
        if config is not None:
            new_alias = f"{prefix} {config['alias']}"
            state.configs.append({"id": ids.new_id(), "alias": new_alias, "config": copy.deepcopy(config["config"])})
            clone["authenticatorConfig"] = new_alias
        copied["authenticationExecutions"].append(clone)
    return copied


async def copy_flow(call: AdminCall) -> Created:
    body = body_object(call.body)
    name = body.get("newName")
    state = await FlowState.write(call)
    if state.by_alias(name) is not None:
        raise AdminError.conflict("New flow alias name already exists")
    source = state.by_alias(call.path["flowAlias"])
    if source is None:
        raise AdminError.not_found("Flow not found")
    if not isinstance(name, str) or not name:
        raise AdminError.conflict("Failed to create flow with empty alias name")
    copied = _copy(state, source, name, name, True, call.ids)
    await state.save(call)
    return Created(copied["id"], location=f"authentication/flows/{copied['id']}")
