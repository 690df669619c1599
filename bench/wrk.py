"""Run wrk on the load CPU and read its report.

wrk (Debian's ``/usr/bin/wrk``) rather than a Python client: one C thread keeps 16 connections
busy at a few percent of a CPU, so the figures measure the server, not the load generator.
Every case goes through ``bench/request.lua``, which counts the answers that are not 2xx — wrk
itself counts a 3xx (a login page's redirect, say) as a success — so a case that fails fast is
flagged instead of reported as fast.
"""

from __future__ import annotations

import re
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.measure import Load, Measurement, measured
from bench.server import LOAD_CPU, Target

SCRIPT = Path(__file__).with_name("request.lua")
CONNECTIONS = 16
TIMEOUT_SECONDS = 10  # wrk's default of 2 s would count slow argon2 answers as socket errors

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)
_COMPLETED = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)", re.M)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON2XX = re.compile(r"^bench-non2xx (\d+)$", re.M)
_FIRST_FAILURE = re.compile(r"^bench-first-failure ?(.*)$", re.M)


@dataclass(frozen=True)
class Request:
    """One HTTP request as wrk repeats it. In the body, ``{run}`` becomes a new random word per
    wrk run and ``{n}`` a number per request (``request.lua``): unique names across runs."""

    method: str
    path: str
    body: str = ""
    headers: tuple[str, ...] = ()


def command(base_url: str, request: Request, seconds: int) -> list[str]:
    """The wrk command line, pinned to the load CPU: one thread, ``CONNECTIONS`` connections
    (wrk takes whole seconds only)."""
    body = request.body.replace("{run}", secrets.token_hex(4))
    return [
        "taskset",
        "-c",
        str(LOAD_CPU),
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        f"--timeout={TIMEOUT_SECONDS}s",
        "--latency",
        "-s",
        str(SCRIPT),
        base_url + request.path,
        "--",
        request.method,
        body,
        *request.headers,
    ]


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def parse(output: str) -> Load:
    """Read wrk's ``--latency`` report and the lines ``request.lua`` adds to it."""
    completed = _COMPLETED.search(output)
    non2xx = _NON2XX.search(output)
    if completed is None or non2xx is None:
        raise RuntimeError(f"unreadable wrk output:\n{output}")
    percentiles = {q: _ms(value, unit) for q, value, unit in _PERCENTILE.findall(output)}
    socket = _SOCKET.search(output)
    socket_errors = sum(int(n) for n in socket.groups()) if socket else 0
    failure = _FIRST_FAILURE.search(output)
    first_failure = failure.group(1).strip() if failure else ""
    if socket_errors and not first_failure:
        first_failure = socket.group(0) if socket else ""
    return Load(
        requests=int(completed.group(1)),
        seconds=_ms(completed.group(2), completed.group(3)) / 1000.0,
        p50_ms=percentiles.get("50", 0.0),
        p99_ms=percentiles.get("99", 0.0),
        errors=int(non2xx.group(1)) + socket_errors,
        first_failure=first_failure,
    )


def run(base_url: str, request: Request, seconds: int) -> Load:
    """Load ``base_url`` with ``request`` for ``seconds`` and return what wrk measured."""
    done = subprocess.run(command(base_url, request, seconds), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)


def measure(server: Target, request: Request, seconds: int) -> Measurement:
    """``request`` repeated by wrk for ``seconds`` against ``server``, with the server's CPU."""
    return measured([server], lambda: run(server.base_url, request, seconds))
