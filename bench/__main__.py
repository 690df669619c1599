"""``python -m bench``: realmgate's throughput, latency, CPU and memory per case, beside a peer.

Starts ``realmgate start-dev`` on a fresh SQLite database pinned to CPU 0, seeds a realm through
the admin API, and loads each case from CPU 1 (wrk, or a Python driver for logins), measuring
the server's CPU per request from /proc. The cases oidc-provider can answer the same way are
run against it too, on the same core, each round right after realmgate's, so their ratio holds
even when other work moves both. Prints a Markdown table and writes bench/results/<UTC>.json.

    .venv/bin/python -m bench                       # 10 s per run, 3 rounds, every case
    .venv/bin/python -m bench --quick               # 2 s, 1 round: a smoke check
    .venv/bin/python -m bench --only cc_rs256,certs --seconds 5 --no-peer
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from functools import partial
from typing import Any

from tests.e2e.broker.seed import configure, start_pair

from bench import argon2_rate, cases, logins, peer, report, startup, wrk
from bench.measure import Measurement
from bench.seed import seed
from bench.server import pin_self_to_load_cpu, start_realmgate, stop_and_remove, target

WARM_UP_SECONDS = 1
STARTUP_RUNS = 5
Runner = Callable[[int], Measurement]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10, help="whole seconds per measured run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per case and server; medians (default 3)")
    parser.add_argument("--only", help=f"comma-separated cases, of: {', '.join(cases.CASES)}")
    parser.add_argument("--no-peer", action="store_true", help="do not install or run oidc-provider")
    parser.add_argument("--quick", action="store_true", help="2 s runs, 1 round, 1 start-up run: a smoke check")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds = 2, 1
    if args.seconds < 1 or args.rounds < 1:
        parser.error("--seconds and --rounds must be at least 1")
    names = args.only.split(",") if args.only else list(cases.CASES)
    unknown = [n for n in names if n not in cases.CASES]
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)}; the cases are {', '.join(cases.CASES)}")
    args.cases = [n for n in cases.CASES if n in names]
    return args


def _realmgate_runners(stack: ExitStack, names: list[str]) -> dict[str, list[tuple[str, Runner]]]:
    """Start and seed the realmgate under test; a runner per selected HTTP and code-login case."""
    wanted = [n for n in names if n in cases.HTTP_CASES or n == "code_login"]
    if not wanted:
        return {}
    server = start_realmgate()
    stack.callback(stop_and_remove, server)
    seeded = seed(server)
    ours = target("realmgate", server)
    requests = cases.realmgate_requests(seeded)
    runners: dict[str, list[tuple[str, Runner]]] = {}
    for name in wanted:
        if name == "code_login":
            login = logins.code_login(server.base_url, seeded)
            runners[name] = [("realmgate", partial(logins.measure, [ours], login))]
        else:
            runners[name] = [("realmgate", partial(wrk.measure, ours, requests[name]))]
    return runners


def _peer_runners(stack: ExitStack, names: list[str], settings: dict[str, Any]) -> dict[str, Runner]:
    """Install and start oidc-provider if a selected case has a peer equivalent."""
    wanted = [n for n in names if n in cases.PEER_CASES]
    if not wanted:
        return {}
    settings["peer"] = {"oidc_provider": peer.install(), "node": peer.node_version()}
    running = peer.start()
    stack.callback(running.stop)
    theirs = running.target()
    requests = cases.peer_requests(running)
    return {name: partial(wrk.measure, theirs, requests[name]) for name in wanted}


def _broker_runner(stack: ExitStack) -> Runner:
    """The broker seed's master and slave, both pinned to the server CPU; their first login
    (review profile) is made here, so the measured logins are returning users'."""
    master, slave = start_pair(start_realmgate)
    stack.callback(stop_and_remove, master)
    stack.callback(stop_and_remove, slave)
    broker_seed = configure(master, slave)
    logins.login_once(logins.broker_login(broker_seed, review=True))
    servers = [target("master", master), target("slave", slave)]
    return partial(logins.measure, servers, logins.broker_login(broker_seed))


def run_cases(args: argparse.Namespace, settings: dict[str, Any]) -> list[report.CaseResult]:
    """Every selected case but start-up: for each case, its rounds alternate realmgate and peer."""
    names: list[str] = args.cases
    results = {name: report.CaseResult(name, cases.CASES[name]) for name in names if name != "startup"}
    if "argon2" in results:
        results["argon2"].realmgate.append(argon2_rate.measure(args.seconds))
    with ExitStack() as stack:
        runners = _realmgate_runners(stack, names)
        if not args.no_peer:
            for name, runner in _peer_runners(stack, names, settings).items():
                runners[name].append(("peer", runner))
        if "broker_login" in names:
            runners["broker_login"] = [("realmgate", _broker_runner(stack))]
        for name in names:
            for _side, runner in runners.get(name, []):
                runner(WARM_UP_SECONDS)
            for round_no in range(1, args.rounds + 1):
                for side, runner in runners.get(name, []):
                    measurement = runner(args.seconds)
                    getattr(results[name], side).append(measurement)
                    print(
                        f"{name} round {round_no}/{args.rounds} {side}: {measurement.per_second:.1f}/s, "
                        f"{measurement.cpu_us:.0f} µs CPU each, {measurement.errors} errors",
                        file=sys.stderr,
                    )
    return [results[name] for name in names if name in results]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("the bench drives the server with wrk: apt-get install wrk")
    pin_self_to_load_cpu()
    started = datetime.now(UTC)
    host = report.machine() | {"load_before": os.getloadavg()}
    settings: dict[str, Any] = {
        "seconds": args.seconds,
        "rounds": args.rounds,
        "quick": args.quick,
        "cases": args.cases,
        "peer": None,
        "wrk_connections": wrk.CONNECTIONS,
        "login_concurrency": logins.CONCURRENCY,
    }
    startup_figures = startup.measure(1 if args.quick else STARTUP_RUNS) if "startup" in args.cases else None
    results = run_cases(args, settings)
    host["load_after"] = os.getloadavg()
    path = report.write_json(started, settings, host, results, startup_figures)
    load = " / ".join(" ".join(f"{x:.2f}" for x in host[k]) for k in ("load_before", "load_after"))
    print(f"realmgate bench, {started:%Y-%m-%d %H:%M} UTC, {host['nproc']} CPUs ({host['cpu_model']})")
    print(f"{args.seconds} s runs, {args.rounds} round(s); load average before / after: {load}\n")
    if results:
        print(report.table(results) + "\n")
        for line in report.details(results):
            print(line + "\n")
    if startup_figures:
        print(report.startup_table(startup_figures) + "\n")
    failed = report.failures(results)
    for line in failed:
        print(f"✗ {line}")
    print(f"results: {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
