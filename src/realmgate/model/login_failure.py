"""A user's record of failed logins, kept for brute-force detection (Keycloak's
``UserLoginFailureModel``): one per user of a realm with ``bruteForceProtected`` on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LoginFailure:
    """Failures since the last success (or reset). Times as Keycloak keeps them: ``last_failure``
    in epoch milliseconds, ``failed_login_not_before`` in epoch seconds (0: not locked)."""

    realm_id: str
    user_id: str
    num_failures: int = 0
    num_temporary_lockouts: int = 0
    last_failure: int = 0
    last_ip_failure: str | None = None
    failed_login_not_before: int = 0
