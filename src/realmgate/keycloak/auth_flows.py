"""A realm's authentication flows and authenticator configs, as Keycloak keeps them.

realmgate stores them as data, in the realm's settings under Keycloak's realm-file names
(``authenticationFlows``, ``authenticatorConfig``), in the realm-file form: a flow names its
sub-flows by ``flowAlias`` and the configs of its executions by alias. Its login does not run
them (``keycloak.unenforced`` reports the steps a bound flow requires that realmgate skips).

A realm that never stored flows has Keycloak 26's built-in ones (``DefaultAuthenticationFlows``:
browser, direct grant, registration, reset credentials, clients, first broker login, saml ecp,
docker auth and their sub-flows; the organization steps outside the master realm; no preview
features). Their ids are derived from the realm's id, so every instance sharing the database
shows the same ids before the first change stores the whole set. Stored executions get an
``id`` too (the admin API addresses them by it); a realm file's executions have none, so theirs
are derived from the flow's id and their position until the first change stores them. Exports
leave execution ids out, as Keycloak's do.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from realmgate.model.realm import Realm

FLOWS, CONFIGS = "authenticationFlows", "authenticatorConfig"
MASTER = "master"
# The realm settings that bind a flow by alias (Keycloak's realm flow bindings).
BINDINGS = (
    "browserFlow",
    "registrationFlow",
    "directGrantFlow",
    "resetCredentialsFlow",
    "clientAuthenticationFlow",
    "dockerAuthenticationFlow",
    "firstBrokerLoginFlow",
)
_NAMESPACE = uuid.UUID("5d0c3e4e-8c1b-4f4e-9a49-7a3f3c1f6b21")

Json = dict[str, Any]


@dataclass(slots=True)
class RealmFlows:
    """The flows and configs of one realm, ids filled in (callers may change them)."""

    flows: list[Json] = field(default_factory=list)
    configs: list[Json] = field(default_factory=list)


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _execution(fields: Json, requirement: str, priority: int, *, flow: bool) -> Json:
    """An execution as Keycloak exports it (both spellings of the sub-flow flag)."""
    return fields | {
        "authenticatorFlow": flow,
        "requirement": requirement,
        "priority": priority,
        "autheticatorFlow": flow,
        "userSetupAllowed": False,
    }


def _step(authenticator: str, requirement: str, priority: int, config: str | None = None) -> Json:
    fields: Json = {"authenticator": authenticator} | ({"authenticatorConfig": config} if config else {})
    return _execution(fields, requirement, priority, flow=False)


def _sub(alias: str, requirement: str, priority: int, form: str | None = None) -> Json:
    fields: Json = ({"authenticator": form} if form else {}) | {"flowAlias": alias}
    return _execution(fields, requirement, priority, flow=True)


def _flow(
    alias: str, description: str | None, *executions: Json, provider: str = "basic-flow", top: bool = False
) -> Json:
    flow: Json = {"alias": alias}
    if description is not None:
        flow["description"] = description
    return flow | {
        "providerId": provider,
        "topLevel": top,
        "builtIn": True,
        "authenticationExecutions": list(executions),
    }


R, A, D, C = "REQUIRED", "ALTERNATIVE", "DISABLED", "CONDITIONAL"
_CLIENT_STEPS = ("client-secret", "client-jwt", "client-secret-jwt", "client-x509")
_TWO_FACTOR = "Flow to determine if any 2FA is required for the authentication"


def _password_then_2fa(alias: str, description: str, password_step: str, prefix: str) -> tuple[Json, Json]:
    """A password step, then the "{prefix} - Conditional 2FA" sub-flow (OTP, WebAuthn or a
    recovery code for users who configured one): the browser's forms and first broker login's
    re-authentication are built alike."""
    two_factor = f"{prefix} - Conditional 2FA"
    return (
        _flow(alias, description, _step(password_step, R, 10), _sub(two_factor, C, 20)),
        _flow(
            two_factor,
            _TWO_FACTOR,
            _step("conditional-user-configured", R, 10),
            _step("auth-otp-form", A, 30),
            _step("webauthn-authenticator", D, 40),
            _step("auth-recovery-authn-code-form", D, 50),
        ),
    )


def _conditional(alias: str, description: str, step: str, requirement: str = R) -> Json:
    """Keycloak's "condition, then one step" sub-flow: the step runs for users who configured it."""
    return _flow(alias, description, _step("conditional-user-configured", R, 10), _step(step, requirement, 20))


def _steps_then_otp(
    top: tuple[str, str], steps: tuple[str, ...], otp: tuple[str, str], otp_step: str
) -> tuple[Json, Json]:
    """A top-level flow of REQUIRED steps (priorities 10, 20, ...) ending in a CONDITIONAL OTP
    sub-flow: Keycloak's direct grant and reset credentials flows. ``top`` and ``otp`` are
    (alias, description) pairs."""
    executions = [_step(name, R, 10 * (i + 1)) for i, name in enumerate(steps)]
    executions.append(_sub(otp[0], C, 10 * (len(steps) + 1)))
    return _flow(*top, *executions, top=True), _conditional(*otp, otp_step)


def _builtin_flows(organizations: bool) -> list[Json]:
    browser = [
        _step("auth-cookie", A, 10),
        _step("auth-spnego", D, 20),
        _step("identity-provider-redirector", A, 25),
        *([_sub("Organization", A, 26)] if organizations else []),
        _sub("forms", A, 30),
    ]
    first_broker = [
        _step("idp-review-profile", R, 10, "review profile config"),
        _sub("User creation or linking", R, 20),
        *([_sub("First Broker Login - Conditional Organization", C, 60)] if organizations else []),
    ]
    flows = [
        _flow("browser", "Browser based authentication", *browser, top=True),
        *_password_then_2fa(
            "forms", "Username, password, otp and other auth forms.", "auth-username-password-form", "Browser"
        ),
        *_steps_then_otp(
            ("direct grant", "OpenID Connect Resource Owner Grant"),
            ("direct-grant-validate-username", "direct-grant-validate-password"),
            ("Direct Grant - Conditional OTP", "Flow to determine if the OTP is required for the authentication"),
            "direct-grant-validate-otp",
        ),
        _flow(
            "registration", "Registration flow", _sub("registration form", R, 10, "registration-page-form"), top=True
        ),
        _flow(
            "registration form",
            "Registration form",
            _step("registration-user-creation", R, 20),
            _step("registration-password-action", R, 50),
            _step("registration-recaptcha-action", D, 60),
            _step("registration-terms-and-conditions", D, 70),
            provider="form-flow",
        ),
        *_steps_then_otp(
            ("reset credentials", "Reset credentials for a user if they forgot their password or something"),
            ("reset-credentials-choose-user", "reset-credential-email", "reset-password"),
            (
                "Reset - Conditional OTP",
                "Flow to determine if the OTP should be reset or not. Set to REQUIRED to force.",
            ),
            "reset-otp",
        ),
        _flow(
            "clients",
            "Base authentication for clients",
            *(_step(name, A, 10 * (i + 1)) for i, name in enumerate(_CLIENT_STEPS)),
            provider="client-flow",
            top=True,
        ),
        _flow(
            "first broker login",
            "Actions taken after first broker login with identity provider account, which is not yet linked to any "
            "Keycloak account",
            *first_broker,
            top=True,
        ),
        _flow(
            "User creation or linking",
            "Flow for the existing/non-existing user alternatives",
            _step("idp-create-user-if-unique", A, 10, "create unique user config"),
            _sub("Handle Existing Account", A, 20),
        ),
        _flow(
            "Handle Existing Account",
            "Handle what to do if there is existing account with same email/username like authenticated identity "
            "provider",
            _step("idp-confirm-link", R, 10),
            _sub("Account verification options", R, 20),
        ),
        _flow(
            "Account verification options",
            "Method with which to verity the existing account",
            _step("idp-email-verification", A, 10),
            _sub("Verify Existing Account by Re-authentication", A, 20),
        ),
        *_password_then_2fa(
            "Verify Existing Account by Re-authentication",
            "Reauthentication of existing account",
            "idp-username-password-form",
            "First broker login",
        ),
        _flow(
            "saml ecp",
            "SAML ECP Profile Authentication Flow",
            _step("http-basic-authenticator", R, 10),
            top=True,
        ),
        _flow(
            "docker auth",
            "Used by Docker clients to authenticate against the IDP",
            _step("docker-http-basic-authenticator", R, 10),
            top=True,
        ),
    ]
    if organizations:
        flows += [
            _flow("Organization", None, _sub("Browser - Conditional Organization", C, 10)),
            _conditional(
                "Browser - Conditional Organization",
                "Flow to determine if the organization identity-first login is to be used",
                "organization",
                A,
            ),
            _conditional(
                "First Broker Login - Conditional Organization",
                "Flow to determine if the authenticator that adds organization members is to be used",
                "idp-add-organization-member",
            ),
        ]
    return flows


_BUILTIN_CONFIGS = (
    ("review profile config", {"update.profile.on.first.login": "missing"}),
    ("create unique user config", {"require.password.update.after.registration": "false"}),
)


def _objects(value: object) -> list[Json]:
    return [copy.deepcopy(v) for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def realm_flows(realm: Realm) -> RealmFlows:
    """The realm's flows and configs: the stored ones, or Keycloak's built-in set."""
    flows, configs = _objects(realm.extra_settings.get(FLOWS)), _objects(realm.extra_settings.get(CONFIGS))
    if not flows:
        flows = _builtin_flows(organizations=realm.name != MASTER)
        configs = [{"alias": alias, "config": dict(values)} for alias, values in _BUILTIN_CONFIGS]
    for flow in flows:
        flow.setdefault("id", stable_id(realm.id, "flow", str(flow.get("alias"))))
        flow["authenticationExecutions"] = _objects(flow.get("authenticationExecutions"))
        for index, execution in enumerate(flow["authenticationExecutions"]):
            execution.setdefault("id", stable_id(realm.id, "execution", str(flow["id"]), str(index)))
    for config in configs:
        config.setdefault("id", stable_id(realm.id, "config", str(config.get("alias"))))
        if not isinstance(config.get("config"), dict):
            config["config"] = {}
    return RealmFlows(flows, configs)


def export_flows(found: RealmFlows) -> tuple[list[Json], list[Json]]:
    """The realm-file form: executions without their ids."""
    flows = copy.deepcopy(found.flows)
    for flow in flows:
        for execution in flow["authenticationExecutions"]:
            execution.pop("id", None)
    return flows, copy.deepcopy(found.configs)


def with_flows(realm: Realm, found: RealmFlows) -> Realm:
    """``realm`` with ``found`` stored (ids included) in its settings."""
    return replace(realm, extra_settings={**realm.extra_settings, FLOWS: found.flows, CONFIGS: found.configs})
