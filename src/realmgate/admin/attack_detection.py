"""Keycloak's attack-detection admin API: a user's brute-force status, and clearing failures.

``GET .../attack-detection/brute-force/users/{userId}`` answers Keycloak 26's map even for an
unknown user id or a realm without brute-force detection (zeros, ``lastIPFailure`` "n/a");
``failedLoginNotBefore`` is the end of a temporary lockout, or Java's ``Long.MAX_VALUE`` for a
permanent one. Clearing a user's failures ends a temporary lockout; it does not re-enable a
permanently locked-out user (enabling the user does, see ``brute_force.unlocked_by_admin``).
The routes are added to the admin route table by ``realmgate.web.admin.operations``.
"""

from __future__ import annotations

from collections.abc import Mapping

from realmgate.admin import auth as admin_auth
from realmgate.admin.call import AdminCall, Operation, op
from realmgate.admin.schema import ANY_OBJECT
from realmgate.model.login_failure import LoginFailure
from realmgate.model.user import User
from realmgate.protocol import brute_force

BASE = "/admin/realms/{realm}/attack-detection/brute-force/users"
TAG = "Attack Detection"
RESOURCE = "USER_LOGIN_FAILURE"
_JAVA_LONG_MAX = 2**63 - 1


def brute_force_status(
    policy: brute_force.Policy, user: User | None, record: LoginFailure | None, *, now: int
) -> dict[str, object]:
    """Keycloak's status map for ``user`` (None: no such user) with failure record ``record``."""
    status: dict[str, object] = {
        "disabled": False,
        "numFailures": 0,
        "numTemporaryLockouts": 0,
        "lastFailure": 0,
        "lastIPFailure": "n/a",
        "failedLoginNotBefore": 0,
    }
    if not policy.protected or record is None:
        return status
    temporary = brute_force.temporarily_disabled(record, now=now)
    if temporary or (user is not None and brute_force.permanently_locked_out(policy, user, record)):
        status["disabled"] = True
        status["failedLoginNotBefore"] = record.failed_login_not_before if temporary else _JAVA_LONG_MAX
    status |= {
        "numFailures": record.num_failures,
        "numTemporaryLockouts": record.num_temporary_lockouts,
        "lastFailure": record.last_failure,
        "lastIPFailure": record.last_ip_failure,
    }
    return status


async def user_status(call: AdminCall) -> Mapping[str, object]:
    realm, user_id = call.realm, call.path["user_id"]
    user = await call.tx.users.get(realm.id, user_id)
    record = await call.tx.login_failures.get(realm.id, user_id)
    return brute_force_status(brute_force.policy_of(realm), user, record, now=call.now)


async def clear_user(call: AdminCall) -> None:
    await call.tx.login_failures.delete(call.realm.id, call.path["user_id"])


async def clear_all(call: AdminCall) -> None:
    await call.tx.login_failures.delete_for_realm(call.realm.id)


OPERATIONS: list[Operation] = [
    op(
        "GET",
        BASE + "/{user_id}",
        user_status,
        admin_auth.VIEW_USERS,
        "Get the brute-force status of a user",
        TAG,
        response=ANY_OBJECT,
    ),
    op(
        "DELETE",
        BASE + "/{user_id}",
        clear_user,
        admin_auth.MANAGE_USERS,
        "Clear the login failures of a user (ends a temporary lockout)",
        TAG,
        resource=RESOURCE,
    ),
    op(
        "DELETE",
        BASE,
        clear_all,
        admin_auth.MANAGE_USERS,
        "Clear the login failures of all users of the realm",
        TAG,
        resource=RESOURCE,
    ),
]
