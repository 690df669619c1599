"""Keycloak password policy strings: ``hashAlgorithm(pbkdf2-sha256) and length(8) and digits(2)``.

The policy is stored on the realm exactly as Keycloak stores it, so a realm file round-trips.
Parsing is lenient about spacing and unknown policy ids (they are kept and ignored), because a
realm exported by a newer Keycloak must still import. ``check_policy`` returns Keycloak's own
error text, which admin clients and tests match on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")

# Keycloak's default argument for each policy when the string gives none.
_DEFAULT_ARGS: dict[str, str] = {
    "length": "8",
    "maxLength": "64",
    "digits": "1",
    "lowerCase": "1",
    "upperCase": "1",
    "specialChars": "1",
    "hashIterations": "-1",
    "hashAlgorithm": "argon2",
    "passwordHistory": "3",
}


class PolicyError(ValueError):
    """The policy string cannot be parsed (bad syntax or a non-numeric count)."""


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """A parsed policy: ``terms`` maps each policy id to its argument, in written order."""

    terms: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str | None:
        for key, value in self.terms:
            if key == name:
                return value
        return None

    def get_int(self, name: str) -> int | None:
        value = self.get(name)
        return None if value is None else _as_int(name, value)

    @property
    def hash_algorithm(self) -> str:
        return self.get("hashAlgorithm") or "argon2"

    @property
    def hash_iterations(self) -> int | None:
        """Iterations the policy asks for, or None for the algorithm's default."""
        value = self.get_int("hashIterations")
        return None if value is None or value < 0 else value


def parse_policy(policy: str | None) -> PasswordPolicy:
    """Parse Keycloak's ``a(x) and b(y)`` syntax; None or blank means no policy."""
    if policy is None or not policy.strip():
        return PasswordPolicy()
    terms: list[tuple[str, str]] = []
    # Keycloak splits on " and " and takes the text up to the last ")" as the argument.
    for part in policy.strip().split(" and "):
        text = part.strip()
        if "(" in text:
            if not text.endswith(")"):
                raise PolicyError(f"Invalid password policy: {policy}")
            name, arg = text[: text.index("(")].strip(), text[text.index("(") + 1 : -1].strip()
        else:
            name, arg = text, ""
        if not _NAME.fullmatch(name):
            raise PolicyError(f"Invalid password policy: {policy}")
        terms.append((name, arg or _DEFAULT_ARGS.get(name, "")))
    return PasswordPolicy(tuple(terms))


def _as_int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise PolicyError(f"Invalid value for {name}: {value}") from exc


def _count(password: str, rule: str) -> int:
    if rule == "digits":
        return sum(c.isdigit() for c in password)
    if rule == "lowerCase":
        return sum(c.islower() for c in password)
    if rule == "upperCase":
        return sum(c.isupper() for c in password)
    return sum(not c.isalnum() for c in password)  # specialChars


_COUNT_MESSAGES = {
    "digits": "Invalid password: must contain at least {0} numerical digits.",
    "lowerCase": "Invalid password: must contain at least {0} lower case characters.",
    "upperCase": "Invalid password: must contain at least {0} upper case characters.",
    "specialChars": "Invalid password: must contain at least {0} special characters.",
}


def check_policy(
    password: str, policy: str | None, *, username: str | None = None, email: str | None = None
) -> str | None:
    """Return Keycloak's error text for the first rule the password breaks, else None.

    ``passwordHistory`` needs the stored history and is checked by the caller.
    """
    parsed = parse_policy(policy)
    for name, arg in parsed.terms:
        if name == "length" and len(password) < _as_int(name, arg):
            return f"Invalid password: minimum length {arg}."
        if name == "maxLength" and len(password) > _as_int(name, arg):
            return f"Invalid password: maximum length {arg}."
        if name in _COUNT_MESSAGES and _count(password, name) < _as_int(name, arg):
            return _COUNT_MESSAGES[name].format(arg)
        if name == "notUsername" and username is not None and password.lower() == username.lower():
            return "Invalid password: must not be equal to the username."
        if name == "notEmail" and email is not None and password.lower() == email.lower():
            return "Invalid password: must not be equal to the email."
        if name == "regexPattern" and re.fullmatch(arg, password) is None:
            return "Invalid password: fails to match regex pattern(s)."
    return None
