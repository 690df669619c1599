"""One realmgate server for the OIDC end-to-end tests, with the ``oidc-test`` realm imported, and an
admin API client for the tests that make their own realms on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.e2e.harness import ServerProcess, admin_token, start_server

REALM_FILE = Path(__file__).parent / "realms" / "oidc-test.json"


@pytest.fixture(scope="session")
def oidc_server() -> Iterator[ServerProcess]:
    server = start_server(db="sqlite", import_realm=REALM_FILE)
    yield server
    server.stop()


@pytest.fixture
def browser(oidc_server: ServerProcess) -> Iterator[httpx.Client]:
    """A cookie-keeping client on the shared server that does not follow redirects, so each
    test sees every hop of the flow."""
    with httpx.Client(base_url=oidc_server.base_url, timeout=10.0, follow_redirects=False) as client:
        yield client


@pytest.fixture
def admin(any_server: ServerProcess) -> Iterator[httpx.Client]:
    """The admin REST API of ``any_server``, as the bootstrap admin."""
    headers = {"authorization": f"Bearer {admin_token(any_server)}"}
    with httpx.Client(base_url=any_server.base_url, headers=headers, timeout=30.0) as client:
        yield client
