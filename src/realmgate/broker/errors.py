"""The broker's error tree.

Every error carries a ``message`` that is safe to show (an error page, an admin 400 body) and a
``detail`` for the log line only. Neither ever contains a token, a secret or a traceback: the
log must say *which* check failed, never *what* the token was.
"""

from __future__ import annotations

from enum import StrEnum


class BrokerError(Exception):
    """Base of everything the broker core raises on purpose."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class ConfigInvalid(BrokerError):
    """An identity-provider configuration cannot be saved (admin API 400 ``errorMessage``)
    or cannot be used at runtime."""


class UnknownProvider(BrokerError):
    """No connector implements this ``providerId``."""


class StateInvalid(BrokerError):
    """The callback's ``state`` is missing, expired, already used, or belongs to another
    provider or another browser: the login must start again."""

    def __init__(self, detail: str) -> None:
        super().__init__("Your login attempt timed out or is no longer valid. Please log in again.", detail=detail)


class UpstreamErrorKind(StrEnum):
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    BAD_STATUS = "bad_status"
    BAD_JSON = "bad_json"
    BAD_RESPONSE = "bad_response"


class UpstreamError(BrokerError):
    """A call to the upstream provider failed; ``what`` names the endpoint ("token endpoint").

    ``upstream_error`` is the OAuth ``error`` code the upstream returned, when it returned one
    (``invalid_grant`` ...); it is a short token from a fixed vocabulary, safe to log.
    """

    def __init__(
        self,
        kind: UpstreamErrorKind,
        what: str,
        *,
        status: int | None = None,
        upstream_error: str | None = None,
    ) -> None:
        text = {
            UpstreamErrorKind.UNREACHABLE: f"Could not reach the identity provider's {what}",
            UpstreamErrorKind.TIMEOUT: f"The identity provider's {what} did not answer in time",
            UpstreamErrorKind.BAD_STATUS: f"The identity provider's {what} refused the request",
            UpstreamErrorKind.BAD_JSON: f"The identity provider's {what} sent an unreadable answer",
            UpstreamErrorKind.BAD_RESPONSE: f"The identity provider's {what} sent an incomplete answer",
        }[kind]
        detail = f"{what}: {kind.value}"
        if status is not None:
            detail += f" status={status}"
        if upstream_error is not None:
            detail += f" error={upstream_error}"
        super().__init__(text, detail=detail)
        self.kind = kind
        self.what = what
        self.status = status
        self.upstream_error = upstream_error


class Check(StrEnum):
    """The validation step that refused an upstream token (logged, shown to nobody else)."""

    MISSING_TOKEN = "missing_token"
    MALFORMED = "malformed"
    ALGORITHM = "algorithm"
    SIGNATURE = "signature"
    UNKNOWN_KID = "unknown_kid"
    NO_KEYS = "no_keys"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    ISSUED_IN_FUTURE = "issued_in_future"
    AUDIENCE = "audience"
    AZP = "azp"
    ISSUER = "issuer"
    AUTH_TIME = "auth_time"
    CLAIM_FILTER = "claim_filter"
    NONCE = "nonce"
    USERINFO_SUB = "userinfo_sub"
    SUBJECT = "subject"
    LOGOUT_EVENT = "logout_event"
    LOGOUT_TYPE = "logout_type"


class TokenInvalid(BrokerError):
    """An upstream token failed the check named by ``check``."""

    def __init__(self, check: Check, what: str = "ID token", *, detail: str | None = None) -> None:
        super().__init__(
            "The identity provider's answer could not be verified",
            detail=f"{what} rejected: {check.value}" + (f" ({detail})" if detail else ""),
        )
        self.check = check
        self.what = what
