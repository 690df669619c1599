"""Required actions at browser login: what must happen before a login may end in a code.

A user's ``required_actions`` run after authentication (password form, broker, or an SSO
session), one at a time in Keycloak's default priority order. realmgate runs
``UPDATE_PASSWORD`` (the "set a new password" page); every other pending action stops the
login with Keycloak's "Account is not fully set up" until its page exists, so a setting an
administrator relies on is never skipped silently (fail closed).
"""

from __future__ import annotations

from realmgate.crypto.secrets import Randomness
from realmgate.model.user import (
    CONFIGURE_TOTP,
    TERMS_AND_CONDITIONS,
    UPDATE_PASSWORD,
    UPDATE_PROFILE,
    VERIFY_EMAIL,
    User,
)
from realmgate.protocol.credentials import replace_password
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx

NOT_FULLY_SET_UP = "Account is not fully set up"
MISSING_PASSWORD = "Please specify password."
PASSWORDS_DIFFER = "Passwords don't match."

# Keycloak's default priorities of its built-in required actions (lower runs first).
_PRIORITY = {CONFIGURE_TOTP: 10, TERMS_AND_CONDITIONS: 20, UPDATE_PASSWORD: 30, UPDATE_PROFILE: 40, VERIFY_EMAIL: 50}
# The actions that have a page today.
SUPPORTED = frozenset({UPDATE_PASSWORD})


def next_action(user: User) -> str | None:
    """The pending action to run first, or None when the login may finish."""
    if not user.required_actions:
        return None
    return min(user.required_actions, key=lambda action: (_PRIORITY.get(action, 1000), action))


def new_password_problem(new: str, confirm: str) -> str | None:
    """The form-level error of the "update password" page (the policy is checked on saving)."""
    if not new:
        return MISSING_PASSWORD
    if new != confirm:
        return PASSWORDS_DIFFER
    return None


async def update_password(tx: Tx, config: RealmConfig, user: User, new: str, *, now: int, ids: Randomness) -> User:
    """Save the new password (``PasswordRejected`` when the realm policy refuses it) and clear
    the ``UPDATE_PASSWORD`` action; returns the stored user."""
    updated = await replace_password(tx, config.realm, user, new, temporary=False, now=now, ids=ids)
    await tx.users.update(updated)
    return updated
