"""Brute-force detection, as Keycloak 26's ``DefaultBruteForceProtector`` does it.

With the realm's ``bruteForceProtected`` on, every wrong password of a known user counts a
failure in the database (``tx.login_failures.change``: one row per user, changed under its row
lock, so failures sent to different instances are all counted). The count decides a wait:

- ``MULTIPLE`` (default): ``waitIncrementSeconds * (failures // failureFactor)``;
- ``LINEAR``: ``waitIncrementSeconds * (1 + failures - failureFactor)``;
- a wait of 0 after a failure less than ``quickLoginCheckMilliSeconds`` after the previous one
  becomes ``minimumQuickLoginWaitSeconds`` (a "quick login", not counted as a lockout).

A wait above 0 (at most ``maxFailureWaitSeconds``) locks the user until ``failedLoginNotBefore``
and counts a temporary lockout. With ``permanentLockout``, the user is disabled (``enabled``
false, attribute ``disabledReason=permanentLockout``) once the temporary lockouts exceed
``maxTemporaryLockouts``, or, when that is 0, as soon as the failures reach ``failureFactor``.
Failures more than ``maxDeltaTimeSeconds`` apart start the count again; a success clears it.

While locked, the password is not even checked and nothing is counted; the caller shows the
ordinary "invalid credentials" answer, so a locked account cannot be told from a wrong password.
Times are kept to the second (``lastFailure`` is in milliseconds but a multiple of 1000).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, replace

from realmgate.crypto.secrets import Randomness
from realmgate.model.login_failure import BRUTE_FORCE_DEFAULTS, LoginFailure
from realmgate.model.realm import Realm
from realmgate.model.user import User
from realmgate.protocol import events
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx

# Keycloak's event errors for a login refused because of brute-force detection.
USER_DISABLED = "user_disabled"
USER_TEMPORARILY_DISABLED = "user_temporarily_disabled"
# Keycloak's ``UserModel.DISABLED_REASON`` attribute and ``DISABLED_BY_PERMANENT_LOCKOUT`` value.
DISABLED_REASON = "disabledReason"
DISABLED_BY_PERMANENT_LOCKOUT = "permanentLockout"
MULTIPLE, LINEAR = "MULTIPLE", "LINEAR"
_INT_MAX = 2**31 - 1  # Keycloak keeps failedLoginNotBefore in a Java int


@dataclass(frozen=True, slots=True)
class Policy:
    """The realm's brute-force settings (Keycloak's names in the comments)."""

    protected: bool  # bruteForceProtected
    permanent_lockout: bool  # permanentLockout
    max_temporary_lockouts: int  # maxTemporaryLockouts
    strategy: str  # bruteForceStrategy
    failure_factor: int  # failureFactor
    wait_increment_seconds: int  # waitIncrementSeconds
    quick_login_check_ms: int  # quickLoginCheckMilliSeconds
    minimum_quick_login_wait_seconds: int  # minimumQuickLoginWaitSeconds
    max_failure_wait_seconds: int  # maxFailureWaitSeconds
    max_delta_time_seconds: int  # maxDeltaTimeSeconds

    @property
    def permanent_only(self) -> bool:
        """Permanent lockout with no temporary lockouts before it: no waits but quick logins."""
        return self.permanent_lockout and self.max_temporary_lockouts == 0


def _int(settings: Mapping[str, object], name: str) -> int:
    value = settings.get(name, BRUTE_FORCE_DEFAULTS[name])
    return value if isinstance(value, int) and not isinstance(value, bool) else int(BRUTE_FORCE_DEFAULTS[name])


def policy_of(realm: Realm) -> Policy:
    """The realm's settings, Keycloak's defaults for those never set."""
    s = realm.extra_settings
    return Policy(
        protected=s.get("bruteForceProtected") is True,
        permanent_lockout=s.get("permanentLockout") is True,
        max_temporary_lockouts=_int(s, "maxTemporaryLockouts"),
        strategy=LINEAR if s.get("bruteForceStrategy") == LINEAR else MULTIPLE,
        failure_factor=max(1, _int(s, "failureFactor")),  # Keycloak divides by it
        wait_increment_seconds=_int(s, "waitIncrementSeconds"),
        quick_login_check_ms=_int(s, "quickLoginCheckMilliSeconds"),
        minimum_quick_login_wait_seconds=_int(s, "minimumQuickLoginWaitSeconds"),
        max_failure_wait_seconds=_int(s, "maxFailureWaitSeconds"),
        max_delta_time_seconds=_int(s, "maxDeltaTimeSeconds"),
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    """A failure's outcome: the new record, and whether it locked the user for a while or for good."""

    record: LoginFailure
    temporary: bool = False
    permanent: bool = False


def cleared(record: LoginFailure) -> LoginFailure:
    return LoginFailure(realm_id=record.realm_id, user_id=record.user_id)


def _wait_seconds(policy: Policy, failures: int) -> int:
    if policy.permanent_only:
        return 0
    if policy.strategy == MULTIPLE:
        return policy.wait_increment_seconds * (failures // policy.failure_factor)
    return policy.wait_increment_seconds * (1 + failures - policy.failure_factor)


def after_failure(policy: Policy, record: LoginFailure, *, now_ms: int, ip: str | None) -> Verdict:
    """One more failure at ``now_ms`` from ``ip`` (Keycloak's ``failure``, step by step: a count
    reset also forgets this failure's time and address, as Keycloak's ``clearFailures`` does)."""
    last = record.last_failure
    delta = now_ms - last if last > 0 else 0
    record = replace(record, last_ip_failure=ip, last_failure=now_ms)
    if not policy.permanent_only and delta > policy.max_delta_time_seconds * 1000:
        record = cleared(record)
    failures = record.num_failures + 1
    record = replace(record, num_failures=failures)
    wait = _wait_seconds(policy, failures)
    quick = False
    if wait <= 0 and last > 0 and delta < policy.quick_login_check_ms:
        wait, quick = policy.minimum_quick_login_wait_seconds, True
    temporary = False
    if wait > 0:
        if not policy.permanent_lockout or policy.max_temporary_lockouts > 0:
            wait = min(policy.max_failure_wait_seconds, wait)
        if not quick:
            record = replace(record, num_temporary_lockouts=record.num_temporary_lockouts + 1)
        if quick or not policy.permanent_lockout or record.num_temporary_lockouts <= policy.max_temporary_lockouts:
            record = replace(record, failed_login_not_before=min(_INT_MAX, now_ms // 1000 + wait))
            temporary = True
    permanent = policy.permanent_lockout and (
        record.num_temporary_lockouts > policy.max_temporary_lockouts
        or (policy.max_temporary_lockouts == 0 and failures >= policy.failure_factor)
    )
    return Verdict(record, temporary=temporary, permanent=permanent)


def permanently_locked_out(policy: Policy, user: User, record: LoginFailure | None) -> bool:
    """Disabled by a permanent lockout, or past the limit in a failure not yet applied to the user."""
    if not user.enabled and user.attributes.get(DISABLED_REASON) == (DISABLED_BY_PERMANENT_LOCKOUT,):
        return True
    return (
        policy.permanent_lockout
        and record is not None
        and record.num_temporary_lockouts > policy.max_temporary_lockouts
    )


def temporarily_disabled(record: LoginFailure | None, *, now: int) -> bool:
    return record is not None and now < record.failed_login_not_before


async def lockout_error(tx: Tx, config: RealmConfig, user: User, *, now: int) -> str | None:
    """Keycloak's event error when brute-force detection refuses ``user`` now, else None."""
    policy = policy_of(config.realm)
    if not policy.protected:
        return None
    record = await tx.login_failures.get(config.realm.id, user.id)
    if permanently_locked_out(policy, user, record):
        return USER_DISABLED
    if temporarily_disabled(record, now=now):
        return USER_TEMPORARILY_DISABLED
    return None


async def login_failed(tx: Tx, config: RealmConfig, user: User, *, now: int, ids: Randomness, ip: str | None) -> None:
    """Count a wrong password of ``user``; lock or disable the user when the count says so."""
    policy = policy_of(config.realm)
    if not policy.protected:
        return
    verdicts: list[Verdict] = []

    def count(record: LoginFailure) -> LoginFailure:
        verdicts.append(after_failure(policy, record, now_ms=now * 1000, ip=ip))
        return verdicts[-1].record

    await tx.login_failures.change(config.realm.id, user.id, count)
    verdict = verdicts[-1]
    if verdict.temporary:
        await _lockout_event(tx, config, verdict.record, "USER_DISABLED_BY_TEMPORARY_LOCKOUT", now=now, ids=ids)
    if verdict.permanent:
        await _disable(tx, config.realm, user.id)
        await _lockout_event(tx, config, verdict.record, "USER_DISABLED_BY_PERMANENT_LOCKOUT", now=now, ids=ids)


async def login_succeeded(tx: Tx, config: RealmConfig, user: User) -> None:
    """A right password (of a user not locked out) clears the count."""
    if policy_of(config.realm).protected:
        await tx.login_failures.delete(config.realm.id, user.id)


async def unlocked_by_admin(tx: Tx, realm: Realm, previous: User, updated: User, *, now: int) -> User:
    """An admin update that enables the user (Keycloak's ``UserResource.updateUser``): a user
    who was disabled or temporarily locked starts with no failures, and a permanent lockout's
    ``disabledReason`` goes. Returns the user to save."""
    if not updated.enabled:
        return updated
    record = await tx.login_failures.get(realm.id, previous.id)
    if not previous.enabled or temporarily_disabled(record, now=now):
        await tx.login_failures.delete(realm.id, previous.id)
    if updated.attributes.get(DISABLED_REASON) != (DISABLED_BY_PERMANENT_LOCKOUT,):
        return updated
    attributes = {k: v for k, v in updated.attributes.items() if k != DISABLED_REASON}
    return replace(updated, attributes=attributes)


async def _disable(tx: Tx, realm: Realm, user_id: str) -> None:
    user = await tx.users.get(realm.id, user_id, for_update=True)
    if user is None:
        return
    attributes = {**user.attributes, DISABLED_REASON: (DISABLED_BY_PERMANENT_LOCKOUT,)}
    await tx.users.update(replace(user, enabled=False, attributes=attributes))


async def _lockout_event(
    tx: Tx, config: RealmConfig, record: LoginFailure, event_type: str, *, now: int, ids: Randomness
) -> None:
    details = {"reason": "brute_force_attack detected", "num_failures": str(record.num_failures)}
    if event_type == "USER_DISABLED_BY_TEMPORARY_LOCKOUT":
        until = datetime.datetime.fromtimestamp(record.failed_login_not_before, datetime.UTC)
        details["not_before"] = until.replace(tzinfo=None).isoformat()
    await events.record(
        tx,
        config,
        event_type,
        now=now,
        ids=ids,
        user_id=record.user_id,
        ip_address=record.last_ip_failure,
        details=details,
    )
