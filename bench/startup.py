"""Start-up time and idle memory of ``realmgate start-dev``, pinned to the server CPU.

Per run: wall time from process start to the first 200 of the master realm's discovery document
(polled every 2 ms), the CPU time the process used until then, and its resident memory one
second later, idle. *Cold* runs start on an empty SQLite database (schema, master realm with its
keys, admin user); *warm* runs restart on that database, as a developer restarting does. Wall
time depends on what else the machine does, CPU time much less, so both are kept.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.server import MASTER_DISCOVERY, READY_TIMEOUT, cpu_seconds, launch_realmgate, rss_mb, wait_for_200

IDLE_SECONDS = 1.0
POLL_SECONDS = 0.002


@dataclass(frozen=True)
class StartupRun:
    wall_ms: float
    cpu_ms: float
    idle_rss_mb: float


@dataclass(frozen=True)
class StartupSummary:
    """Medians over the runs of one kind (cold or warm), and the fastest wall time."""

    runs: int
    wall_ms: float
    wall_min_ms: float
    cpu_ms: float
    idle_rss_mb: float


def one_run(workdir: Path) -> StartupRun:
    """Start on ``workdir``'s database (created if absent), wait for the first 200, then idle."""
    started = time.perf_counter()
    server = launch_realmgate(workdir=workdir)
    try:
        if not wait_for_200(server.process, server.port, MASTER_DISCOVERY, timeout=READY_TIMEOUT, poll=POLL_SECONDS):
            raise RuntimeError(f"no 200 from {MASTER_DISCOVERY}:\n{server.logs()[-3000:]}")
        wall = time.perf_counter() - started
        cpu = cpu_seconds(server.process.pid)
        time.sleep(IDLE_SECONDS)
        return StartupRun(wall * 1000, cpu * 1000, rss_mb(server.process.pid))
    finally:
        server.stop()


def summarise(runs: list[StartupRun]) -> StartupSummary:
    walls = [r.wall_ms for r in runs]
    return StartupSummary(
        runs=len(runs),
        wall_ms=statistics.median(walls),
        wall_min_ms=min(walls),
        cpu_ms=statistics.median(r.cpu_ms for r in runs),
        idle_rss_mb=statistics.median(r.idle_rss_mb for r in runs),
    )


def measure(runs: int) -> dict[str, StartupSummary]:
    """``runs`` cold starts, each followed by a warm restart on its database."""
    cold: list[StartupRun] = []
    warm: list[StartupRun] = []
    with tempfile.TemporaryDirectory(prefix="realmgate-bench-startup-") as tmp:
        for i in range(runs):
            workdir = Path(tmp) / f"run{i}"
            workdir.mkdir()
            cold.append(one_run(workdir))
            warm.append(one_run(workdir))
    return {"cold": summarise(cold), "warm": summarise(warm)}
