"""Fixtures for the admin API tests: one real server process (SQLite) for the module, started by
``launcher.py`` (the platform's app with the admin routes mounted), and python-keycloak's
unchanged ``KeycloakAdmin`` logged in as the bootstrap admin."""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.e2e.harness import ADMIN_PASSWORD, ADMIN_USER, PYTHON, ROOT, ServerProcess, clean_env, free_port

from keycloak import KeycloakAdmin

LAUNCHER = Path(__file__).with_name("launcher.py")


def start_admin_server() -> ServerProcess:
    workdir = Path(tempfile.mkdtemp(prefix="realmgate-admin-e2e-"))
    port = free_port()
    db_url = f"sqlite+aiosqlite:///{workdir / 'realmgate.db'}"
    env = clean_env(
        {
            "REALMGATE_HTTP_HOST": "127.0.0.1",
            "REALMGATE_HTTP_PORT": str(port),
            "REALMGATE_DB_URL": db_url,
            "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN_USER,
            "KC_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "PYTHONPATH": str(ROOT),
        }
    )
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([PYTHON, str(LAUNCHER)], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    server = ServerProcess(f"http://127.0.0.1:{port}", db_url, port, process, log_path, workdir=workdir)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"admin server exited early:\n{server.logs()}")
        try:
            if httpx.get(server.url("/health/ready"), timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"admin server not ready:\n{server.logs()}")


@pytest.fixture(scope="session")
def admin_server() -> Iterator[ServerProcess]:
    server = start_admin_server()
    yield server
    server.stop()


@pytest.fixture
def kc(admin_server: ServerProcess) -> KeycloakAdmin:
    return KeycloakAdmin(
        server_url=admin_server.base_url + "/",
        username=ADMIN_USER,
        password=ADMIN_PASSWORD,
        realm_name="master",
        user_realm_name="master",
    )
