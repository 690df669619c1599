"""Checking a username (or email) and password, for the login form and the password grant.

Failures are deliberately vague ("Invalid username or password.") so the form cannot be used to
find out which accounts exist; a disabled account is only reported after the right password.
With brute-force detection on (``protocol.brute_force``), a locked-out user is refused before
the password is checked, with the same message, and wrong passwords of known users are counted.
A password stored with an outdated hash (e.g. imported Keycloak pbkdf2) is rehashed to the
realm's policy on a successful login. Hashing runs in a worker thread: argon2 is deliberately
slow and would otherwise stall every other request on the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
from dataclasses import replace

from realmgate.crypto import passwords
from realmgate.crypto.secrets import Randomness
from realmgate.model.user import User
from realmgate.protocol import brute_force
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx

INVALID_CREDENTIALS = "Invalid username or password."
ACCOUNT_DISABLED = "Account is disabled, contact your administrator."


# Keycloak's event error for a wrong password or an unknown user.
INVALID_USER_CREDENTIALS = "invalid_user_credentials"


class LoginFailure(Exception):
    """The user could not be authenticated; ``message`` is safe to show. ``disabled``: the
    account is disabled and may be told so (right password); ``error`` is Keycloak's event error
    and ``user_id`` the user it is about, for the log of events only."""

    def __init__(
        self, message: str, *, disabled: bool = False, error: str | None = None, user_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.disabled = disabled
        self.error = error or (brute_force.USER_DISABLED if disabled else INVALID_USER_CREDENTIALS)
        self.user_id = user_id


async def find_user(tx: Tx, config: RealmConfig, login: str) -> User | None:
    """By username, else (when the realm allows it) by a unique email address."""
    name = login.strip().lower()
    if not name:
        return None
    user = await tx.users.get_by_username(config.realm.id, name)
    if user is None and "@" in name and config.realm.login_with_email_allowed:
        matches = await tx.users.get_by_email(config.realm.id, name)
        user = matches[0] if len(matches) == 1 else None
    if user is not None and user.service_account_client_id is not None:
        return None  # service accounts cannot log in interactively
    return user


async def _password_ok(tx: Tx, config: RealmConfig, user: User, password: str, now: int) -> bool:
    for credential in await tx.credentials.list(user.id):
        if credential.type != passwords.PASSWORD_TYPE:
            continue
        if not await asyncio.to_thread(
            passwords.verify_password, password, credential.secret_data, credential.credential_data
        ):
            continue
        policy = config.realm.password_policy
        if passwords.needs_rehash(credential.credential_data, policy=policy):
            secret_data, credential_data = await asyncio.to_thread(
                functools.partial(passwords.hash_password, password, policy=policy)
            )
            await tx.credentials.update(replace(credential, secret_data=secret_data, credential_data=credential_data))
        return True
    return False


@functools.cache
def _decoy() -> tuple[str, str]:
    """A hash to verify against when the user does not exist, so both paths take as long."""
    return passwords.hash_password(secrets.token_urlsafe(16))


def _verify_decoy(password: str) -> None:
    passwords.verify_password(password, *_decoy())


async def authenticate(
    tx: Tx,
    config: RealmConfig,
    login: str,
    password: str,
    *,
    now: int,
    ids: Randomness,
    ip_address: str | None = None,
) -> User:
    """The user whose credentials these are, or ``LoginFailure``. An empty password is refused
    without counting a failure, as Keycloak does."""
    user = await find_user(tx, config, login)
    if user is None or not password:
        await asyncio.to_thread(_verify_decoy, password or "-")
        raise LoginFailure(INVALID_CREDENTIALS, user_id=user.id if user else None)
    locked = await brute_force.lockout_error(tx, config, user, now=now)
    if locked is not None:
        await asyncio.to_thread(_verify_decoy, password)  # as slow as a wrong password
        raise LoginFailure(INVALID_CREDENTIALS, error=locked, user_id=user.id)
    if not await _password_ok(tx, config, user, password, now):
        await brute_force.login_failed(tx, config, user, now=now, ids=ids, ip=ip_address)
        raise LoginFailure(INVALID_CREDENTIALS, user_id=user.id)
    if not user.enabled:
        raise LoginFailure(ACCOUNT_DISABLED, disabled=True, user_id=user.id)
    await brute_force.login_succeeded(tx, config, user)
    return user
