"""Start-up time and idle memory of ``realmgate start-dev``.

Measures, over N runs, the time from process start to the first 200 answer of the master realm's
discovery document (``/realms/master/.well-known/openid-configuration``; with ``--path`` any other
URL, e.g. ``/health/ready``), and the resident memory (VmRSS from /proc) one second later, idle.
"Cold" runs start on an empty SQLite database (migrations + master realm + admin user);
"warm" runs restart on that database, as a developer restarting the server does.

    .venv/bin/python bench/startup.py            # 5 cold + 5 warm runs
    .venv/bin/python bench/startup.py --runs 10 --path /health/ready
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
DISCOVERY = "/realms/master/.well-known/openid-configuration"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def first_200(port: int, path: str, deadline: float) -> bool:
    """Poll ``path`` every 2 ms until it answers 200 or the deadline passes."""
    while time.perf_counter() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return True
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.002)
    return False


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far: unlike wall time, barely moved by other load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(db_dir: Path, path: str) -> tuple[float, float, float]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REALMGATE_")}
    env |= {"KC_BOOTSTRAP_ADMIN_USERNAME": "admin", "KC_BOOTSTRAP_ADMIN_PASSWORD": "admin"}
    cmd = [
        str(PYTHON),
        "-m",
        "realmgate",
        "start-dev",
        "--http-host",
        "127.0.0.1",
        "--http-port",
        str(port),
        "--db-url",
        f"sqlite+aiosqlite:///{db_dir / 'bench.db'}",
        "--log-level",
        "warning",
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not first_200(port, path, started + 30):
            proc.kill()
            raise RuntimeError(f"no 200 from {path}: {proc.communicate()[1].decode()[-2000:]}")
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(proc.pid)
        time.sleep(1.0)
        return elapsed, cpu, rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--path", default=DISCOVERY)
    args = parser.parse_args()
    print(f"realmgate start-dev: process start -> first 200 from {args.path}; {args.runs} runs each")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        results: dict[str, list[tuple[float, float, float]]] = {"cold": [], "warm": []}
        for i in range(args.runs):
            db_dir = Path(tmp) / f"run{i}"
            db_dir.mkdir()
            results["cold"].append(one_run(db_dir, args.path))
            results["warm"].append(one_run(db_dir, args.path))
    for kind, runs in results.items():
        times = [t for t, _, _ in runs]
        cpu = [c for _, c, _ in runs]
        rss = [r for _, _, r in runs]
        print(
            f"{kind:>5}: start median {statistics.median(times) * 1000:6.0f} ms "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}); "
            f"CPU to ready median {statistics.median(cpu) * 1000:4.0f} ms; "
            f"idle RSS median {statistics.median(rss):5.1f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
