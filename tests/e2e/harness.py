"""Real ``realmgate`` server processes for end-to-end tests.

``start_server()`` runs ``python -m realmgate start-dev`` from the project's venv on a free
loopback port with its own database (a temp SQLite file, or a fresh PostgreSQL database that
``stop()`` drops), the admin/admin bootstrap variables, and waits for ``/health/ready``.
``run_cli()`` runs any other command and captures its output. Plain functions, so a test can
start extra instances (two-instance or broker tests) through the ``start_server`` fixture.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

from keycloak import KeycloakAdmin

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
PG_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin"
READY_TIMEOUT = 30.0

Database = Literal["sqlite", "postgres"]


def free_port() -> int:
    """A port nobody listens on right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test process's environment without any REALMGATE_/KC_/KEYCLOAK_ settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REALMGATE_", "KC_", "KEYCLOAK_ADMIN"))}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def _pg_admin(statement: str) -> None:
    """Run one statement on the PostgreSQL maintenance database (in a thread: tests may be async)."""

    async def run() -> None:
        import asyncpg

        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


def create_pg_database() -> tuple[str, str]:
    """A fresh, empty PostgreSQL database: (name, realmgate db url)."""
    name = "rg_test_" + secrets.token_hex(6)
    _pg_admin(f'CREATE DATABASE "{name}"')
    return name, f"{PG_SERVER}/{name}"


def drop_pg_database(name: str) -> None:
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    cwd: Path | None = None,
) -> CliResult:
    """Run ``python -m realmgate ARGS`` to completion (for import/export and start failures)."""
    proc = subprocess.run(
        [PYTHON, "-m", "realmgate", *args],
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd or ROOT,
        check=False,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@dataclass
class ServerProcess:
    """A running server; ``stop()`` is idempotent and also drops its PostgreSQL database."""

    base_url: str
    db_url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    pg_database: str | None = None
    workdir: Path = field(default_factory=Path)
    startup_seconds: float = 0.0
    _clients: list[httpx.Client] = field(default_factory=list)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An HTTP client on this server's base URL that ``stop()`` closes (so no test leaks one)."""
        http = httpx.Client(base_url=self.base_url, **kwargs)
        self._clients.append(http)
        return http

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, text: str, timeout: float = 5.0) -> str:
        """The log once it contains ``text`` (lines are written after the response is sent, so a
        test may read the log before the line of its own request is there)."""
        deadline = time.monotonic() + timeout
        while True:
            logs = self.logs()
            if text in logs or time.monotonic() > deadline:
                return logs
            time.sleep(0.02)

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self, *, drop_database: bool = True) -> None:
        while self._clients:
            self._clients.pop().close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if drop_database and self.pg_database is not None:
            drop_pg_database(self.pg_database)
            self.pg_database = None


def _wait_ready(server: ServerProcess, timeout: float, ready_url: str | None, verify: bool | ssl.SSLContext) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0, verify=verify) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"realmgate exited with {server.process.returncode} before ready:\n{server.logs()}")
            try:
                if client.get(ready_url or server.url("/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"realmgate not ready after {timeout:.0f} s:\n{server.logs()}")


def start_server(
    *,
    db: Database = "sqlite",
    db_url: str | None = None,
    import_realm: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    command: str = "start-dev",
    admin: tuple[str, str] | None = (ADMIN_USER, ADMIN_PASSWORD),
    port: int | None = None,
    workdir: Path | None = None,
    ready_timeout: float = READY_TIMEOUT,
    flags_as_env: bool = False,
    https: bool = False,
    ready_url: str | None = None,
    verify: bool | ssl.SSLContext = True,
) -> ServerProcess:
    """Start a server and wait until ``/health/ready`` answers 200.

    ``db_url`` reuses an existing database (e.g. a second instance on the first one's database);
    otherwise a new one is made for ``db``. ``admin`` sets KC_BOOTSTRAP_ADMIN_* (None: unset).
    ``flags_as_env`` passes host, port, database and import path as ``REALMGATE_*`` variables.
    ``https``: the port is ``--https-port`` (``args`` give the certificate; ``verify`` is the TLS
    context the readiness check trusts). ``ready_url`` replaces ``/health/ready`` on the server's
    port (e.g. a management port).
    """
    workdir = workdir or Path(tempfile.mkdtemp(prefix="realmgate-e2e-"))
    pg_database = None
    if db_url is None:
        if db == "postgres":
            pg_database, db_url = create_pg_database()
        else:
            db_url = f"sqlite+aiosqlite:///{workdir / 'realmgate.db'}"
    port = port or free_port()
    extra_env = dict(env or {})
    if admin is not None:
        extra_env.setdefault("KC_BOOTSTRAP_ADMIN_USERNAME", admin[0])
        extra_env.setdefault("KC_BOOTSTRAP_ADMIN_PASSWORD", admin[1])
    flags = {"http-host": "127.0.0.1", "https-port" if https else "http-port": str(port), "db-url": db_url}
    if import_realm is not None:
        flags["import-realm"] = str(import_realm)
    cmd = [PYTHON, "-m", "realmgate", command, *args]
    for name, value in flags.items():
        if flags_as_env:
            extra_env["REALMGATE_" + name.upper().replace("-", "_")] = value
        else:
            cmd += [f"--{name}", value]
    log_path = workdir / f"server-{port}.log"
    started = time.monotonic()
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            cmd, env=clean_env(extra_env), stdout=log_file, stderr=subprocess.STDOUT, cwd=workdir
        )
    server = ServerProcess(
        base_url=f"{'https' if https else 'http'}://127.0.0.1:{port}",
        db_url=db_url,
        port=port,
        process=process,
        log_path=log_path,
        pg_database=pg_database,
        workdir=workdir,
    )
    try:
        _wait_ready(server, ready_timeout, ready_url, verify)
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.monotonic() - started
    return server


def admin_token(server: ServerProcess, username: str = ADMIN_USER, password: str = ADMIN_PASSWORD) -> str:
    """An access token of the master realm's admin, via the password grant of ``admin-cli``."""
    response = httpx.post(
        server.url("/realms/master/protocol/openid-connect/token"),
        data={"grant_type": "password", "client_id": "admin-cli", "username": username, "password": password},
        timeout=10.0,
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def keycloak_admin(server: ServerProcess, realm: str = "master") -> KeycloakAdmin:
    """python-keycloak's unchanged ``KeycloakAdmin``, logged in to ``master`` as the bootstrap
    admin, working on ``realm``."""
    return KeycloakAdmin(
        server_url=server.base_url + "/",
        username=ADMIN_USER,
        password=ADMIN_PASSWORD,
        realm_name=realm,
        user_realm_name="master",
    )
