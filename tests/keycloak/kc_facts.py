"""Keycloak facts several of these tests check against, written once (from Keycloak's
defaults, never from realmgate's own constants, so the tests stay independent of the code)."""

from __future__ import annotations

DEFAULT_CLIENT_SCOPES = ("profile", "email", "roles", "web-origins", "acr", "basic")
"""The default client scopes a new OIDC client gets, in Keycloak's order."""

FRESH_REALM_SETTINGS: dict[str, object] = {
    # RealmManager.setupRealmDefaults (Keycloak 26): brute force off, with these parameters.
    "bruteForceProtected": False,
    "permanentLockout": False,
    "maxTemporaryLockouts": 0,
    "bruteForceStrategy": "MULTIPLE",
    "maxFailureWaitSeconds": 900,
    "minimumQuickLoginWaitSeconds": 60,
    "waitIncrementSeconds": 60,
    "quickLoginCheckMilliSeconds": 1000,
    "maxDeltaTimeSeconds": 43200,
    "failureFactor": 30,
    "sslRequired": "external",
    "eventsListeners": ["jboss-logging"],
    # OTPPolicy.DEFAULT_POLICY.
    "otpPolicyType": "totp",
    "otpPolicyAlgorithm": "HmacSHA1",
    "otpPolicyInitialCounter": 0,
    "otpPolicyDigits": 6,
    "otpPolicyLookAheadWindow": 1,
    "otpPolicyPeriod": 30,
    "otpPolicyCodeReusable": False,
    # Constants.DEFAULT_WEBAUTHN_POLICY_* (both policies).
    "webAuthnPolicyRpEntityName": "keycloak",
    "webAuthnPolicySignatureAlgorithms": ["ES256", "RS256"],
    "webAuthnPolicyRpId": "",
    "webAuthnPolicyAttestationConveyancePreference": "not specified",
    "webAuthnPolicyAuthenticatorAttachment": "not specified",
    "webAuthnPolicyRequireResidentKey": "not specified",
    "webAuthnPolicyUserVerificationRequirement": "not specified",
    "webAuthnPolicyCreateTimeout": 0,
    "webAuthnPolicyAvoidSameAuthenticatorRegister": False,
    "webAuthnPolicyAcceptableAaguids": [],
    "webAuthnPolicyExtraOrigins": [],
    "webAuthnPolicyPasswordlessRpEntityName": "keycloak",
    "webAuthnPolicyPasswordlessSignatureAlgorithms": ["ES256", "RS256"],
    "webAuthnPolicyPasswordlessUserVerificationRequirement": "not specified",
    "webAuthnPolicyPasswordlessPasskeysEnabled": False,
    # DefaultExportImportManager.importRealm and the JPA realm's defaults.
    "offlineSessionMaxLifespanEnabled": False,
    "offlineSessionMaxLifespan": 5184000,
    "ssoSessionIdleTimeoutRememberMe": 0,
    "ssoSessionMaxLifespanRememberMe": 0,
    "clientSessionIdleTimeout": 0,
    "clientSessionMaxLifespan": 0,
    "clientOfflineSessionIdleTimeout": 0,
    "clientOfflineSessionMaxLifespan": 0,
    "actionTokenGeneratedByAdminLifespan": 43200,
    "actionTokenGeneratedByUserLifespan": 300,
    "oauth2DeviceCodeLifespan": 600,
    "oauth2DevicePollingInterval": 5,
    "requiredCredentials": ["password"],
    # BrowserSecurityHeaders.realmDefaultHeaders (Keycloak 26).
    "browserSecurityHeaders": {
        "contentSecurityPolicyReportOnly": "",
        "xContentTypeOptions": "nosniff",
        "referrerPolicy": "no-referrer",
        "xRobotsTag": "none",
        "xFrameOptions": "SAMEORIGIN",
        "contentSecurityPolicy": "frame-src 'self'; frame-ancestors 'self'; object-src 'none';",
        "strictTransportSecurity": "max-age=31536000; includeSubDomains",
    },
    "smtpServer": {},
    "clientProfiles": {"profiles": []},
    "clientPolicies": {"policies": []},
    "internationalizationEnabled": False,
    "supportedLocales": [],
    "browserFlow": "browser",
    "registrationFlow": "registration",
    "directGrantFlow": "direct grant",
    "resetCredentialsFlow": "reset credentials",
    "clientAuthenticationFlow": "clients",
    "dockerAuthenticationFlow": "docker auth",
    "firstBrokerLoginFlow": "first broker login",
    "userManagedAccessAllowed": False,
    "organizationsEnabled": False,
}
"""What Keycloak 26 shows for these settings of a realm created with nothing but a name.
Themes (loginTheme, accountTheme, ...) and defaultLocale are absent until set."""

FRESH_REALM_ABSENT = ("loginTheme", "accountTheme", "adminTheme", "emailTheme", "defaultLocale")

REALM_SETTINGS_SAMPLE: dict[str, object] = {
    "ssoSessionIdleTimeoutRememberMe": 7200,
    "ssoSessionMaxLifespanRememberMe": 86400,
    "offlineSessionMaxLifespanEnabled": True,
    "offlineSessionMaxLifespan": 86400,
    "clientSessionIdleTimeout": 600,
    "clientSessionMaxLifespan": 3600,
    "clientOfflineSessionIdleTimeout": 600,
    "clientOfflineSessionMaxLifespan": 3600,
    "actionTokenGeneratedByAdminLifespan": 3600,
    "actionTokenGeneratedByUserLifespan": 600,
    "oauth2DeviceCodeLifespan": 300,
    "oauth2DevicePollingInterval": 10,
    "bruteForceProtected": True,
    "permanentLockout": True,
    "maxTemporaryLockouts": 3,
    "bruteForceStrategy": "LINEAR",
    "maxFailureWaitSeconds": 600,
    "minimumQuickLoginWaitSeconds": 30,
    "waitIncrementSeconds": 120,
    "quickLoginCheckMilliSeconds": 500,
    "maxDeltaTimeSeconds": 3600,
    "failureFactor": 5,
    "requiredCredentials": ["password", "otp"],
    "otpPolicyType": "hotp",
    "otpPolicyAlgorithm": "HmacSHA256",
    "otpPolicyInitialCounter": 2,
    "otpPolicyDigits": 8,
    "otpPolicyLookAheadWindow": 2,
    "otpPolicyPeriod": 60,
    "otpPolicyCodeReusable": True,
    "localizationTexts": {"de": {"loginTitle": "Anmelden"}},
    "webAuthnPolicyRpEntityName": "acme",
    "webAuthnPolicySignatureAlgorithms": ["ES256"],
    "webAuthnPolicyRpId": "acme.example",
    "webAuthnPolicyAttestationConveyancePreference": "direct",
    "webAuthnPolicyAuthenticatorAttachment": "cross-platform",
    "webAuthnPolicyRequireResidentKey": "Yes",
    "webAuthnPolicyUserVerificationRequirement": "required",
    "webAuthnPolicyCreateTimeout": 60,
    "webAuthnPolicyAvoidSameAuthenticatorRegister": True,
    "webAuthnPolicyAcceptableAaguids": ["cb69481e-8ff7-4039-93ec-0a2729a154a8"],
    "webAuthnPolicyExtraOrigins": ["https://app.acme.example"],
    "webAuthnPolicyPasswordlessRpEntityName": "acme",
    "webAuthnPolicyPasswordlessSignatureAlgorithms": ["RS256"],
    "webAuthnPolicyPasswordlessRpId": "acme.example",
    "webAuthnPolicyPasswordlessAttestationConveyancePreference": "indirect",
    "webAuthnPolicyPasswordlessAuthenticatorAttachment": "platform",
    "webAuthnPolicyPasswordlessRequireResidentKey": "Yes",
    "webAuthnPolicyPasswordlessUserVerificationRequirement": "required",
    "webAuthnPolicyPasswordlessCreateTimeout": 30,
    "webAuthnPolicyPasswordlessAvoidSameAuthenticatorRegister": True,
    "webAuthnPolicyPasswordlessAcceptableAaguids": [],
    "webAuthnPolicyPasswordlessExtraOrigins": [],
    "webAuthnPolicyPasswordlessPasskeysEnabled": True,
    "clientProfiles": {"profiles": [{"name": "strict", "executors": [{"executor": "pkce-enforcer"}]}]},
    "clientPolicies": {
        "policies": [
            {
                "name": "all-clients",
                "enabled": True,
                "conditions": [{"condition": "any-client", "configuration": {}}],
                "profiles": ["strict"],
            }
        ]
    },
    "browserSecurityHeaders": {"xFrameOptions": "DENY", "contentSecurityPolicy": "frame-ancestors 'none';"},
    "smtpServer": {"host": "smtp.acme.example", "port": "587", "from": "id@acme.example", "starttls": "true"},
    "loginTheme": "acme",
    "accountTheme": "keycloak.v3",
    "adminTheme": "keycloak.v2",
    "emailTheme": "acme",
    "eventsListeners": ["jboss-logging", "email"],
    "internationalizationEnabled": True,
    "supportedLocales": ["de", "en"],
    "defaultLocale": "en",
    "authenticationFlows": [
        {
            "alias": "acme browser",
            "providerId": "basic-flow",
            "topLevel": True,
            "builtIn": False,
            "authenticationExecutions": [
                {
                    "authenticator": "auth-cookie",
                    "requirement": "ALTERNATIVE",
                    "priority": 10,
                    "autheticatorFlow": False,
                },
                {
                    "authenticator": "auth-otp-form",
                    "requirement": "REQUIRED",
                    "priority": 20,
                    "autheticatorFlow": False,
                },
            ],
        }
    ],
    "authenticatorConfig": [{"alias": "review", "config": {"update.profile.on.first.login": "missing"}}],
    "requiredActions": [
        {
            "alias": "CONFIGURE_TOTP",
            "name": "Configure OTP",
            "providerId": "CONFIGURE_TOTP",
            "enabled": True,
            "defaultAction": True,
            "priority": 10,
            "config": {},
        }
    ],
    "browserFlow": "acme browser",
    "registrationFlow": "acme registration",
    "directGrantFlow": "acme direct grant",
    "resetCredentialsFlow": "acme reset",
    "clientAuthenticationFlow": "acme clients",
    "dockerAuthenticationFlow": "acme docker",
    "firstBrokerLoginFlow": "acme first broker login",
    "userManagedAccessAllowed": True,
    "organizationsEnabled": True,
    "adminPermissionsEnabled": True,
}
"""A value other than the default for every realm setting of Keycloak 26's RealmRepresentation
that is neither the realm's contents (users, clients, ...), nor a typed setting realmgate
models, nor legacy key material or a field Keycloak no longer reads: all must read back."""

REALM_NOT_KEPT = (
    "privateKey",
    "publicKey",
    "certificate",
    "codeSecret",
    "federatedUsers",
    "userFederationProviders",
    "userFederationMappers",
    "keycloakVersion",
    "otpSupportedApplications",
    "passwordCredentialGrantAllowed",
    "userCacheEnabled",
    "realmCacheEnabled",
    "social",
    "socialProviders",
    "applications",
    "oauthClients",
    "clientTemplates",
)
"""RealmRepresentation fields that are legacy key material, contents realmgate does not import,
derived by Keycloak, or no longer read by it."""


def _execution(authenticator: str, requirement: str, priority: int) -> dict[str, object]:
    return {"authenticator": authenticator, "requirement": requirement, "priority": priority, "autheticatorFlow": False}


def _subflow(alias: str, requirement: str, priority: int) -> dict[str, object]:
    return {"flowAlias": alias, "requirement": requirement, "priority": priority, "autheticatorFlow": True}


def _flow(alias: str, *executions: dict[str, object], top: bool = False) -> dict[str, object]:
    return {
        "alias": alias,
        "providerId": "basic-flow",
        "topLevel": top,
        "builtIn": True,
        "authenticationExecutions": list(executions),
    }


def keycloak_default_flows() -> list[dict[str, object]]:
    """Keycloak 26's built-in browser, direct grant and first broker login flows, as a realm
    export has them (DefaultAuthenticationFlows): second factors only for users who set one up."""
    return [
        _flow(
            "browser",
            _execution("auth-cookie", "ALTERNATIVE", 10),
            _execution("auth-spnego", "DISABLED", 20),
            _execution("identity-provider-redirector", "ALTERNATIVE", 25),
            _subflow("forms", "ALTERNATIVE", 30),
            top=True,
        ),
        _flow(
            "forms",
            _execution("auth-username-password-form", "REQUIRED", 10),
            _subflow("Browser - Conditional 2FA", "CONDITIONAL", 20),
        ),
        _flow(
            "Browser - Conditional 2FA",
            _execution("conditional-user-configured", "REQUIRED", 10),
            _execution("auth-otp-form", "ALTERNATIVE", 20),
            _execution("webauthn-authenticator", "DISABLED", 30),
            _execution("auth-recovery-authn-code-form", "DISABLED", 40),
        ),
        _flow(
            "direct grant",
            _execution("direct-grant-validate-username", "REQUIRED", 10),
            _execution("direct-grant-validate-password", "REQUIRED", 20),
            _subflow("Direct Grant - Conditional OTP", "CONDITIONAL", 30),
            top=True,
        ),
        _flow(
            "Direct Grant - Conditional OTP",
            _execution("conditional-user-configured", "REQUIRED", 10),
            _execution("direct-grant-validate-otp", "REQUIRED", 20),
        ),
        _flow(
            "first broker login",
            _execution("idp-review-profile", "REQUIRED", 10),
            _subflow("User creation or linking", "REQUIRED", 20),
            top=True,
        ),
        _flow(
            "User creation or linking",
            _execution("idp-create-user-if-unique", "ALTERNATIVE", 10),
            _subflow("Handle Existing Account", "ALTERNATIVE", 20),
        ),
        _flow(
            "Handle Existing Account",
            _execution("idp-confirm-link", "REQUIRED", 10),
            _subflow("Account verification options", "REQUIRED", 20),
        ),
        _flow(
            "Account verification options",
            _execution("idp-email-verification", "ALTERNATIVE", 10),
            _subflow("Verify Existing Account by Re-authentication", "ALTERNATIVE", 20),
        ),
        _flow(
            "Verify Existing Account by Re-authentication",
            _execution("idp-username-password-form", "REQUIRED", 10),
            _subflow("First broker login - Conditional 2FA", "CONDITIONAL", 20),
        ),
        _flow(
            "First broker login - Conditional 2FA",
            _execution("conditional-user-configured", "REQUIRED", 10),
            _execution("auth-otp-form", "ALTERNATIVE", 20),
        ),
    ]


def keycloak_default_required_actions() -> list[dict[str, object]]:
    """Keycloak 26's required actions of a fresh realm (DefaultRequiredActions): enabled ones are
    offered, none is a default action."""
    enabled = ("CONFIGURE_TOTP", "UPDATE_PASSWORD", "UPDATE_PROFILE", "VERIFY_EMAIL", "webauthn-register")
    disabled = ("TERMS_AND_CONDITIONS", "delete_account")
    return [
        {"alias": alias, "name": alias, "providerId": alias, "enabled": alias in enabled, "defaultAction": False}
        for alias in (*enabled, *disabled)
    ]
