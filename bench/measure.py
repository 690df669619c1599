"""One measurement of one case on one server: throughput, latency, server CPU and memory.

Whatever drives the load (wrk, or the Python login drivers), the server's share is read the same
way: its CPU time from ``/proc`` before and after, divided by the requests completed, and its
resident memory after the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench.server import Target, cpu_seconds, rss_mb


@dataclass(frozen=True)
class Measurement:
    """One run of one case; ``cpu_us`` is server CPU microseconds per completed request,
    ``rss_mb`` the server's resident memory after the run (None: no server, e.g. argon2)."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_us: float
    rss_mb: float | None
    errors: int
    first_failure: str = ""
    detail: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Load:
    """What a load driver reports: completed requests, wall seconds, latency, failures."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    first_failure: str


def percentile(sorted_ms: Sequence[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of already sorted latencies; 0 when there are none."""
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))] if sorted_ms else 0.0


def measured(servers: Sequence[Target], drive: Callable[[], Load]) -> Measurement:
    """Run ``drive`` and charge the CPU all ``servers`` used meanwhile to its completed requests;
    per-server CPU goes to ``detail`` when there is more than one, RSS is the first server's."""
    before = [cpu_seconds(s.pid) for s in servers]
    load = drive()
    used = [cpu_seconds(s.pid) - b for s, b in zip(servers, before, strict=True)]
    per_request = [u * 1e6 / load.requests if load.requests else 0.0 for u in used]
    detail = {f"{s.name}_cpu_us": c for s, c in zip(servers, per_request, strict=True)} if len(servers) > 1 else {}
    return Measurement(
        requests=load.requests,
        seconds=load.seconds,
        p50_ms=load.p50_ms,
        p99_ms=load.p99_ms,
        cpu_us=sum(per_request),
        rss_mb=rss_mb(servers[0].pid),
        errors=load.errors,
        first_failure=load.first_failure,
        detail=detail,
    )
