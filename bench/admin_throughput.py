"""Admin API throughput on one core: reads (GET a user by id) and writes (create a user).

Starts ``realmgate start-dev`` pinned to CPU 0 (``taskset -c 0``) on a fresh SQLite database,
logs in as the bootstrap admin, raises the master realm's token lifespan so one token lasts the
run, then for each phase keeps ``--concurrency`` requests in flight for ``--seconds`` and reports
requests per second and latency percentiles. The load generator runs on the other cores.

    .venv/bin/python bench/admin_throughput.py
    .venv/bin/python bench/admin_throughput.py --seconds 20 --concurrency 16
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"


def start_server(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REALMGATE_", "KC_", "KEYCLOAK_"))},
        "KC_BOOTSTRAP_ADMIN_USERNAME": "admin",
        "KC_BOOTSTRAP_ADMIN_PASSWORD": "admin",
        "REALMGATE_LOG_LEVEL": "warning",
    }
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    cmd = [*pin, str(PYTHON), "-m", "realmgate", "start-dev", "--http-host", "127.0.0.1", "--http-port", str(port)]
    cmd += ["--db-url", f"sqlite+aiosqlite:///{workdir / 'bench.db'}"]
    log = (workdir / "server.log").open("wb")
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)


async def wait_ready(client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if (await client.get("/health/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("server not ready")


async def run_phase(name: str, seconds: float, concurrency: int, call: Callable[[int], Awaitable[int]]) -> None:
    latencies: list[float] = []
    errors = 0
    counter = itertools.count()
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.monotonic() < stop:
            started = time.perf_counter()
            status = await call(next(counter))
            latencies.append(time.perf_counter() - started)
            errors += status >= 400

    began = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - began
    ms = sorted(x * 1000 for x in latencies)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    print(
        f"{name:<22} {len(ms) / elapsed:8.1f} req/s   p50 {p(0.5):6.1f} ms   p95 {p(0.95):6.1f} ms"
        f"   p99 {p(0.99):6.1f} ms   mean {statistics.fmean(ms):6.1f} ms   errors {errors}"
    )


async def main(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="realmgate-bench-"))
    port = args.port
    server = start_server(port, workdir)
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30) as client:
            await wait_ready(client)
            token_url = "/realms/master/protocol/openid-connect/token"
            form = {"grant_type": "password", "client_id": "admin-cli", "username": "admin", "password": "admin"}
            token = (await client.post(token_url, data=form)).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            (await client.put("/admin/realms/master", json={"accessTokenLifespan": 3600})).raise_for_status()
            token = (await client.post(token_url, data=form)).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            realm = "bench"
            (await client.post("/admin/realms", json={"realm": realm})).raise_for_status()
            users = f"/admin/realms/{realm}/users"
            created: list[str] = []

            async def create(i: int) -> int:
                response = await client.post(users, json={"username": f"user{i}", "email": f"user{i}@bench.test"})
                if response.status_code == 201:
                    created.append(response.headers["location"].rsplit("/", 1)[1])
                return response.status_code

            async def read(i: int) -> int:
                return (await client.get(f"{users}/{created[i % len(created)]}")).status_code

            print(f"realmgate admin API, server pinned to one core, concurrency {args.concurrency}")
            await run_phase("create user (POST)", args.seconds, args.concurrency, create)
            if not created:
                raise SystemExit("no user was created: the write phase failed, so there is nothing to read")
            await run_phase("get user by id (GET)", args.seconds, args.concurrency, read)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=18931)
    asyncio.run(main(parser.parse_args()))
