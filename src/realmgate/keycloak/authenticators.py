"""Keycloak 26's authentication providers, as its admin API describes them.

realmgate runs none of these (its login is a fixed built-in sequence, see
``keycloak.unenforced``); the catalogue exists so that flows can be read and edited the way
Keycloak clients expect: the provider lists of ``authentication/*-providers``, the display names,
requirement choices and "configurable" flags of ``flows/{alias}/executions``, the provider check
of ``executions/execution`` and ``config-description/{providerId}``. Names and help texts are
Keycloak's (``ProvidersTest`` and ``InitialFlowsTest`` of its test suite). Without Kerberos,
Keycloak offers ``auth-spnego`` only as DISABLED with the help text below; realmgate has no
Kerberos either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["authenticator", "form", "form-action", "client"]
REQUIRED, ALTERNATIVE, DISABLED, CONDITIONAL = "REQUIRED", "ALTERNATIVE", "DISABLED", "CONDITIONAL"
REQUIREMENTS = (REQUIRED, ALTERNATIVE, DISABLED, CONDITIONAL)
_RAD = (REQUIRED, ALTERNATIVE, DISABLED)
_RD = (REQUIRED, DISABLED)
_R = (REQUIRED,)
# The requirement choices of a sub-flow execution, by the sub-flow's providerId.
SUBFLOW_CHOICES = {"basic-flow": REQUIREMENTS, "form-flow": _RD, "client-flow": (ALTERNATIVE, REQUIRED, DISABLED)}


@dataclass(frozen=True, slots=True)
class ConfigProperty:
    """One ``ConfigPropertyRepresentation`` of a provider's configuration."""

    name: str
    label: str
    help_text: str
    type: str
    default: str | None = None
    options: tuple[str, ...] = ()

    def to_rep(self) -> dict[str, object]:
        rep: dict[str, object] = {"name": self.name, "label": self.label, "helpText": self.help_text, "type": self.type}
        if self.default is not None:
            rep["defaultValue"] = self.default
        if self.options:
            rep["options"] = list(self.options)
        return rep | {"secret": False, "required": False, "readOnly": False}


@dataclass(frozen=True, slots=True)
class Provider:
    id: str
    name: str
    help_text: str
    kind: Kind = "authenticator"
    choices: tuple[str, ...] = _RAD
    configurable: bool = False
    properties: tuple[ConfigProperty, ...] = ()
    supports_secret: bool = False  # client authenticators only

    def to_list_rep(self) -> dict[str, object]:
        """An entry of ``authenticator-providers`` and the other provider lists."""
        rep: dict[str, object] = {"id": self.id, "displayName": self.name, "description": self.help_text}
        if self.kind == "client":
            rep["supportsSecret"] = self.supports_secret
        return rep

    def config_description(self) -> dict[str, object]:
        """``AuthenticatorConfigInfoRepresentation``."""
        return {
            "providerId": self.id,
            "name": self.name,
            "helpText": self.help_text,
            "properties": [p.to_rep() for p in self.properties],
        }


_DEFAULT_IDP = ConfigProperty(
    "defaultProvider",
    "Default Identity Provider",
    "To automatically redirect to an identity provider set to the alias of the identity provider",
    "String",
)
_UPDATE_PROFILE = ConfigProperty(
    "update.profile.on.first.login",
    "Update profile on first login",
    "Define conditions under which a user has to review and update his profile after first-time login. Value 'On' "
    "means that page for reviewing profile will be displayed and user can review and update his profile. Value "
    "'missing' means that page is displayed just if some required user attribute is missing (wasn't downloaded from "
    "identity provider). Value 'off' means that page won't be displayed.",
    "List",
    "missing",
    ("on", "missing", "off"),
)
_PASSWORD_UPDATE = ConfigProperty(
    "require.password.update.after.registration",
    "Require Password Update After Registration",
    "If this option is true and new user is successfully imported from Identity Provider to Keycloak (there is no "
    "duplicated email or username detected in Keycloak DB), then this user is required to update his password",
    "boolean",
)
_X509_HELP = "Validates username and password from X509 client certificate received as a part of mutual SSL handshake."
_ACCESS_HELP = "Useful for example in the conditional flows to be used after satisfying the previous conditions"


def _a(
    pid: str,
    name: str,
    help_text: str,
    choices: tuple[str, ...] = _RAD,
    *,
    configurable: bool = False,
    properties: tuple[ConfigProperty, ...] = (),
) -> Provider:
    return Provider(pid, name, help_text, "authenticator", choices, configurable, properties)


_AUTHENTICATORS = (
    _a(
        "auth-conditional-otp-form",
        "Conditional OTP Form",
        "Validates a OTP on a separate OTP form. Only shown if required based on the configured conditions.",
        configurable=True,
    ),
    _a("auth-cookie", "Cookie", "Validates the SSO cookie set by the auth server."),
    _a("auth-otp-form", "OTP Form", "Validates a OTP on a separate OTP form."),
    _a(
        "auth-spnego",
        "Kerberos",
        "DISABLED. Please enable Kerberos feature and make sure Kerberos available in your platform. Initiates the "
        "SPNEGO protocol. Most often used with Kerberos.",
        (DISABLED,),
    ),
    _a(
        "auth-username-password-form",
        "Username Password Form",
        "Validates a username and password from login form.",
        _R,
    ),
    _a("auth-x509-client-username-form", "X509/Validate Username Form", _X509_HELP, configurable=True),
    _a("direct-grant-auth-x509-username", "X509/Validate Username", _X509_HELP, configurable=True),
    _a(
        "direct-grant-validate-otp",
        "OTP",
        "Validates the one time password supplied as a 'totp' form parameter in direct grant request",
    ),
    _a(
        "direct-grant-validate-password",
        "Password",
        "Validates the password supplied as a 'password' form parameter in direct grant request",
    ),
    _a(
        "direct-grant-validate-username",
        "Username Validation",
        "Validates the username supplied as a 'username' form parameter in direct grant request",
        _R,
    ),
    _a(
        "docker-http-basic-authenticator",
        "Docker Authenticator",
        "Uses HTTP Basic authentication to validate docker users, returning a docker error token on auth failure",
        _R,
    ),
    _a(
        "http-basic-authenticator",
        "HTTP Basic Authentication",
        "Validates username and password from Authorization HTTP header",
    ),
    _a(
        "identity-provider-redirector",
        "Identity Provider Redirector",
        "Redirects to default Identity Provider or Identity Provider specified with kc_idp_hint query parameter",
        configurable=True,
        properties=(_DEFAULT_IDP,),
    ),
    _a(
        "idp-auto-link",
        "Automatically set existing user",
        "Automatically set existing user to authentication context without any verification",
    ),
    _a(
        "idp-confirm-link",
        "Confirm link existing account",
        "Show the form where user confirms if he wants to link identity provider with existing account or rather edit "
        "user profile data retrieved from identity provider to avoid conflict",
    ),
    _a(
        "idp-confirm-override-link",
        "Confirm override existing link",
        "Confirm override the link if there is an existing broker user linked to the account.",
    ),
    _a(
        "idp-create-user-if-unique",
        "Create User If Unique",
        "Detect if there is existing Keycloak account with same email like identity provider. If no, create new user",
        configurable=True,
        properties=(_PASSWORD_UPDATE,),
    ),
    _a(
        "idp-email-verification",
        "Verify existing account by Email",
        "Email verification of existing Keycloak user, that wants to link his user account with identity provider",
    ),
    _a(
        "idp-review-profile",
        "Review Profile",
        "User reviews and updates profile data retrieved from Identity Provider in the displayed form",
        configurable=True,
        properties=(_UPDATE_PROFILE,),
    ),
    _a(
        "idp-username-password-form",
        "Username Password Form for identity provider reauthentication",
        "Validates a password from login form. Username may be already known from identity provider authentication",
        _R,
    ),
    _a(
        "reset-credential-email", "Send Reset Email", "Send email to user and wait for response.", _R, configurable=True
    ),
    _a("reset-credentials-choose-user", "Choose User", "Choose a user to reset credentials for", _R),
    _a(
        "reset-otp",
        "Reset OTP",
        "Removes existing OTP configurations (if chosen) and sets the 'Configure OTP' required action.",
        configurable=True,
    ),
    _a(
        "reset-password",
        "Reset Password",
        "Sets the Update Password required action if execution is REQUIRED.  Will also set it if execution is OPTIONAL "
        "and the password is currently configured for it.",
    ),
    _a(
        "webauthn-authenticator",
        "WebAuthn Authenticator",
        "Authenticator for WebAuthn. Usually used for WebAuthn two-factor authentication",
    ),
    _a(
        "webauthn-authenticator-passwordless",
        "WebAuthn Passwordless Authenticator",
        "Authenticator for Passwordless WebAuthn authentication",
    ),
    _a(
        "auth-recovery-authn-code-form", "Recovery Authentication Code Form", "Validates a Recovery Authentication Code"
    ),
    _a("auth-username-form", "Username Form", "Selects a user from his username."),
    _a("auth-password-form", "Password Form", "Validates a password from login form."),
    _a(
        "conditional-user-role",
        "Condition - user role",
        "Flow is executed only if user has the given role.",
        _RD,
        configurable=True,
    ),
    _a(
        "conditional-user-configured",
        "Condition - user configured",
        "Executes the current flow only if authenticators are configured",
        _RD,
    ),
    _a(
        "conditional-user-attribute",
        "Condition - user attribute",
        "Flow is executed only if the user attribute exists and has the expected value",
        _RD,
        configurable=True,
    ),
    _a(
        "idp-detect-existing-broker-user",
        "Detect existing broker user",
        "Detect if there is an existing Keycloak account with same email like identity provider. If no, throw an "
        "error.",
    ),
    _a("deny-access-authenticator", "Deny access", f"Access will be always denied. {_ACCESS_HELP}", configurable=True),
    _a(
        "allow-access-authenticator",
        "Allow access",
        f"Authenticator will always successfully authenticate. {_ACCESS_HELP}",
    ),
    _a(
        "conditional-level-of-authentication",
        "Condition - Level of Authentication",
        "Flow is executed only if the configured LOA or a higher one has been requested but not yet satisfied. After "
        "the flow is successfully finished, the LOA in the session will be updated to value prescribed by this "
        "condition.",
        _RD,
        configurable=True,
    ),
    _a(
        "user-session-limits",
        "User session count limiter",
        "Configures how many concurrent sessions a single user is allowed to create for this realm and/or client",
        configurable=True,
    ),
    _a(
        "idp-add-organization-member",
        "Organization Member Onboard",
        "Adds a federated user as a member of an organization",
    ),
    _a(
        "organization",
        "Organization Identity-First Login",
        "If organizations are enabled, automatically redirects users to the corresponding identity provider.",
        configurable=True,
    ),
    _a(
        "conditional-sub-flow-executed",
        "Condition - sub-flow executed",
        "Condition to evaluate if a sub-flow was executed successfully during the authentication process",
        _RD,
        configurable=True,
    ),
    _a(
        "conditional-client-scope",
        "Condition - client scope",
        "Condition to evaluate if a configured client scope is present as a client scope of the client requesting "
        "authentication",
        _RD,
        configurable=True,
    ),
    _a(
        "conditional-credential",
        "Condition - credential",
        "Condition to evaluate if a specific credential type has been used (or not used) by the user during the "
        "authentication process",
        _RD,
        configurable=True,
    ),
)

_FORMS = (
    Provider(
        "registration-page-form", "Registration Page", "This is the controller for the registration page", "form", _RD
    ),
)

_FORM_ACTIONS = (
    Provider(
        "registration-recaptcha-action", "reCAPTCHA", "Adds Google reCAPTCHA to the form.", "form-action", _RD, True
    ),
    Provider(
        "registration-recaptcha-enterprise",
        "reCAPTCHA Enterprise",
        "Adds Google reCAPTCHA Enterprise to the form.",
        "form-action",
        _RD,
        True,
    ),
    Provider(
        "registration-password-action",
        "Password Validation",
        "Validates that password matches password confirmation field.  It also will store password in user's "
        "credential store.",
        "form-action",
        _RD,
    ),
    Provider(
        "registration-user-creation",
        "Registration User Profile Creation",
        "This action must always be first! Validates the username and user profile of the user in validation phase.  "
        "In success phase, this will create the user in the database including his user profile.",
        "form-action",
        _RD,
    ),
    Provider(
        "registration-terms-and-conditions",
        "Terms and conditions",
        "Asks the user to accept terms and conditions before submitting its registration form.",
        "form-action",
        _RD,
    ),
)

_CLIENTS = (
    Provider(
        "client-jwt",
        "Signed JWT",
        "Validates client based on signed JWT issued by client and signed with the Client private key",
        "client",
    ),
    Provider(
        "client-secret",
        "Client Id and Secret",
        "Validates client based on 'client_id' and 'client_secret' sent either in request parameters or in "
        "'Authorization: Basic' header",
        "client",
        supports_secret=True,
    ),
    Provider("client-x509", "X509 Certificate", "Validates client based on a X509 Certificate", "client"),
    Provider(
        "client-secret-jwt",
        "Signed JWT with Client Secret",
        "Validates client based on signed JWT issued by client and signed with the Client Secret",
        "client",
        supports_secret=True,
    ),
)

_BY_KIND: dict[Kind, tuple[Provider, ...]] = {
    "authenticator": _AUTHENTICATORS,
    "form": _FORMS,
    "form-action": _FORM_ACTIONS,
    "client": _CLIENTS,
}
_BY_ID = {p.id: p for group in _BY_KIND.values() for p in group}


def providers(kind: Kind) -> tuple[Provider, ...]:
    return _BY_KIND[kind]


def provider(provider_id: str) -> Provider | None:
    """Any provider by id (Keycloak's ``CredentialHelper.getConfigurableAuthenticatorFactory``
    looks through authenticators, client authenticators and form actions alike)."""
    return _BY_ID.get(provider_id)


def provider_for_flow(flow_provider: str, provider_id: str) -> Provider | None:
    """The provider an execution of a flow of type ``flow_provider`` may use: client
    authenticators in a client flow, form actions in a form flow, authenticators elsewhere."""
    kinds: dict[str, Kind] = {"client-flow": "client", "form-flow": "form-action"}
    kind = kinds.get(flow_provider, "authenticator")
    found = _BY_ID.get(provider_id)
    return found if found is not None and found.kind == kind else None
