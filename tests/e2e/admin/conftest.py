"""Fixtures for the admin API tests: one real server process (SQLite) of their own for the
session (the seed test uses fixed realm names, so no other test's server is shared), and
python-keycloak's unchanged ``KeycloakAdmin`` logged in as the bootstrap admin."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import httpx
import pytest
from tests.e2e.harness import ServerProcess, admin_token, keycloak_admin, start_server

from keycloak import KeycloakAdmin


@pytest.fixture(scope="session")
def admin_server() -> Iterator[ServerProcess]:
    """SQLite by default; ``ADMIN_E2E_DB=postgres`` runs the whole admin suite on PostgreSQL."""
    server = start_server(db="postgres" if os.environ.get("ADMIN_E2E_DB") == "postgres" else "sqlite")
    yield server
    server.stop()


@pytest.fixture
def kc(admin_server: ServerProcess) -> KeycloakAdmin:
    return keycloak_admin(admin_server)


@pytest.fixture
def realm(kc: KeycloakAdmin) -> str:
    """A fresh realm of random name for one test, made ``kc``'s current realm."""
    name = "r" + secrets.token_hex(4)
    kc.create_realm({"realm": name, "enabled": True})
    kc.change_current_realm(name)
    return name


@pytest.fixture
def http(admin_server: ServerProcess) -> Iterator[httpx.Client]:
    """Plain HTTP with the bootstrap admin's token, for checking exact statuses and bodies."""
    token = admin_token(admin_server)
    with httpx.Client(base_url=admin_server.base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """schemathesis names each operation's test ``test_fuzz…[GET /admin/realms]``, but under
    pytest 9 all of them keep the test function's node id; pytest's progress column counts
    distinct ids, so it stopped near 85%, and a failure did not say which operation it was.
    Give each item its operation as the id's parameters (pytest's ``NodeId.with_params``)."""
    from schemathesis.pytest.plugin import SchemathesisFunction

    for item in items:
        node_id = getattr(item, "id", None)
        if isinstance(item, SchemathesisFunction) and getattr(node_id, "params", "") is None:
            item._id = node_id.with_params(item.name.partition("[")[2].removesuffix("]"))  # type: ignore[union-attr]
