"""Self-registration (``registrationAllowed``): the rules of Keycloak's "Register" form.

The form asks what Keycloak's default user profile requires of a user: first and last name, an
email address, a username (unless ``registrationEmailAsUsername``: the email is the username),
and a password typed twice. Problems are reported per field with Keycloak's message texts, so a
page can show each next to its input; nothing is stored until every field is right. A new user
gets the realm's default roles (``store.user_creation.add_user``) and a password checked against
the realm's policy, exactly as one made through the admin API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from realmgate.crypto.password_policy import check_policy
from realmgate.crypto.secrets import Randomness
from realmgate.model.user import User
from realmgate.protocol.credentials import replace_password
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Conflict, Tx
from realmgate.store.user_creation import add_user

NOT_ALLOWED = "Registration not allowed."
_MISSING = {
    "firstName": "Please specify first name.",
    "lastName": "Please specify last name.",
    "email": "Please specify email.",
    "username": "Please specify username.",
    "password": "Please specify password.",
}
INVALID_EMAIL = "Invalid email address."
PASSWORD_CONFIRM = "Password confirmation doesn't match."
USERNAME_EXISTS = "Username already exists."
EMAIL_EXISTS = "Email already exists."
# One "@", something before it, a dot-separated domain after it, no spaces: the shape Keycloak's
# email validator accepts for the common cases; the address is not verified (no email is sent).
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


@dataclass(frozen=True)
class Registration:
    """The submitted form, trimmed; ``username`` is the email when the realm says so."""

    first_name: str
    last_name: str
    email: str
    username: str
    password: str
    confirm: str

    @classmethod
    def from_form(cls, config: RealmConfig, form: Mapping[str, str]) -> Registration:
        email = form.get("email", "").strip()
        username = email if config.realm.registration_email_as_username else form.get("username", "").strip()
        return cls(
            first_name=form.get("firstName", "").strip(),
            last_name=form.get("lastName", "").strip(),
            email=email,
            username=username.lower(),
            password=form.get("password", ""),
            confirm=form.get("password-confirm", ""),
        )

    def values(self) -> dict[str, str]:
        """What the page shows again after a problem (never the passwords)."""
        return {
            "firstName": self.first_name,
            "lastName": self.last_name,
            "email": self.email,
            "username": self.username,
        }


class RegistrationRefused(Exception):
    """The form has problems: ``problems`` maps a field name to Keycloak's message."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = dict(problems)


def form_problems(config: RealmConfig, form: Registration) -> dict[str, str]:
    """Problems visible from the form alone, in the page's field order."""
    given = {
        "firstName": form.first_name,
        "lastName": form.last_name,
        "email": form.email,
        "username": form.username,
        "password": form.password,
    }
    problems = {field: message for field, message in _MISSING.items() if not given[field]}
    if config.realm.registration_email_as_username:
        problems.pop("username", None)
    if form.email and _EMAIL.fullmatch(form.email) is None:
        problems["email"] = INVALID_EMAIL
    if form.password and form.password != form.confirm:
        problems["password-confirm"] = PASSWORD_CONFIRM
    return problems


async def _clash_problems(tx: Tx, config: RealmConfig, form: Registration) -> dict[str, str]:
    realm = config.realm
    problems: dict[str, str] = {}
    if await tx.users.get_by_username(realm.id, form.username) is not None:
        problems["email" if realm.registration_email_as_username else "username"] = USERNAME_EXISTS
    if not realm.duplicate_emails_allowed and await tx.users.get_by_email(realm.id, form.email.lower()):
        problems["email"] = EMAIL_EXISTS
    return problems


async def register(tx: Tx, config: RealmConfig, form: Registration, *, now: int, ids: Randomness) -> User:
    """Create the user of a valid form, with its password and the realm's default roles.

    Raises ``RegistrationRefused`` (nothing stored) for a missing or malformed field, a taken
    username or email, or a password the realm's policy refuses."""
    if not config.realm.registration_allowed:
        raise RegistrationRefused({"": NOT_ALLOWED})
    problems = form_problems(config, form) or await _clash_problems(tx, config, form)
    if problems:
        raise RegistrationRefused(problems)
    user = User(
        id=ids.new_id(),
        realm_id=config.realm.id,
        username=form.username,
        email=form.email.lower(),
        first_name=form.first_name,
        last_name=form.last_name,
        created_timestamp=now * 1000,
    )
    problem = check_policy(form.password, config.realm.password_policy, username=user.username, email=user.email)
    if problem is not None:
        raise RegistrationRefused({"password": problem})
    try:
        await add_user(tx, config.realm, user)
    except Conflict:  # a concurrent registration took the username or email after our check
        raise RegistrationRefused({"username": USERNAME_EXISTS}) from None
    stored = await replace_password(tx, config.realm, user, form.password, temporary=False, now=now, ids=ids)
    if stored != user:
        await tx.users.update(stored)
    return stored
