"""The results: a Markdown table on stdout and every figure in ``bench/results/<UTC time>.json``.

Each case's figures are medians over its rounds, so one disturbed round moves them little; the
errors are summed, and a case with any is marked in the table (✗) rather than shown as fast. The
JSON keeps every round and describes the machine (CPUs, load average before and after), because
a figure from a shared two-core machine means little without them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.measure import Measurement
from bench.startup import StartupSummary

RESULTS = Path(__file__).resolve().parent / "results"
DASH = "n/a"


@dataclass
class CaseResult:
    """One case's rounds on realmgate and, where it has an equivalent, on the peer."""

    name: str
    label: str
    realmgate: list[Measurement] = field(default_factory=list)
    peer: list[Measurement] = field(default_factory=list)


def _median(runs: list[Measurement], figure: Callable[[Measurement], float | None]) -> float | None:
    values = [v for v in map(figure, runs) if v is not None]
    return statistics.median(values) if values else None


def _errors(runs: list[Measurement]) -> int:
    return sum(m.errors for m in runs)


def _num(value: float | None, digits: int = 0) -> str:
    return DASH if value is None else f"{value:,.{digits}f}"


def _rate(runs: list[Measurement]) -> str:
    """Median rate, marked when any round had errors: it then counts failures, not work."""
    rate = _num(_median(runs, lambda m: m.per_second), 1)
    return f"✗ {rate}" if _errors(runs) else rate


def _ratio(case: CaseResult) -> float | None:
    ours, theirs = _median(case.realmgate, lambda m: m.per_second), _median(case.peer, lambda m: m.per_second)
    return ours / theirs if ours is not None and theirs else None


def table(cases: list[CaseResult]) -> str:
    """The Markdown table: realmgate's medians, the peer's, and realmgate's rate over the peer's."""
    lines = [
        "| case | req/s | p50 ms | p99 ms | CPU µs/req | RSS MB | errors | peer req/s | peer CPU µs/req | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for case in cases:
        runs, peer = case.realmgate, case.peer
        errors = str(_errors(runs)) + (f" / {_errors(peer)}" if peer else "")
        if _errors(runs) or _errors(peer):
            errors = f"**{errors} ✗**"
        ratio = _ratio(case)
        cells = [
            case.label,
            _rate(runs),
            _num(_median(runs, lambda m: m.p50_ms), 1),
            _num(_median(runs, lambda m: m.p99_ms), 1),
            _num(_median(runs, lambda m: m.cpu_us)),
            _num(_median(runs, lambda m: m.rss_mb), 1),
            errors,
            _rate(peer) if peer else DASH,
            _num(_median(peer, lambda m: m.cpu_us)) if peer else DASH,
            DASH if ratio is None else f"{ratio:.2f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def startup_table(summaries: dict[str, StartupSummary]) -> str:
    lines = [
        "| start | runs | wall to first 200, median (min) | CPU to ready, median | idle RSS, median |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind, s in summaries.items():
        lines.append(
            f"| {kind} | {s.runs} | {s.wall_ms:.0f} ms ({s.wall_min_ms:.0f} ms) | {s.cpu_ms:.0f} ms "
            f"| {s.idle_rss_mb:.1f} MB |"
        )
    return "\n".join(lines)


def details(cases: list[CaseResult]) -> list[str]:
    """The figures a table cell sums up, e.g. each broker instance's CPU per login (medians)."""
    lines = []
    for case in cases:
        keys = sorted({k for m in case.realmgate for k in m.detail})
        if keys:
            medians = {k: statistics.median(m.detail[k] for m in case.realmgate if k in m.detail) for k in keys}
            parts = [f"{k} {value:,.0f}" for k, value in medians.items()]
            lines.append(f"{case.name}: " + ", ".join(parts))
    return lines


def failures(cases: list[CaseResult]) -> list[str]:
    """One line per case and server that had errors, with the first failure seen."""
    found = []
    for case in cases:
        for side, runs in (("realmgate", case.realmgate), ("peer", case.peer)):
            if _errors(runs):
                first = next(m.first_failure for m in runs if m.errors)
                found.append(f"{case.name} on {side}: {_errors(runs)} errors; first: {first}")
    return found


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _version(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError:
        return "absent"
    return (done.stdout or done.stderr).splitlines()[0].strip() if (done.stdout or done.stderr) else "unknown"


def machine() -> dict[str, Any]:
    """What the figures were measured on (the load averages are added by the caller)."""
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "wrk": _version(["wrk", "--version"]),
        "realmgate_commit": _version(["git", "-C", str(RESULTS.parent), "describe", "--always", "--dirty"]),
    }


def _summary(case: CaseResult) -> dict[str, Any]:
    def medians(runs: list[Measurement]) -> dict[str, float | None]:
        return {
            "per_second": _median(runs, lambda m: m.per_second),
            "p50_ms": _median(runs, lambda m: m.p50_ms),
            "p99_ms": _median(runs, lambda m: m.p99_ms),
            "cpu_us": _median(runs, lambda m: m.cpu_us),
            "rss_mb": _median(runs, lambda m: m.rss_mb),
        }

    def rounds(runs: list[Measurement]) -> list[dict[str, Any]]:
        return [{**dataclasses.asdict(m), "per_second": m.per_second} for m in runs]

    out: dict[str, Any] = {
        "label": case.label,
        "errors": _errors(case.realmgate),
        "realmgate": medians(case.realmgate),
        "realmgate_rounds": rounds(case.realmgate),
    }
    if case.peer:
        out |= {"peer_errors": _errors(case.peer), "peer": medians(case.peer), "peer_rounds": rounds(case.peer)}
        out["ratio_per_second"] = _ratio(case)
    return out


def write_json(
    started: datetime,
    settings: dict[str, Any],
    host: dict[str, Any],
    cases: list[CaseResult],
    startup: dict[str, StartupSummary] | None,
) -> Path:
    """All figures and their context in ``bench/results/<UTC start time>.json``; returns the path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    document = {
        "started_utc": started.isoformat(timespec="seconds"),
        "settings": settings,
        "machine": host,
        "cases": {case.name: _summary(case) for case in cases},
        "startup": {kind: dataclasses.asdict(s) for kind, s in (startup or {}).items()},
        "ok": not failures(cases),
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path
