"""The argon2id baseline: hashes per second of argon2-cffi alone, with Keycloak's parameters.

Every password check (password grant, login form) costs one argon2id hash with the parameters
realmgate stores by default (``realmgate.crypto.passwords``: Keycloak's 7 MiB, t=5, p=1), so
this rate is the ceiling of those cases on one core; a password case far below it spends its
time elsewhere. It runs in its own process on the server CPU, with nothing else measured.

    python -m bench.argon2_rate SECONDS    # prints one JSON object (what measure() reads)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from argon2.low_level import Type, hash_secret_raw
from tests.e2e.harness import PYTHON, ROOT

from bench.measure import Measurement, percentile
from bench.server import pinned
from realmgate.crypto.passwords import ARGON2_DEFAULTS, ARGON2_ITERATIONS


def _hash_once(salt: bytes) -> None:
    hash_secret_raw(
        b"bench-password",
        salt,
        time_cost=ARGON2_ITERATIONS,
        memory_cost=int(ARGON2_DEFAULTS["memory"]),
        parallelism=int(ARGON2_DEFAULTS["parallelism"]),
        hash_len=int(ARGON2_DEFAULTS["hashLength"]),
        type=Type.ID,
    )


def rate(seconds: float) -> dict[str, float]:
    """Hash for ``seconds``: hashes, wall and CPU seconds, median and p99 milliseconds per hash."""
    salt = os.urandom(16)
    each_ms: list[float] = []
    cpu_start, started = time.process_time(), time.perf_counter()
    while (now := time.perf_counter()) - started < seconds:
        _hash_once(salt)
        each_ms.append((time.perf_counter() - now) * 1000)
    each_ms.sort()
    return {
        "hashes": len(each_ms),
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_start,
        "p50_ms": percentile(each_ms, 0.5),
        "p99_ms": percentile(each_ms, 0.99),
    }


def measure(seconds: float) -> Measurement:
    """``rate`` in a subprocess pinned to the server CPU, as a row of the results table."""
    cmd = pinned([PYTHON, "-m", "bench.argon2_rate", str(seconds)])
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(done.stdout)
    hashes = int(result["hashes"])
    return Measurement(
        requests=hashes,
        seconds=result["seconds"],
        p50_ms=result["p50_ms"],
        p99_ms=result["p99_ms"],
        cpu_us=result["cpu_seconds"] * 1e6 / hashes,
        rss_mb=None,
        errors=0,
    )


if __name__ == "__main__":
    print(json.dumps(rate(float(sys.argv[1]))))
