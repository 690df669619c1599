"""Identifiers and random secrets, and the one way to compare secrets.

Every id in the model is a UUID4 string (Keycloak uses UUIDs too, and admin clients expect them
in ``Location`` headers). Secrets are URL-safe so they can travel in forms, headers and URLs
without escaping. Comparisons of secrets go through ``constant_time_equals`` so their timing
does not leak how many leading characters matched.
"""

from __future__ import annotations

import hmac
import secrets as _secrets
import string
import uuid


def new_id() -> str:
    """A fresh random UUID4 string."""
    return str(uuid.uuid4())


def new_secret(nbytes: int = 32) -> str:
    """``nbytes`` of randomness, base64url-encoded without padding."""
    return _secrets.token_urlsafe(nbytes)


_ALNUM = string.ascii_letters + string.digits


def new_client_secret(length: int = 32) -> str:
    """A client secret shaped like Keycloak's: ``length`` random letters and digits."""
    return "".join(_secrets.choice(_ALNUM) for _ in range(length))


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def constant_time_equals(a: str | bytes, b: str | bytes) -> bool:
    """Compare two secrets in time independent of where they differ."""
    return hmac.compare_digest(_as_bytes(a), _as_bytes(b))
