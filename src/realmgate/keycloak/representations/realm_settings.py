"""The realm settings of Keycloak's RealmRepresentation that ``Realm`` has no typed field for.

They are kept as JSON under their Keycloak names in ``Realm.extra_settings`` so that whatever a
client or a realm file sets is read back unchanged, whether or not realmgate acts on it
(``keycloak.unenforced`` says which it does not). Each has a JSON kind, checked lightly on input
(a boolean where Keycloak has a Boolean, a number where it has an Integer, ...), and Keycloak's
value for a fresh realm, shown until one is set. The defaults come from Keycloak 26's
``RealmManager.setupRealmDefaults``, ``DefaultExportImportManager.importRealm`` (what an import
without the field gets), ``OTPPolicy.DEFAULT_POLICY``, ``Constants.DEFAULT_WEBAUTHN_POLICY_*``
and ``BrowserSecurityHeaders.realmDefaultHeaders``; None means Keycloak shows nothing.

Fields that are the realm's contents or legacy key material, or that Keycloak no longer reads or
only derives, are ``DROPPED``: accepted, not stored, and named in a log line by the importer.
The SMTP password (and OAuth client secret) are shown as Keycloak's mask unless the caller asks
for secrets (the CLI's full export); a mask sent back keeps the stored secret, as in Keycloak.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from realmgate.keycloak.representations._mapping import JsonObject, RepresentationError, names, read_typed
from realmgate.model.login_failure import BRUTE_FORCE_DEFAULTS

Kind = Literal["bool", "int", "str", "tuple[str, ...]", "Mapping[str, str]", "object", "objects"]
# What Keycloak writes instead of a secret on read (``ComponentRepresentation.SECRET_VALUE``).
MASKED_SECRET = "**********"
# The secret entries of ``smtpServer`` (password auth, and XOAUTH2's client secret).
SMTP_SECRETS = ("password", "authTokenClientSecret")


@dataclass(frozen=True, slots=True)
class Setting:
    """One stored setting: its JSON kind and Keycloak's value for a fresh realm (None: absent)."""

    kind: Kind
    default: object = None

    def read(self, value: object, name: str) -> object:
        """The JSON value to store; raises ``RepresentationError`` on a wrong type."""
        if self.kind == "object":
            if not isinstance(value, dict):
                raise RepresentationError(name, "must be an object")
            return copy.deepcopy(value)
        if self.kind == "objects":
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                raise RepresentationError(name, "must be an array of objects")
            return copy.deepcopy(value)
        converted = read_typed(self.kind, value, name)
        if isinstance(converted, tuple):
            return list(converted)
        return converted


def _kind_of(default: bool | int | str) -> Kind:
    """The JSON kind of a scalar setting, from its default value."""
    if isinstance(default, bool):  # before int: a bool is an int
        return "bool"
    return "int" if isinstance(default, int) else "str"


def _webauthn(passwordless: bool) -> dict[str, Setting]:
    prefix = "webAuthnPolicyPasswordless" if passwordless else "webAuthnPolicy"
    policy = {
        "RpEntityName": Setting("str", "keycloak"),
        "SignatureAlgorithms": Setting("tuple[str, ...]", ["ES256", "RS256"]),
        "RpId": Setting("str", ""),
        "AttestationConveyancePreference": Setting("str", "not specified"),
        "AuthenticatorAttachment": Setting("str", "not specified"),
        "RequireResidentKey": Setting("str", "not specified"),
        "ResidentKey": Setting("str"),
        "UserVerificationRequirement": Setting("str", "not specified"),
        "CreateTimeout": Setting("int", 0),
        "AvoidSameAuthenticatorRegister": Setting("bool", False),
        "AcceptableAaguids": Setting("tuple[str, ...]", []),
        "ExtraOrigins": Setting("tuple[str, ...]", []),
        "Hints": Setting("tuple[str, ...]"),
    }
    if passwordless:
        policy |= {"PasskeysEnabled": Setting("bool", False), "Mediation": Setting("str")}
    return {prefix + name: setting for name, setting in policy.items()}


SETTINGS: Mapping[str, Setting] = {
    # Sessions and tokens (the typed ones are Realm fields).
    "ssoSessionIdleTimeoutRememberMe": Setting("int", 0),
    "ssoSessionMaxLifespanRememberMe": Setting("int", 0),
    "offlineSessionMaxLifespanEnabled": Setting("bool", False),
    "offlineSessionMaxLifespan": Setting("int", 5184000),
    "clientSessionIdleTimeout": Setting("int", 0),
    "clientSessionMaxLifespan": Setting("int", 0),
    "clientOfflineSessionIdleTimeout": Setting("int", 0),
    "clientOfflineSessionMaxLifespan": Setting("int", 0),
    "actionTokenGeneratedByAdminLifespan": Setting("int", 43200),
    "actionTokenGeneratedByUserLifespan": Setting("int", 300),
    "oauth2DeviceCodeLifespan": Setting("int", 600),
    "oauth2DevicePollingInterval": Setting("int", 5),
    # Brute-force detection (the defaults are the model's: protocol.brute_force reads them too).
    **{name: Setting(_kind_of(default), default) for name, default in BRUTE_FORCE_DEFAULTS.items()},
    # Credentials and one-time passwords.
    "requiredCredentials": Setting("tuple[str, ...]", ["password"]),
    "otpPolicyType": Setting("str", "totp"),
    "otpPolicyAlgorithm": Setting("str", "HmacSHA1"),
    "otpPolicyInitialCounter": Setting("int", 0),
    "otpPolicyDigits": Setting("int", 6),
    "otpPolicyLookAheadWindow": Setting("int", 1),
    "otpPolicyPeriod": Setting("int", 30),
    "otpPolicyCodeReusable": Setting("bool", False),
    **_webauthn(passwordless=False),
    **_webauthn(passwordless=True),
    # Client policies (Keycloak shows the realm's own, empty by default).
    "clientProfiles": Setting("object", {"profiles": []}),
    "clientPolicies": Setting("object", {"policies": []}),
    # Pages, email, events, locales.
    "browserSecurityHeaders": Setting(
        "Mapping[str, str]",
        {
            "contentSecurityPolicyReportOnly": "",
            "xContentTypeOptions": "nosniff",
            "referrerPolicy": "no-referrer",
            "xRobotsTag": "none",
            "xFrameOptions": "SAMEORIGIN",
            "contentSecurityPolicy": "frame-src 'self'; frame-ancestors 'self'; object-src 'none';",
            "strictTransportSecurity": "max-age=31536000; includeSubDomains",
        },
    ),
    "smtpServer": Setting("Mapping[str, str]", {}),
    "loginTheme": Setting("str"),
    "accountTheme": Setting("str"),
    "adminTheme": Setting("str"),
    "emailTheme": Setting("str"),
    "localizationTexts": Setting("object", {}),
    "eventsListeners": Setting("tuple[str, ...]", ["jboss-logging"]),
    "internationalizationEnabled": Setting("bool", False),
    "supportedLocales": Setting("tuple[str, ...]", []),
    "defaultLocale": Setting("str"),
    # Authentication flows, their bindings and required actions (Keycloak exports the flows
    # and actions; realmgate shows what was stored, a fresh realm has none).
    "authenticationFlows": Setting("objects"),
    "authenticatorConfig": Setting("objects"),
    "requiredActions": Setting("objects"),
    "browserFlow": Setting("str", "browser"),
    "registrationFlow": Setting("str", "registration"),
    "directGrantFlow": Setting("str", "direct grant"),
    "resetCredentialsFlow": Setting("str", "reset credentials"),
    "clientAuthenticationFlow": Setting("str", "clients"),
    "dockerAuthenticationFlow": Setting("str", "docker auth"),
    "firstBrokerLoginFlow": Setting("str", "first broker login"),
    # Feature switches.
    "userManagedAccessAllowed": Setting("bool", False),
    "organizationsEnabled": Setting("bool", False),
    "adminPermissionsEnabled": Setting("bool", False),
    "verifiableCredentialsEnabled": Setting("bool"),
    "oid4VciEnabled": Setting("bool"),
}

DROPPED = names(
    """
    privateKey publicKey certificate codeSecret
    federatedUsers userFederationProviders userFederationMappers protocolMappers organizations
    defaultGroups adminPermissionsClient
    keycloakVersion otpSupportedApplications
    passwordCredentialGrantAllowed userCacheEnabled realmCacheEnabled social
    updateProfileOnInitialSocialLogin socialProviders applicationScopeMappings applications
    oauthClients clientTemplates oAuth2DeviceCodeLifespan oAuth2DevicePollingInterval
    """
)
"""Accepted and not stored: contents realmgate does not import (federated users, user
federation, organizations, default groups, the admin-permissions client), the legacy
key material that Keycloak < 2 kept on the realm, what Keycloak derives itself (its version,
the OTP apps matching the policy), and fields Keycloak itself no longer reads."""


def settings_from_rep(rep: Mapping[str, object], stored: Mapping[str, object]) -> dict[str, object]:
    """``stored`` with every setting ``rep`` contains replaced (absent or null keeps the stored
    value, as Keycloak's PUT does). A masked SMTP secret keeps the stored one, or is dropped."""
    out = dict(stored)
    for name, setting in SETTINGS.items():
        value = rep.get(name)
        if value is not None:
            out[name] = setting.read(value, name)
    smtp = out.get("smtpServer")
    if isinstance(smtp, dict) and rep.get("smtpServer") is not None:  # a new dict, ours to change
        before = stored.get("smtpServer")
        previous: Mapping[str, object] = before if isinstance(before, Mapping) else {}
        for key in SMTP_SECRETS:
            if smtp.get(key) == MASKED_SECRET:
                if previous.get(key):
                    smtp[key] = previous[key]
                else:
                    del smtp[key]
    return out


def masked_smtp_secrets(rep: Mapping[str, object]) -> list[str]:
    """The SMTP secrets ``rep`` gives only as the mask (an import cannot restore them)."""
    smtp = rep.get("smtpServer")
    if not isinstance(smtp, Mapping):
        return []
    return [f"smtpServer.{key}" for key in SMTP_SECRETS if smtp.get(key) == MASKED_SECRET]


def settings_to_rep(stored: Mapping[str, object], *, include_secrets: bool = False) -> JsonObject:
    """Keycloak's defaults overlaid with the stored settings, as fresh JSON values (callers may
    change them); SMTP secrets masked unless ``include_secrets``."""
    out: JsonObject = {name: s.default for name, s in SETTINGS.items() if s.default is not None}
    out.update({name: value for name, value in stored.items() if name in SETTINGS})
    out = copy.deepcopy(out)
    smtp = out.get("smtpServer")
    if not include_secrets and isinstance(smtp, dict):
        for key in SMTP_SECRETS:
            if smtp.get(key):
                smtp[key] = MASKED_SECRET
    return out
