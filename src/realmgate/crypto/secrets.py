"""Identifiers and random secrets, made by an injected ``Randomness``, and the one way to compare
secrets.

Randomness is injected like time (``realmgate.clock``): the composition root and the CLI build
``SYSTEM`` once and hand it down (``AppContext.ids``, ``AdminCall.ids``, a parameter ``ids``), so
a test can give a counter-based source and assert exactly which ids a realm, an import, a token or
a login step gets. Nothing below the composition root reaches for ``SYSTEM`` itself.

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
from typing import Protocol


class Randomness(Protocol):
    """Where ids and secrets come from."""

    def new_id(self) -> str:
        """A fresh UUID4 string."""
        ...

    def new_secret(self, nbytes: int = 32) -> str:
        """A URL-safe secret of ``nbytes`` of randomness."""
        ...

    def new_client_secret(self, length: int = 32) -> str:
        """A client secret shaped like Keycloak's: ``length`` letters and digits."""
        ...


_ALNUM = string.ascii_letters + string.digits


class SystemRandomness:
    """The operating system's randomness (``secrets``, ``uuid.uuid4``): what a server uses."""

    __slots__ = ()

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def new_secret(self, nbytes: int = 32) -> str:
        """``nbytes`` of randomness, base64url-encoded without padding."""
        return _secrets.token_urlsafe(nbytes)

    def new_client_secret(self, length: int = 32) -> str:
        return "".join(_secrets.choice(_ALNUM) for _ in range(length))


SYSTEM: Randomness = SystemRandomness()
"""The one system source, built by the composition root and the CLI entry points."""


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def constant_time_equals(a: str | bytes, b: str | bytes) -> bool:
    """Compare two secrets in time independent of where they differ."""
    return hmac.compare_digest(_as_bytes(a), _as_bytes(b))
