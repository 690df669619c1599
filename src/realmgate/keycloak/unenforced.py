"""The realm settings realmgate stores but does not act on yet, each with the reason.

Storing a setting is not enforcing it: a realm whose file or admin call turns on email
verification must not believe it has it. ``UNENFORCED`` is the one list of such settings, derived
from what the code does (docs/compatibility.md is checked against it by a unit test). Each entry
checks a realm's Keycloak JSON (``realm_to_rep``, secrets masked) and reports a ``Finding`` for
every setting set to a value realmgate would have to act on: a stronger value than Keycloak's
default, never the default itself. ``weakens`` entries make a realm less secure than it says
(logged as warnings, refused by ``--strict`` imports); the others are features that are simply
absent, so nothing is weaker than asked (logged at info level).

Findings name the setting and a value that is safe to log (never a secret: SMTP settings are
reported without values).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from realmgate.crypto.password_policy import PolicyError, parse_policy
from realmgate.keycloak.components import COMPONENTS, registration_policy_checks, user_storage_checks
from realmgate.keycloak.representations import realm_from_rep, realm_to_rep
from realmgate.keycloak.representations.realm_settings import SETTINGS
from realmgate.model.realm import Realm

log = logging.getLogger("realmgate.compat")

Rep = Mapping[str, object]
# A check yields (setting name, value to show) for each setting it finds switched on.
Check = Callable[[Rep], Iterable[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class Unenforced:
    """One entry of the list: the settings it covers (for the docs), why they are not enforced."""

    settings: str
    reason: str
    check: Check
    weakens: bool = True


@dataclass(frozen=True, slots=True)
class Finding:
    """A realm has ``setting`` at ``value``, which realmgate does not act on."""

    setting: str
    value: str
    reason: str
    weakens: bool


def _default(name: str) -> object:
    return SETTINGS[name].default


def _on(*fields: str) -> Check:
    def check(rep: Rep) -> Iterator[tuple[str, str]]:
        for name in fields:
            if rep.get(name) is True:
                yield name, "true"

    return check


def _positive(*fields: str) -> Check:
    def check(rep: Rep) -> Iterator[tuple[str, str]]:
        for name in fields:
            value = rep.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                yield name, str(value)

    return check


# --- authentication flows and required actions ------------------------------------------------

# The login steps realmgate's built-in flows perform (username and password form, SSO cookie,
# identity provider redirect, first broker login's review, create, confirm-link, re-authenticate).
PERFORMED_STEPS = frozenset(
    {
        "auth-cookie",
        "identity-provider-redirector",
        "auth-username-password-form",
        "auth-username-form",
        "auth-password-form",
        "direct-grant-validate-username",
        "direct-grant-validate-password",
        "idp-review-profile",
        "idp-create-user-if-unique",
        "idp-confirm-link",
        "idp-username-password-form",
    }
)
OTP_STEPS = frozenset({"auth-otp-form", "auth-conditional-otp-form", "direct-grant-validate-otp"})
WEBAUTHN_STEPS = frozenset({"webauthn-authenticator"})
PASSKEY_STEPS = frozenset({"webauthn-authenticator-passwordless"})
OTP_ACTIONS = frozenset({"CONFIGURE_TOTP"})
WEBAUTHN_ACTIONS = frozenset({"webauthn-register"})
PASSKEY_ACTIONS = frozenset({"webauthn-register-passwordless"})
# The flows realmgate has an equivalent of: the realm's bindings decide which flow runs.
BOUND_FLOWS = ("browserFlow", "directGrantFlow", "firstBrokerLoginFlow")
# Keycloak's condition that holds only for users who configured the sub-flow's steps (an OTP
# credential, say): realmgate users have no such credentials, so such sub-flows never run.
_USER_CONFIGURED = "conditional-user-configured"


def _objects(value: object) -> list[Mapping[str, object]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _executions(flow: Mapping[str, object] | None) -> list[Mapping[str, object]]:
    return _objects(flow.get("authenticationExecutions")) if flow else []


def _subflow(execution: Mapping[str, object]) -> str | None:
    # Keycloak's export spells it "autheticatorFlow"; newer versions also "authenticatorFlow".
    is_flow = execution.get("autheticatorFlow") is True or execution.get("authenticatorFlow") is True
    alias = execution.get("flowAlias")
    return alias if is_flow and isinstance(alias, str) else None


def _runs_for_some_users(flow: Mapping[str, object] | None) -> bool:
    """A CONDITIONAL sub-flow runs unless its only conditions are "user configured"."""
    conditions = {
        str(e.get("authenticator"))
        for e in _executions(flow)
        if str(e.get("authenticator", "")).startswith("conditional-") and e.get("requirement") != "DISABLED"
    }
    return not conditions <= {_USER_CONFIGURED}


def _required_steps(flows: Mapping[str, Mapping[str, object]], alias: str, seen: set[str]) -> Iterator[str]:
    """Authenticators a login through flow ``alias`` must pass (REQUIRED, not inside a skipped
    or DISABLED sub-flow); ALTERNATIVE steps are not required, ALTERNATIVE sub-flows are walked."""
    if alias in seen or alias not in flows:
        return
    seen.add(alias)
    for execution in _executions(flows[alias]):
        requirement = execution.get("requirement")
        sub = _subflow(execution)
        if sub is not None:
            walk = requirement in ("REQUIRED", "ALTERNATIVE") or (
                requirement == "CONDITIONAL" and _runs_for_some_users(flows.get(sub))
            )
            if walk:
                yield from _required_steps(flows, sub, seen)
            continue
        step = execution.get("authenticator")
        if requirement == "REQUIRED" and isinstance(step, str) and not step.startswith("conditional-"):
            yield step


def required_steps(rep: Rep) -> list[tuple[str, str]]:
    """(flow alias, authenticator) of every step the realm's bound flows require."""
    flows = {str(f["alias"]): f for f in _objects(rep.get("authenticationFlows")) if isinstance(f.get("alias"), str)}
    found: list[tuple[str, str]] = []
    for binding in BOUND_FLOWS:
        alias = rep.get(binding) or _default(binding)
        if isinstance(alias, str):
            found += [(alias, step) for step in dict.fromkeys(_required_steps(flows, alias, set()))]
    return found


def default_actions(rep: Rep) -> list[str]:
    """Aliases of the enabled required actions every new user gets (``defaultAction``)."""
    return [
        str(action.get("alias"))
        for action in _objects(rep.get("requiredActions"))
        if action.get("enabled") is True and action.get("defaultAction") is True
    ]


def _second_factor(steps: frozenset[str], actions: frozenset[str]) -> Check:
    def check(rep: Rep) -> Iterator[tuple[str, str]]:
        for flow, step in required_steps(rep):
            if step in steps:
                yield "authenticationFlows", f"flow '{flow}' requires {step}"
        for action in default_actions(rep):
            if action in actions:
                yield "requiredActions", f"{action} is a default action"

    return check


def _other_default_actions(rep: Rep) -> Iterator[tuple[str, str]]:
    second_factors = OTP_ACTIONS | WEBAUTHN_ACTIONS | PASSKEY_ACTIONS
    for action in default_actions(rep):
        if action not in second_factors:
            yield "requiredActions", f"{action} is a default action"


def _other_required_steps(rep: Rep) -> Iterator[tuple[str, str]]:
    known = PERFORMED_STEPS | OTP_STEPS | WEBAUTHN_STEPS | PASSKEY_STEPS
    for flow, step in required_steps(rep):
        if step not in known:
            yield "authenticationFlows", f"flow '{flow}' requires {step}"


def _flow_bindings(rep: Rep) -> Iterator[tuple[str, str]]:
    for binding in (*BOUND_FLOWS, "clientAuthenticationFlow"):
        value = rep.get(binding)
        if isinstance(value, str) and value != _default(binding):
            yield binding, repr(value)


# --- other settings ----------------------------------------------------------------------------


def _client_policies(rep: Rep) -> Iterator[tuple[str, str]]:
    for name, key in (("clientPolicies", "policies"), ("clientProfiles", "profiles")):
        value = rep.get(name)
        items = _objects(value.get(key)) if isinstance(value, Mapping) else []
        if items:
            yield name, ", ".join(str(item.get("name", "?")) for item in items)


# Password policy terms realmgate checks (crypto.password_policy.check_policy) or applies when
# hashing (crypto.passwords); tests/unit/keycloak/test_unenforced.py proves each one.
ENFORCED_PASSWORD_POLICIES = frozenset(
    {
        "length",
        "maxLength",
        "digits",
        "lowerCase",
        "upperCase",
        "specialChars",
        "notUsername",
        "notEmail",
        "regexPattern",
        "hashAlgorithm",
        "hashIterations",
    }
)


def _password_policy(rep: Rep) -> Iterator[tuple[str, str]]:
    policy = rep.get("passwordPolicy")
    try:
        terms = parse_policy(policy if isinstance(policy, str) else None).terms
    except PolicyError:
        return  # an invalid policy is refused where it is set
    for name, arg in terms:
        if name not in ENFORCED_PASSWORD_POLICIES:
            yield "passwordPolicy", f"{name}({arg})" if arg else name


def _ssl_all(rep: Rep) -> Iterator[tuple[str, str]]:
    if rep.get("sslRequired") == "all":
        yield "sslRequired", "all"


# Keycloak < 26 also had X-XSS-Protection; its old default is what exports of those versions hold.
_OLD_HEADER_DEFAULTS = {"xXSSProtection": "1; mode=block"}


def _security_headers(rep: Rep) -> Iterator[tuple[str, str]]:
    headers, default = rep.get("browserSecurityHeaders"), _default("browserSecurityHeaders")
    if isinstance(headers, Mapping) and isinstance(default, Mapping):
        known = {**_OLD_HEADER_DEFAULTS, **default}
        changed = sorted(k for k, v in headers.items() if v != known.get(k, ""))
        if changed:
            yield "browserSecurityHeaders", ", ".join(changed)


def _smtp(rep: Rep) -> Iterator[tuple[str, str]]:
    smtp = rep.get("smtpServer")
    if isinstance(smtp, Mapping) and smtp:
        yield "smtpServer", "set"  # never its values: the password is among them


UNENFORCED: tuple[Unenforced, ...] = (
    Unenforced(
        "otpPolicy* (OTP required by a bound flow or the CONFIGURE_TOTP default action)",
        "realmgate has no one-time passwords: nobody is asked for a code",
        _second_factor(OTP_STEPS, OTP_ACTIONS),
    ),
    Unenforced(
        "webAuthnPolicy* (WebAuthn required by a bound flow or the webauthn-register default action)",
        "realmgate has no WebAuthn: nobody is asked for a security key",
        _second_factor(WEBAUTHN_STEPS, WEBAUTHN_ACTIONS),
    ),
    Unenforced(
        "webAuthnPolicyPasswordless* (passkeys required by a bound flow or default action)",
        "realmgate has no passkeys: nobody is asked for one",
        _second_factor(PASSKEY_STEPS, PASSKEY_ACTIONS),
    ),
    Unenforced(
        "requiredActions (enabled with defaultAction true)",
        "new users are not given the realm's default required actions (a user's own pending "
        "actions do stop a login: UPDATE_PASSWORD has its page, the others refuse it)",
        _other_default_actions,
    ),
    Unenforced(
        "authenticationFlows (steps a bound flow requires)",
        "realmgate runs its built-in login (username and password, SSO cookie, identity providers, "
        "first broker login); other required steps are skipped",
        _other_required_steps,
    ),
    Unenforced(
        "browserFlow, directGrantFlow, firstBrokerLoginFlow, clientAuthenticationFlow (not Keycloak's)",
        "the bound flow is not run; realmgate's built-in login and client authentication are",
        _flow_bindings,
    ),
    Unenforced(
        "clientPolicies, clientProfiles (non-empty)",
        "client policies and profiles (FAPI, PKCE enforcement, ...) are not evaluated",
        _client_policies,
    ),
    Unenforced(
        "verifyEmail",
        "email addresses are never verified: no email is sent and login does not wait for it",
        _on("verifyEmail"),
    ),
    Unenforced(
        "passwordPolicy (terms other than length, maxLength, digits, lowerCase, upperCase, "
        "specialChars, notUsername, notEmail, regexPattern, hashAlgorithm, hashIterations)",
        "the term is kept in the policy string but not checked when a password is set",
        _password_policy,
    ),
    Unenforced(
        "sslRequired all",
        "plain-HTTP requests are served (only identity provider URLs are checked against "
        "sslRequired; the default 'external' is not enforced on requests either)",
        _ssl_all,
    ),
    Unenforced(
        "browserSecurityHeaders (values other than Keycloak's defaults)",
        "realmgate sends its own fixed security headers, not the realm's",
        _security_headers,
    ),
    Unenforced(
        "clientSessionIdleTimeout, clientSessionMaxLifespan, clientOfflineSessionIdleTimeout, "
        "clientOfflineSessionMaxLifespan (above 0)",
        "client sessions last as long as their SSO or offline session",
        _positive(
            "clientSessionIdleTimeout",
            "clientSessionMaxLifespan",
            "clientOfflineSessionIdleTimeout",
            "clientOfflineSessionMaxLifespan",
        ),
    ),
    Unenforced(
        "offlineSessionMaxLifespanEnabled",
        "offline sessions end only by their idle timeout, never at offlineSessionMaxLifespan",
        _on("offlineSessionMaxLifespanEnabled"),
    ),
    Unenforced("rememberMe", "the login page has no remember-me choice", _on("rememberMe"), weakens=False),
    Unenforced(
        "ssoSessionIdleTimeoutRememberMe, ssoSessionMaxLifespanRememberMe (above 0)",
        "there are no remember-me sessions for them to apply to",
        _positive("ssoSessionIdleTimeoutRememberMe", "ssoSessionMaxLifespanRememberMe"),
        weakens=False,
    ),
    Unenforced("resetPasswordAllowed", "there is no forgot-password page", _on("resetPasswordAllowed"), weakens=False),
    Unenforced("smtpServer", "realmgate sends no email", _smtp, weakens=False),
    Unenforced(
        "eventsExpiration", "stored events are never deleted by age", _positive("eventsExpiration"), weakens=False
    ),
    Unenforced(
        "components: client-registration policies (other than Keycloak's defaults)",
        "realmgate has no dynamic client registration: the policies govern nothing",
        registration_policy_checks,
        weakens=False,
    ),
    Unenforced(
        "components: user storage (LDAP, Kerberos)",
        "no user federation runs: users of the directory cannot log in and nothing is synchronised",
        user_storage_checks,
    ),
)


def findings(rep: Rep) -> list[Finding]:
    """What of the realm JSON ``rep`` (as ``realm_to_rep`` shows it) realmgate does not act on."""
    return [
        Finding(setting, value, entry.reason, entry.weakens)
        for entry in UNENFORCED
        for setting, value in entry.check(rep)
    ]


def realm_findings(realm: Realm) -> list[Finding]:
    return findings(realm_to_rep(realm))


def component_findings(components: object) -> list[Finding]:
    """Findings of a realm's ``components`` (provider type -> components, as in exports)."""
    return findings({COMPONENTS: components}) if isinstance(components, Mapping) else []


def file_findings(rep: Mapping[str, object]) -> list[Finding]:
    """Findings of a realm file before it is imported; raises ``RepresentationError`` for a
    value of the wrong type (the import reports it, with its JSON path)."""
    realm, _ = realm_from_rep(rep, Realm(id="", name=str(rep.get("realm", ""))))
    return realm_findings(realm) + component_findings(rep.get(COMPONENTS))


_VERDICTS = {
    True: (logging.WARNING, "is stored but NOT enforced"),
    False: (logging.INFO, "is stored but has no effect"),
}


def log_findings(realm_name: str, found: Sequence[Finding], *, context: str) -> None:
    """One log line per finding: a warning when it weakens the realm, else info."""
    for f in found:
        level, verdict = _VERDICTS[f.weakens]
        log.log(level, "realm %s: %s (%s) %s: %s [%s]", realm_name, f.setting, f.value, verdict, f.reason, context)


def log_dropped(realm_name: str, fields: Sequence[str], *, context: str) -> None:
    """Name the fields of a realm representation that were accepted but not kept."""
    if fields:
        log.warning("realm %s: ignored fields: %s [%s]", realm_name, ", ".join(fields), context)
