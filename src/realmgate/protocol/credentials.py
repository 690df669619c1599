"""Replacing a user's password: one rule for the admin API and the "update password" page.

The realm's password policy is checked first (Keycloak's own error text is kept for the caller
to show); then every stored password credential gives way to one new hash, and the
``UPDATE_PASSWORD`` required action is set (temporary password) or cleared.
"""

from __future__ import annotations

from dataclasses import replace

from realmgate.crypto.password_policy import check_policy
from realmgate.crypto.passwords import PASSWORD_TYPE, new_password_credential
from realmgate.crypto.secrets import Randomness
from realmgate.model.realm import Realm
from realmgate.model.user import UPDATE_PASSWORD, User
from realmgate.store.interface import Tx


class PasswordRejected(ValueError):
    """The password breaks the realm's policy; ``message`` is Keycloak's text, safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def replace_password(
    tx: Tx, realm: Realm, user: User, value: str, *, temporary: bool, now: int, ids: Randomness
) -> User:
    """Store ``value`` as the user's only password; returns the user with ``UPDATE_PASSWORD``
    set (``temporary``) or cleared. The caller saves the returned user."""
    problem = check_policy(value, realm.password_policy, username=user.username, email=user.email)
    if problem is not None:
        raise PasswordRejected(problem)
    for existing in await tx.credentials.list(user.id):
        if existing.type == PASSWORD_TYPE:
            await tx.credentials.delete(user.id, existing.id)
    await tx.credentials.add(
        new_password_credential(user.id, value, now_ms=now * 1000, ids=ids, policy=realm.password_policy)
    )
    actions = tuple(a for a in user.required_actions if a != UPDATE_PASSWORD)
    if temporary:
        actions += (UPDATE_PASSWORD,)
    return replace(user, required_actions=actions)
