"""Keycloak's Authentication Management API against a real server: the built-in flows of a
fresh realm, copying and editing a flow, execution configs, Keycloak's errors, the partial
export, and the ``realmgate.compat`` warning when a bound flow requires a step realmgate does
not run. ``ADMIN_E2E_DB=postgres`` runs the same tests on PostgreSQL (see conftest)."""

from __future__ import annotations

from typing import Any

import httpx
from tests.e2e.harness import ServerProcess

from keycloak import KeycloakAdmin

BUILT_IN = {
    "browser",
    "direct grant",
    "registration",
    "reset credentials",
    "clients",
    "first broker login",
    "docker auth",
}


def _auth(realm: str, path: str) -> str:
    return f"/admin/realms/{realm}/authentication/{path}"


def _copy(http: httpx.Client, realm: str, source: str, alias: str) -> dict[str, Any]:
    """Copy ``source`` as ``alias``; the new top-level flow's representation."""
    response = http.post(_auth(realm, f"flows/{source}/copy"), json={"newName": alias})
    assert response.status_code == 201, response.text
    flow_id = response.headers["Location"].rsplit("/", 1)[-1]
    flow = http.get(_auth(realm, f"flows/{flow_id}")).json()
    assert flow["alias"] == alias and flow["builtIn"] is False
    return dict(flow)


def _executions(http: httpx.Client, realm: str, alias: str) -> list[dict[str, Any]]:
    response = http.get(_auth(realm, f"flows/{alias}/executions"))
    assert response.status_code == 200, response.text
    return list(response.json())


def test_fresh_realm_lists_built_in_flows_with_stable_ids(kc: KeycloakAdmin, realm: str) -> None:
    first = kc.get_authentication_flows()
    second = kc.get_authentication_flows()
    aliases = {f["alias"] for f in first}
    assert aliases >= BUILT_IN
    assert all(f["builtIn"] and f["topLevel"] for f in first if f["alias"] in BUILT_IN)
    assert {f["alias"]: f["id"] for f in first} == {f["alias"]: f["id"] for f in second}
    assert len({f["id"] for f in first}) == len(first)
    browser = next(f for f in first if f["alias"] == "browser")
    assert kc.get_authentication_flow_for_id(browser["id"])["alias"] == "browser"
    providers = {e.get("providerId") for e in kc.get_authentication_flow_executions("browser")}
    assert {"auth-cookie", "identity-provider-redirector", "auth-username-password-form", "auth-otp-form"} <= providers


def test_copy_add_execution_and_subflow_and_reorder(kc: KeycloakAdmin, realm: str, http: httpx.Client) -> None:
    _copy(http, realm, "browser", "my browser")
    kc.create_authentication_flow_execution({"provider": "auth-otp-form"}, "my browser")
    kc.create_authentication_flow_subflow(
        {"alias": "my sub", "provider": "registration-page-form", "type": "basic-flow", "description": "extra"},
        "my browser",
    )
    top = [e for e in _executions(http, realm, "my browser") if e["level"] == 0]
    names = [e.get("providerId") or e["displayName"] for e in top]
    assert names[-2:] == ["auth-otp-form", "my sub"], names
    sub = top[-1]
    assert sub["authenticationFlow"] is True and sub["requirement"] == "DISABLED"
    added = top[-2]
    assert added["requirement"] == "DISABLED"

    kc.change_execution_priority(sub["id"], 1)  # raise: the sub-flow moves above the OTP form
    names = [e.get("providerId") or e["displayName"] for e in _executions(http, realm, "my browser") if e["level"] == 0]
    assert names[-2:] == ["my sub", "auth-otp-form"], names
    kc.change_execution_priority(sub["id"], -1)  # lower: back below it
    names = [e.get("providerId") or e["displayName"] for e in _executions(http, realm, "my browser") if e["level"] == 0]
    assert names[-2:] == ["auth-otp-form", "my sub"], names

    kc.update_authentication_flow_executions({"id": added["id"], "requirement": "ALTERNATIVE"}, "my browser")
    updated = next(e for e in _executions(http, realm, "my browser") if e["id"] == added["id"])
    assert updated["requirement"] == "ALTERNATIVE"

    # The copy is a flow of its own: the built-in browser flow is unchanged.
    original = _executions(http, realm, "browser")
    assert not any(e["displayName"] == "my sub" for e in original)
    assert all(e["id"] != added["id"] for e in original)


def test_execution_config_create_read_update_delete(kc: KeycloakAdmin, realm: str, http: httpx.Client) -> None:
    _copy(http, realm, "browser", "cfg flow")
    redirector = next(
        e for e in _executions(http, realm, "cfg flow") if e.get("providerId") == "identity-provider-redirector"
    )
    created = http.post(
        _auth(realm, f"executions/{redirector['id']}/config"),
        json={"alias": "idp-default", "config": {"defaultProvider": "upstream"}},
    )
    assert created.status_code == 201, created.text
    config_id = created.headers["Location"].rsplit("/", 1)[-1]
    execution = next(e for e in _executions(http, realm, "cfg flow") if e["id"] == redirector["id"])
    assert execution["authenticationConfig"] == config_id

    config = kc.get_authenticator_config(config_id)
    assert config["alias"] == "idp-default" and config["config"] == {"defaultProvider": "upstream"}
    again = http.post(
        _auth(realm, f"executions/{redirector['id']}/config"), json={"alias": "idp-default", "config": {}}
    )
    assert again.status_code == 409
    assert again.json() == {"errorMessage": "Authenticator config idp-default already exists"}

    kc.update_authenticator_config({"alias": "idp-default", "config": {"defaultProvider": "other"}}, config_id)
    assert kc.get_authenticator_config(config_id)["config"] == {"defaultProvider": "other"}

    kc.delete_authenticator_config(config_id)
    gone = http.get(_auth(realm, f"config/{config_id}"))
    assert gone.status_code == 404
    assert gone.json() == {"error": "Could not find authenticator config"}
    execution = next(e for e in _executions(http, realm, "cfg flow") if e["id"] == redirector["id"])
    assert "authenticationConfig" not in execution


def test_errors_are_keycloaks(kc: KeycloakAdmin, realm: str, http: httpx.Client) -> None:
    unknown = http.get(_auth(realm, "flows/00000000-0000-0000-0000-000000000000"))
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "Could not find flow with id"}

    duplicate = http.post(
        _auth(realm, "flows"), json={"alias": "browser", "providerId": "basic-flow", "topLevel": True}
    )
    assert duplicate.status_code == 409
    assert duplicate.json() == {"errorMessage": "Flow browser already exists"}

    flows = {f["alias"]: f["id"] for f in kc.get_authentication_flows()}
    built_in = http.delete(_auth(realm, f"flows/{flows['browser']}"))
    assert built_in.status_code == 400
    assert built_in.json() == {"error": "Can't delete built in flow"}

    bound = _copy(http, realm, "browser", "bound browser")
    kc.update_realm(realm, {"browserFlow": "bound browser"})
    in_use = http.delete(_auth(realm, f"flows/{bound['id']}"))
    assert in_use.status_code == 400
    assert in_use.json() == {"errorMessage": "Cannot remove authentication flow, it is currently in use"}
    assert http.get(_auth(realm, f"flows/{bound['id']}")).status_code == 200

    kc.update_realm(realm, {"browserFlow": "browser"})
    assert http.delete(_auth(realm, f"flows/{bound['id']}")).status_code == 204
    assert "bound browser" not in {f["alias"] for f in kc.get_authentication_flows()}


def test_changes_appear_in_partial_export(kc: KeycloakAdmin, realm: str, http: httpx.Client) -> None:
    _copy(http, realm, "direct grant", "exported grant")
    kc.create_authentication_flow_execution({"provider": "auth-otp-form"}, "exported grant")
    response = http.post(f"/admin/realms/{realm}/partial-export")
    assert response.status_code == 200, response.text
    flows = {f["alias"]: f for f in response.json()["authenticationFlows"]}
    assert set(flows) >= BUILT_IN
    steps = [e.get("authenticator") for e in flows["exported grant"]["authenticationExecutions"]]
    assert steps[-1] == "auth-otp-form", steps
    original = [e.get("authenticator") for e in flows["direct grant"]["authenticationExecutions"]]
    assert "auth-otp-form" not in original


def test_bound_flow_requiring_an_unsupported_step_logs_a_compat_warning(
    kc: KeycloakAdmin, realm: str, http: httpx.Client, admin_server: ServerProcess
) -> None:
    _copy(http, realm, "browser", "otp browser")
    kc.update_realm(realm, {"browserFlow": "otp browser"})
    line = f"realm {realm}: authenticationFlows (flow 'otp browser' requires auth-otp-form)"
    # In the copy, the OTP form is an ALTERNATIVE inside a CONDITIONAL sub-flow that runs only
    # for users with an OTP credential: nobody has one in realmgate, so nothing is required yet.
    assert line not in admin_server.logs()
    kc.create_authentication_flow_execution({"provider": "auth-otp-form"}, "otp browser")
    added = [e for e in _executions(http, realm, "otp browser") if e["level"] == 0][-1]
    assert added["providerId"] == "auth-otp-form" and added["requirement"] == "DISABLED"
    assert line not in admin_server.logs()
    kc.update_authentication_flow_executions({"id": added["id"], "requirement": "REQUIRED"}, "otp browser")
    logs = admin_server.wait_for_log(line)
    warning = next((row for row in logs.splitlines() if line in row), "")
    assert "WARNING" in warning and "[realmgate.compat]" in warning, warning
    assert "set by admin API" in warning
