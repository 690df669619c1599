"""HTTP endpoints of the OpenID Connect provider, on Keycloak's paths.

Hooks for the broker (``web.broker``):

- Login page buttons and ``kc_idp_hint`` point at ``/realms/{realm}/broker/{alias}/login?client_id
  &tab_id&session_code``. The broker loads the pending step with
  ``protocol.login_flow.load_step(tx, tab_id, now=...)``, checks
  ``step.csrf_ok(request.cookies[AUTH_SESSION_COOKIE], session_code)``, keeps ``tab_id`` in its
  upstream ``state``, and after the upstream login calls
  ``web.oidc.login_end.continue_login(request, tx, config, step, user, marks=..., event_details=...)``,
  which runs the user's required actions, then creates the session (with the broker's marks),
  sets the SSO cookies and answers the client (code + ``iss``).
- Brokered sessions (note ``identity_provider``) pass through ``AppContext.upstream_logout`` (the
  composition root installs the broker's) on RP-initiated logout; the broker's
  ``logout_response`` endpoint then calls ``web.oidc.end_session.finish_logout(..., upstream=False)``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from realmgate.web.oidc import authorize, device, discovery, end_session, login_end, registration, token

_REALM = "/realms/{realm}"
_OIDC = _REALM + "/protocol/openid-connect"


def routes() -> list[BaseRoute]:
    return [
        Route(_REALM, discovery.realm_info, methods=["GET"]),
        Route(_REALM + "/.well-known/openid-configuration", discovery.well_known, methods=["GET"]),
        Route(_REALM + "/.well-known/oauth-authorization-server", discovery.well_known, methods=["GET"]),
        Route(_OIDC + "/certs", discovery.certs, methods=["GET"]),
        Route(_OIDC + "/auth", authorize.authorization, methods=["GET", "POST"]),
        Route(_OIDC + "/registrations", authorize.registrations, methods=["GET"]),
        Route(_REALM + "/login-actions/authenticate", authorize.authenticate_form, methods=["GET", "POST"]),
        Route(_REALM + "/login-actions/registration", registration.registration_form, methods=["GET", "POST"]),
        Route(_REALM + "/login-actions/required-action", login_end.required_action, methods=["GET", "POST"]),
        Route(_OIDC + "/auth/device", device.device_authorization, methods=["POST"]),
        Route(_REALM + "/device", device.verification, methods=["GET", "POST"]),
        Route(_REALM + "/device/status", device.status, methods=["GET"]),
        Route(_REALM + "/device/confirm", device.confirm, methods=["POST"]),
        Route(_OIDC + "/token", token.token, methods=["POST", "OPTIONS"]),
        Route(_OIDC + "/token/introspect", token.introspect, methods=["POST"]),
        Route(_OIDC + "/revoke", token.revoke, methods=["POST", "OPTIONS"]),
        Route(_OIDC + "/userinfo", token.userinfo, methods=["GET", "POST", "OPTIONS"]),
        Route(_OIDC + "/logout", end_session.logout, methods=["GET", "POST"]),
        Route(_OIDC + "/login-status-iframe.html", discovery.login_status_iframe, methods=["GET"]),
        Route(_OIDC + "/login-status-iframe.html/init", discovery.login_status_init, methods=["GET"]),
        Route(_OIDC + "/3p-cookies/step1.html", discovery.third_party_cookies_step1, methods=["GET"]),
        Route(_OIDC + "/3p-cookies/step2.html", discovery.third_party_cookies_step2, methods=["GET"]),
    ]
