"""A user's record of failed logins, kept for brute-force detection (Keycloak's
``UserLoginFailureModel``): one per user of a realm with ``bruteForceProtected`` on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BRUTE_FORCE_DEFAULTS: Mapping[str, bool | int | str] = {
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
}
"""Keycloak 26's values of the realm's brute-force settings for a fresh realm
(``RealmManager.setupRealmDefaults``), by their RealmRepresentation names. They sit with the
model because two layers read them: ``protocol.brute_force`` for a realm that never set one,
and ``keycloak.representations.realm_settings`` to show and validate them."""


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
