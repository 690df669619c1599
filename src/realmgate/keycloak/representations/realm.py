"""RealmRepresentation <-> ``Realm``.

Keycloak's realm JSON also carries the realm's contents (users, clients, roles, ...); those are
``handled_elsewhere`` (the import/export and admin services deal with them). Settings that
realmgate does not model (brute force, OTP, WebAuthn, themes, flows, ...) are accepted and
ignored so that a full Keycloak export is not reported as unknown fields.
"""

from __future__ import annotations

from collections.abc import Mapping

from realmgate.keycloak.representations._mapping import (
    JsonObject,
    Spec,
    from_rep,
    names,
    to_rep,
    unknown_fields,
)
from realmgate.model.realm import Realm

_WEBAUTHN = names(
    """
    RpEntityName SignatureAlgorithms RpId AttestationConveyancePreference AuthenticatorAttachment
    RequireResidentKey UserVerificationRequirement CreateTimeout AvoidSameAuthenticatorRegister
    AcceptableAaguids ExtraOrigins PasskeysEnabled
    """
)

IGNORED_REALM_FIELDS = (
    names(
        """
    ssoSessionIdleTimeoutRememberMe ssoSessionMaxLifespanRememberMe offlineSessionMaxLifespanEnabled
    offlineSessionMaxLifespan clientSessionIdleTimeout clientSessionMaxLifespan
    clientOfflineSessionIdleTimeout clientOfflineSessionMaxLifespan actionTokenGeneratedByAdminLifespan
    actionTokenGeneratedByUserLifespan oauth2DeviceCodeLifespan oauth2DevicePollingInterval
    passwordCredentialGrantAllowed userCacheEnabled realmCacheEnabled bruteForceProtected permanentLockout
    maxTemporaryLockouts bruteForceStrategy maxFailureWaitSeconds minimumQuickLoginWaitSeconds
    waitIncrementSeconds quickLoginCheckMilliSeconds maxDeltaTimeSeconds failureFactor privateKey publicKey
    certificate codeSecret adminPermissionsClient requiredCredentials otpPolicyType otpPolicyAlgorithm
    otpPolicyInitialCounter otpPolicyDigits otpPolicyLookAheadWindow otpPolicyPeriod otpPolicyCodeReusable
    otpSupportedApplications localizationTexts clientProfiles clientPolicies federatedUsers
    browserSecurityHeaders smtpServer userFederationProviders userFederationMappers loginTheme accountTheme
    adminTheme emailTheme eventsListeners protocolMappers internationalizationEnabled supportedLocales
    defaultLocale authenticationFlows authenticatorConfig requiredActions browserFlow registrationFlow
    directGrantFlow resetCredentialsFlow clientAuthenticationFlow dockerAuthenticationFlow
    firstBrokerLoginFlow keycloakVersion userManagedAccessAllowed organizationsEnabled organizations
    verifiableCredentialsEnabled adminPermissionsEnabled social updateProfileOnInitialSocialLogin
    socialProviders applicationScopeMappings applications oauthClients clientTemplates
    oAuth2DeviceCodeLifespan oAuth2DevicePollingInterval
    """
    )
    | {f"webAuthnPolicy{name}" for name in _WEBAUTHN}
    | {f"webAuthnPolicyPasswordless{name}" for name in _WEBAUTHN}
)

# The realm's contents: processed by realm import/export and the admin services.
REALM_CONTENT_FIELDS = names(
    """
    users clients clientScopes roles groups defaultRole defaultRoles defaultGroups scopeMappings
    clientScopeMappings identityProviders identityProviderMappers components
    """
)

REALM_SPEC = Spec(
    cls=Realm,
    internal=frozenset({"default_role_id"}),
    renames={"name": "realm"},
    ignored=IGNORED_REALM_FIELDS,
    handled_elsewhere=REALM_CONTENT_FIELDS,
)


def realm_to_rep(realm: Realm) -> JsonObject:
    """The realm's settings (no contents; ``defaultRole`` needs the store, see export)."""
    return to_rep(REALM_SPEC, realm)


def realm_from_rep(rep: Mapping[str, object], base: Realm, *, with_id: bool = False) -> tuple[Realm, list[str]]:
    """Apply ``rep`` onto ``base``; returns the realm and the unknown field names."""
    return from_rep(REALM_SPEC, rep, base, with_id=with_id), unknown_fields(REALM_SPEC, rep)
