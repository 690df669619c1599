"""The one error tree of the OAuth/OIDC endpoints.

``description`` is public (goes into ``error_description``); ``detail`` is for the log only and
never reaches a response, like ``event_error`` and ``event_user_id`` (what the recorded error
event says when Keycloak's differs from the OAuth error, e.g. ``user_temporarily_disabled``).
The web layer translates these in a single place.
"""

from __future__ import annotations


class OAuthError(Exception):
    error: str = "server_error"
    status: int = 400

    def __init__(
        self,
        description: str,
        *,
        detail: str | None = None,
        status: int | None = None,
        event_error: str | None = None,
        event_user_id: str | None = None,
    ) -> None:
        super().__init__(description)
        self.description = description
        self.detail = detail
        self.event_error = event_error
        self.event_user_id = event_user_id
        if status is not None:
            self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class InvalidRequest(OAuthError):
    error = "invalid_request"


class InvalidClient(OAuthError):
    error = "invalid_client"
    status = 401


class InvalidGrant(OAuthError):
    error = "invalid_grant"


class UnauthorizedClient(OAuthError):
    error = "unauthorized_client"


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"


class UnsupportedResponseType(OAuthError):
    error = "unsupported_response_type"


class InvalidScope(OAuthError):
    error = "invalid_scope"


class InvalidToken(OAuthError):
    error = "invalid_token"
    status = 401


class InsufficientScope(OAuthError):
    error = "insufficient_scope"
    status = 403


class AccessDenied(OAuthError):
    error = "access_denied"


class AuthorizationPending(OAuthError):
    """RFC 8628 §3.5: the device polled before the user decided."""

    error = "authorization_pending"


class SlowDown(OAuthError):
    """RFC 8628 §3.5: the device polled faster than its interval."""

    error = "slow_down"


class ExpiredToken(OAuthError):
    """RFC 8628 §3.5: the device code expired before the user decided."""

    error = "expired_token"


class LoginRequired(OAuthError):
    error = "login_required"


class InvalidRedirectUri(OAuthError):
    """Never redirected: the redirect_uri itself is untrusted, so this is an error page."""

    error = "invalid_redirect_uri"


class RealmNotFound(OAuthError):
    error = "Realm does not exist"
    status = 404

    def body(self) -> dict[str, str]:
        return {"error": self.error}


class ServerError(OAuthError):
    error = "server_error"
    status = 500


class InteractionRequired(OAuthError):
    error = "interaction_required"


class ConsentRequired(OAuthError):
    error = "consent_required"


class RequestNotSupported(OAuthError):
    error = "request_not_supported"


class RequestUriNotSupported(OAuthError):
    error = "request_uri_not_supported"


class ClientNotFound(OAuthError):
    """Authorization request naming an unknown or disabled client: an error page, never a redirect."""

    error = "invalid_client"
