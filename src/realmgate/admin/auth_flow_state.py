"""One admin call's view of a realm's flows: look-ups with Keycloak's errors, and the save.

A write reads the realm row for update (so concurrent writers on other instances wait for each
other), changes the flows in memory and stores the whole set in the realm's settings. The save
logs what the change made a bound flow require that realmgate does not run, as a realm update
does (``keycloak.unenforced``): realmgate keeps the flows, its login does not execute them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError, realm_not_found
from realmgate.keycloak.auth_flows import RealmFlows, realm_flows, with_flows
from realmgate.keycloak.unenforced import log_findings, realm_findings
from realmgate.model.realm import Realm

Json = dict[str, Any]


def illegal_execution() -> AdminError:
    return AdminError.not_found("Illegal execution")


def config_not_found() -> AdminError:
    return AdminError.not_found("Could not find authenticator config")


@dataclass(slots=True)
class FlowState:
    realm: Realm
    found: RealmFlows

    @classmethod
    def read(cls, call: AdminCall) -> FlowState:
        return cls(call.realm, realm_flows(call.realm))

    @classmethod
    async def write(cls, call: AdminCall) -> FlowState:
        realm = await call.tx.realms.get(call.realm.id, for_update=True)
        if realm is None:
            raise realm_not_found()
        return cls(realm, realm_flows(realm))

    async def save(self, call: AdminCall) -> None:
        updated = with_flows(self.realm, self.found)
        before = set(realm_findings(self.realm))
        await call.tx.realms.update(updated)
        new = [f for f in realm_findings(updated) if f not in before]
        log_findings(updated.name, new, context="set by admin API")

    @property
    def flows(self) -> list[Json]:
        return self.found.flows

    @property
    def configs(self) -> list[Json]:
        return self.found.configs

    def by_alias(self, alias: object) -> Json | None:
        return next((f for f in self.flows if alias is not None and f.get("alias") == alias), None)

    def by_id(self, flow_id: str) -> Json | None:
        return next((f for f in self.flows if f.get("id") == flow_id), None)

    def execution(self, execution_id: object) -> tuple[Json, Json]:
        """(parent flow, execution); 404 "Illegal execution" when there is none."""
        for flow in self.flows:
            for execution in flow["authenticationExecutions"]:
                if execution_id is not None and execution.get("id") == execution_id:
                    return flow, execution
        raise illegal_execution()

    def config_by_id(self, config_id: str) -> Json:
        config = next((c for c in self.configs if c.get("id") == config_id), None)
        if config is None:
            raise config_not_found()
        return config

    def config_by_alias(self, alias: object) -> Json | None:
        return next((c for c in self.configs if alias is not None and c.get("alias") == alias), None)

    def subflow(self, execution: Json) -> Json | None:
        """The flow a sub-flow execution runs (None for an authenticator step)."""
        if execution.get("authenticatorFlow") is not True and execution.get("autheticatorFlow") is not True:
            return None
        return self.by_alias(execution.get("flowAlias"))


def ordered(flow: Json) -> list[Json]:
    """A flow's executions in the order Keycloak runs and lists them (by priority, stable)."""
    executions: list[Json] = flow["authenticationExecutions"]
    return sorted(executions, key=priority)


def priority(execution: Json) -> int:
    value = execution.get("priority")
    return value if isinstance(value, int) else 0


def next_priority(flow: Json) -> int:
    """Keycloak's ``getNextPriority``: one more than the last execution's, 0 for an empty flow."""
    executions = ordered(flow)
    return priority(executions[-1]) + 1 if executions else 0
