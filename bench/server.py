"""Server processes under test: started pinned to the server CPU, and their CPU time and memory.

Servers run on CPU 0 (``taskset -a -c 0``: every thread, including ones started later) and
the load generators on CPU 1, so a server's throughput is what one core gives, whatever else
the machine runs on its other cores. The CPU time a server used per request, from
``/proc/PID/stat``, is the figure least moved by other load; wall-clock rates are printed beside
it.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.harness import ADMIN_PASSWORD, ADMIN_USER, PYTHON, ServerProcess, clean_env, free_port

SERVER_CPU = 0
LOAD_CPU = 1
MASTER_DISCOVERY = "/realms/master/.well-known/openid-configuration"
READY_TIMEOUT = 60.0


@dataclass(frozen=True)
class Target:
    """What a case is aimed at: a server's base URL and the process whose CPU it costs."""

    name: str
    base_url: str
    pid: int


def pinned(cmd: Sequence[str], cpu: int = SERVER_CPU) -> list[str]:
    """``cmd`` run with all its threads on ``cpu``."""
    return ["taskset", "-a", "-c", str(cpu), *cmd]


def pin_self_to_load_cpu() -> None:
    """Keep the bench process (its Python login drivers, its child load generators) off the
    server CPU. Needs two CPUs; with fewer the figures would measure the contention."""
    if (os.cpu_count() or 1) < 2:
        raise SystemExit("the bench needs at least two CPUs: one for the servers, one for the load")
    os.sched_setaffinity(0, {LOAD_CPU})


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far, all its threads together."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"no VmRSS for {pid}")


def answers_200(port: int, path: str) -> bool:
    """One GET of ``path`` on 127.0.0.1:``port``: True on a 200, False on anything else or no answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def wait_for_200(process: subprocess.Popen[bytes], port: int, path: str, *, timeout: float, poll: float) -> bool:
    """Poll ``path`` every ``poll`` seconds until a 200 (True), the process exits or ``timeout`` passes."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and process.poll() is None:
        if answers_200(port, path):
            return True
        time.sleep(poll)
    return False


def launch_realmgate(
    *, port: int | None = None, args: Sequence[str] = (), workdir: Path | None = None, db: str = "sqlite"
) -> ServerProcess:
    """``realmgate start-dev`` pinned to the server CPU on a fresh SQLite database in ``workdir``
    (a new temp dir if None), with the admin/admin bootstrap user; does not wait for it.
    Logging is at ``warning``: Keycloak writes no line per request either, and an access-log line
    per request would be measured as the server's cost."""
    if db != "sqlite":
        raise ValueError("the bench runs realmgate on SQLite only")
    workdir = workdir or Path(tempfile.mkdtemp(prefix="realmgate-bench-"))
    port = port or free_port()
    db_url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    cmd = [PYTHON, "-m", "realmgate", "start-dev", "--http-host", "127.0.0.1", "--http-port", str(port)]
    cmd += ["--db-url", db_url, "--log-level", "warning", *args]
    env = clean_env({"KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN_USER, "KC_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD})
    log_path = workdir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(pinned(cmd), env=env, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    return ServerProcess(f"http://127.0.0.1:{port}", db_url, port, process, log_path, workdir=workdir)


def start_realmgate(*, port: int | None = None, args: Sequence[str] = (), db: str = "sqlite") -> ServerProcess:
    """``launch_realmgate`` and wait until the master realm's discovery answers 200.
    The signature fits ``tests.e2e.broker.seed.start_pair``'s ``start``."""
    server = launch_realmgate(port=port, args=args, db=db)
    if not wait_for_200(server.process, server.port, MASTER_DISCOVERY, timeout=READY_TIMEOUT, poll=0.05):
        server.stop()
        raise RuntimeError(f"realmgate did not start:\n{server.logs()[-3000:]}")
    return server


def stop_and_remove(server: ServerProcess) -> None:
    """Stop ``server`` and delete its temp dir (database and log): a bench leaves nothing behind."""
    server.stop()
    shutil.rmtree(server.workdir, ignore_errors=True)


def target(name: str, server: ServerProcess) -> Target:
    return Target(name, server.base_url, server.process.pid)
