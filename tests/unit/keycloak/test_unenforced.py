"""The list of stored-but-unenforced realm settings: each check fires on the stronger value and
never on Keycloak's defaults, the password policy split matches what the code checks, log lines
never hold secrets, and docs/compatibility.md is the list."""

from __future__ import annotations

import copy
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from tests.keycloak.kc_facts import (
    REALM_SETTINGS_SAMPLE,
    keycloak_default_flows,
    keycloak_default_required_actions,
)

from realmgate.crypto.password_policy import check_policy
from realmgate.crypto.passwords import hash_password
from realmgate.keycloak.representations import realm_from_rep, realm_to_rep
from realmgate.keycloak.unenforced import (
    ENFORCED_PASSWORD_POLICIES,
    UNENFORCED,
    file_findings,
    log_findings,
    realm_findings,
)
from realmgate.model.realm import Realm

DOC = Path(__file__).parents[3] / "docs" / "compatibility.md"


def _found(rep: dict[str, Any]) -> list[tuple[str, str]]:
    realm, _ = realm_from_rep(rep, Realm(id="r", name="demo"))
    return [(f.setting, f.value) for f in realm_findings(realm)]


def _keycloak_defaults() -> dict[str, Any]:
    """A realm as a Keycloak 26 export of a fresh realm has its flows and required actions."""
    return {"authenticationFlows": keycloak_default_flows(), "requiredActions": keycloak_default_required_actions()}


def test_keycloaks_defaults_raise_nothing() -> None:
    assert _found({}) == []
    assert _found(_keycloak_defaults()) == []
    legacy_headers = {"xXSSProtection": "1; mode=block", "xFrameOptions": "SAMEORIGIN"}
    assert _found({"browserSecurityHeaders": legacy_headers, "sslRequired": "external"}) == []


@pytest.mark.parametrize(
    ("rep", "expected"),
    [
        ({"verifyEmail": True}, ("verifyEmail", "true")),
        ({"sslRequired": "all"}, ("sslRequired", "all")),
        ({"offlineSessionMaxLifespanEnabled": True}, ("offlineSessionMaxLifespanEnabled", "true")),
        ({"clientSessionIdleTimeout": 600}, ("clientSessionIdleTimeout", "600")),
        ({"clientOfflineSessionMaxLifespan": 60}, ("clientOfflineSessionMaxLifespan", "60")),
        ({"browserFlow": "my browser"}, ("browserFlow", "'my browser'")),
        ({"clientAuthenticationFlow": "mtls"}, ("clientAuthenticationFlow", "'mtls'")),
        ({"browserSecurityHeaders": {"xFrameOptions": "DENY"}}, ("browserSecurityHeaders", "xFrameOptions")),
        ({"passwordPolicy": "length(12) and passwordHistory(5)"}, ("passwordPolicy", "passwordHistory(5)")),
        ({"passwordPolicy": "notContainsUsername"}, ("passwordPolicy", "notContainsUsername")),
        (
            {"clientPolicies": {"policies": [{"name": "fapi", "enabled": True}]}},
            ("clientPolicies", "fapi"),
        ),
        ({"clientProfiles": {"profiles": [{"name": "strict"}]}}, ("clientProfiles", "strict")),
        ({"rememberMe": True}, ("rememberMe", "true")),
        ({"resetPasswordAllowed": True}, ("resetPasswordAllowed", "true")),
        ({"ssoSessionIdleTimeoutRememberMe": 60}, ("ssoSessionIdleTimeoutRememberMe", "60")),
        ({"smtpServer": {"host": "h", "password": "p"}}, ("smtpServer", "set")),
        ({"eventsExpiration": 3600}, ("eventsExpiration", "3600")),
    ],
)
def test_each_setting_is_found_on_its_stronger_value(rep: dict[str, Any], expected: tuple[str, str]) -> None:
    assert _found(rep) == [expected]


def _flows(rep: dict[str, Any]) -> dict[str, Any]:
    return {f["alias"]: f for f in rep["authenticationFlows"]}


def _set(flow: dict[str, Any], key: str, requirement: str) -> None:
    execution = next(e for e in flow["authenticationExecutions"] if key in (e.get("authenticator"), e.get("flowAlias")))
    execution["requirement"] = requirement


def test_otp_required_for_everyone_by_the_browser_flow() -> None:
    rep = _keycloak_defaults()
    flows = _flows(rep)
    _set(flows["forms"], "Browser - Conditional 2FA", "REQUIRED")
    _set(flows["Browser - Conditional 2FA"], "auth-otp-form", "REQUIRED")
    [finding] = file_findings(rep)
    assert (finding.setting, finding.value) == ("authenticationFlows", "flow 'browser' requires auth-otp-form")
    assert finding.weakens and finding.reason.startswith("realmgate has no one-time passwords")


def test_otp_required_for_some_users_by_a_condition() -> None:
    rep = _keycloak_defaults()
    conditional = _flows(rep)["Direct Grant - Conditional OTP"]["authenticationExecutions"]
    conditional.insert(0, {"authenticator": "conditional-user-role", "requirement": "REQUIRED", "priority": 5})
    assert _found(rep) == [("authenticationFlows", "flow 'direct grant' requires direct-grant-validate-otp")]


def test_default_required_actions() -> None:
    rep = _keycloak_defaults()
    actions = {a["alias"]: a for a in rep["requiredActions"]}
    for alias in ("CONFIGURE_TOTP", "webauthn-register", "VERIFY_EMAIL", "TERMS_AND_CONDITIONS"):
        actions[alias]["defaultAction"] = True  # TERMS_AND_CONDITIONS is disabled: never given
    found = {f.value: f.reason.split(":")[0].split(",")[0] for f in file_findings(rep)}
    assert found == {
        "CONFIGURE_TOTP is a default action": "realmgate has no one-time passwords",
        "webauthn-register is a default action": "realmgate has no WebAuthn",
        "VERIFY_EMAIL is a default action": "new users are not given the realm's default required actions "
        "(a user's own pending actions do stop a login",
    }


def test_other_required_steps_of_bound_flows_only() -> None:
    rep = _keycloak_defaults()
    step = {"authenticator": "auth-x509-client-username-form", "requirement": "REQUIRED", "priority": 5}
    _flows(rep)["forms"]["authenticationExecutions"].append(step)
    rep["authenticationFlows"].append({"alias": "unbound", "authenticationExecutions": [dict(step)]})
    assert _found(rep) == [("authenticationFlows", "flow 'browser' requires auth-x509-client-username-form")]


def test_the_sample_of_every_setting_is_refused_for_its_weakening_settings() -> None:
    weak = {f.setting for f in file_findings(copy.deepcopy(REALM_SETTINGS_SAMPLE)) if f.weakens}
    assert {"offlineSessionMaxLifespanEnabled", "authenticationFlows", "requiredActions"} <= weak
    assert {"clientPolicies", "clientProfiles", "browserFlow", "browserSecurityHeaders"} <= weak


@pytest.mark.parametrize(
    ("policy", "password"),
    [
        ("length(12)", "short"),
        ("maxLength(4)", "toolong"),
        ("digits(2)", "abc1"),
        ("lowerCase(2)", "ABCd"),
        ("upperCase(2)", "abcD"),
        ("specialChars(2)", "abc!"),
        ("notUsername", "alice"),
        ("notEmail", "alice@example.com"),
        ("regexPattern([0-9]+)", "abc"),
    ],
)
def test_policy_terms_listed_as_enforced_are_checked(policy: str, password: str) -> None:
    assert policy.split("(")[0] in ENFORCED_PASSWORD_POLICIES
    assert check_policy(password, policy, username="alice", email="alice@example.com") is not None
    assert _found({"passwordPolicy": policy}) == []


def test_hash_policy_terms_listed_as_enforced_are_applied() -> None:
    assert {"hashAlgorithm", "hashIterations"} <= ENFORCED_PASSWORD_POLICIES
    _, credential_data = hash_password("pw", policy="hashAlgorithm(pbkdf2-sha256) and hashIterations(1000)")
    assert '"algorithm":"pbkdf2-sha256"' in credential_data and '"hashIterations":1000' in credential_data


def test_policy_terms_listed_as_unenforced_are_not_checked() -> None:
    # If one of these starts being checked, move it to ENFORCED_PASSWORD_POLICIES.
    assert check_policy("xalicex", "notContainsUsername", username="alice") is None
    assert check_policy("old", "forceExpiredPasswordChange(1) and passwordAge(1) and maxAuthAge(1)") is None


def test_log_lines_name_the_setting_and_never_a_secret(caplog: pytest.LogCaptureFixture) -> None:
    realm, _ = realm_from_rep(
        {"verifyEmail": True, "smtpServer": {"host": "h", "password": "s3cret-smtp"}},
        Realm(id="r", name="demo"),
    )
    with caplog.at_level(logging.INFO, logger="realmgate.compat"):
        log_findings("demo", realm_findings(realm), context="stored")
    levels = {r.getMessage().split(" (")[0]: r.levelno for r in caplog.records}
    assert levels == {"realm demo: verifyEmail": logging.WARNING, "realm demo: smtpServer": logging.INFO}
    assert "NOT enforced" in caplog.text and "s3cret" not in caplog.text
    assert "s3cret" not in repr(realm_findings(realm)) and "s3cret" not in repr(realm_to_rep(realm))


def _table() -> str:
    rows = ["| setting | why it is not enforced | logged |", "| --- | --- | --- |"]
    for entry in UNENFORCED:
        logged = "warning; refused by --strict" if entry.weakens else "info"
        rows.append(f"| {entry.settings} | {entry.reason} | {logged} |")
    return "\n".join(rows)


def test_docs_list_is_the_modules_list() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- unenforced:begin -->\n(.*)\n<!-- unenforced:end -->", text, re.S)
    assert block is not None
    assert block.group(1) == _table(), "docs/compatibility.md is out of date; paste:\n" + _table()
