"""Injected time, so expiry is tested without sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Returns the current time as epoch seconds (float)."""


def system_clock() -> float:
    return time.time()
