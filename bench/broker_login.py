"""Complete brokered logins per second: seed 000's master and slave, scripted HTTP, no browser.

    .venv/bin/python bench/broker_login.py [--seconds 20] [--concurrency 8] [--exchange]

Starts two ``realmgate start-dev`` processes (SQLite each), pins the master to CPU 0 and the
slave to CPU 1 (``taskset``, all threads), configures them through the admin API as the seed
says, makes the first login (review profile) once, then runs ``--concurrency`` workers for
``--seconds``. One login is what a browser does after "Sign in with slave", with fresh cookies:
the master's authorization request and login page, ``/broker/{alias}/login``, the slave's
authorization request and login page, its password form (one password hash check), the
master's callback (code exchange at the slave's token endpoint, token checks, user found by its
link, session, code) — and with ``--exchange`` the app's code exchange at the master too.
Prints logins per second and latency percentiles; the workers run in this process (sharing
the CPUs with the servers), so the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.broker.seed import ALIAS, Seed, configure, start_pair  # noqa: E402
from tests.e2e.harness import ServerProcess, start_server  # noqa: E402

FORM = re.compile(r'<form\b[^>]*id="(?P<id>[^"]*)"[^>]*action="(?P<action>[^"]*)"[^>]*>(?P<body>.*?)</form>', re.S)
HIDDEN = re.compile(r'<input\b[^>]*name="([^"]*)"[^>]*value="([^"]*)"')


def _form(page: str, form_id: str) -> tuple[str, dict[str, str]]:
    for match in FORM.finditer(page):
        if match["id"] == form_id:
            return unescape(match["action"]), {k: unescape(v) for k, v in HIDDEN.findall(match["body"])}
    raise AssertionError(f"no form {form_id}")


async def _follow(client: httpx.AsyncClient, response: httpx.Response, stop: str) -> httpx.Response | str:
    while response.is_redirect:
        target = urljoin(str(response.url), response.headers["location"])
        if target.startswith(stop):
            return target
        response = await client.get(target)
    return response


async def one_login(seed: Seed, *, review: bool = False, exchange: bool = False) -> None:
    stop = seed.app_redirect
    async with httpx.AsyncClient(timeout=30.0) as client:
        page = await client.get(seed.auth_url())
        button = re.search(rf'id="social-{ALIAS}"[^>]*href="([^"]*)"', page.text)
        assert button, page.text
        slave = await _follow(client, await client.get(unescape(button.group(1))), stop)
        assert isinstance(slave, httpx.Response)
        action, fields = _form(slave.text, "kc-form-login")
        posted = await client.post(
            urljoin(str(slave.url), action), data={**fields, "username": "slave_user", "password": "slave_password"}
        )
        result = await _follow(client, posted, stop)
        if review:
            assert isinstance(result, httpx.Response), "expected the review page"
            action, fields = _form(result.text, "kc-idp-review-profile-form")
            profile = {"email": "slave_user@example.org", "firstName": "Slave", "lastName": "User"}
            result = await _follow(client, await client.post(action, data={**fields, **profile}), stop)
        assert isinstance(result, str), getattr(result, "text", result)
        code = parse_qs(urlsplit(result).query)["code"][0]
        if exchange:
            token = await client.post(
                seed.master_realm + "/protocol/openid-connect/token",
                data={"grant_type": "authorization_code", "code": code, "redirect_uri": seed.app_redirect},
                auth=("app_client", seed.app_secret),
            )
            assert token.status_code == 200, token.text


async def run(seed: Seed, seconds: float, concurrency: int, exchange: bool) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                await one_login(seed, exchange=exchange)
            except (AssertionError, httpx.HTTPError):
                errors += 1
                continue
            latencies.append(time.monotonic() - started)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies), latencies, errors


def cpu_seconds(server: ServerProcess) -> float:
    """User + system CPU time of the server process (all threads), from ``/proc``."""
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pin(server: ServerProcess, cpu: int) -> None:
    if os.cpu_count() and cpu < (os.cpu_count() or 1):
        subprocess.run(["taskset", "-a", "-pc", str(cpu), str(server.process.pid)], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--exchange", action="store_true", help="also exchange the code at the master")
    args = parser.parse_args()
    started: list[ServerProcess] = []

    def start(**kwargs: Any) -> ServerProcess:
        started.append(start_server(**kwargs))
        return started[-1]

    try:
        master, slave = start_pair(start)
        pin(master, 0)
        pin(slave, 1)
        seed = configure(master, slave)
        asyncio.run(one_login(seed, review=True))
        asyncio.run(run(seed, 2.0, args.concurrency, args.exchange))  # warm-up
        before = cpu_seconds(master), cpu_seconds(slave)
        count, latencies, errors = asyncio.run(run(seed, args.seconds, args.concurrency, args.exchange))
        used = cpu_seconds(master) - before[0], cpu_seconds(slave) - before[1]
    finally:
        for proc in started:
            proc.stop()
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0

    print(f"brokered logins: {count} in {args.seconds:.0f} s = {count / args.seconds:.1f}/s, errors {errors}")
    print(
        f"latency ms: median {statistics.median(latencies) * 1000 if latencies else 0:.0f}, "
        f"p90 {pct(0.9):.0f}, p99 {pct(0.99):.0f} (concurrency {args.concurrency}, exchange {args.exchange})"
    )
    if count:
        print(
            f"CPU per login: master {used[0] / count * 1000:.1f} ms ({used[0] / args.seconds:.0%} of a CPU), "
            f"slave {used[1] / count * 1000:.1f} ms ({used[1] / args.seconds:.0%} of a CPU)"
        )
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
