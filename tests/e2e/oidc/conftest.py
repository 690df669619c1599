"""One realmgate server for the OIDC end-to-end tests, with the ``oidc-test`` realm imported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.e2e.harness import ServerProcess, start_server

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
