"""A deterministic ``Randomness`` for tests: what it hands out follows from its seed and a counter.

Ids are real UUID4 strings (version and variant bits set) whose low bits count up, so a test can
say which id the n-th new thing gets; ``issued`` keeps every value in order. Never shipped in
``src``: a server's randomness is ``realmgate.crypto.secrets.SYSTEM``.
"""

from __future__ import annotations

import base64
import string
import uuid

_ALNUM = string.ascii_letters + string.digits


class CountingRandomness:
    """Counts from 1; ``seed`` tells two sources apart (it fills the high bits of each value)."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.issued: list[str] = []
        self._count = 0

    def _next(self) -> int:
        self._count += 1
        return (self.seed << 32) | self._count

    def _issue(self, value: str) -> str:
        self.issued.append(value)
        return value

    def new_id(self) -> str:
        return self._issue(str(uuid.UUID(int=self._next(), version=4)))

    def new_secret(self, nbytes: int = 32) -> str:
        raw = self._next().to_bytes(max(nbytes, 16), "big")[-nbytes:]
        return self._issue(base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii"))

    def new_client_secret(self, length: int = 32) -> str:
        number, chars = self._next(), []
        for _ in range(length):
            number, digit = divmod(number, len(_ALNUM))
            chars.append(_ALNUM[digit])
        return self._issue("".join(reversed(chars)))

    def nth_id(self, n: int) -> str:
        """The id the ``n``-th value (1-based) is when it is an id."""
        return str(uuid.UUID(int=(self.seed << 32) | n, version=4))
