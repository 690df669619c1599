"""A bounded schemathesis run against a live server, from the OpenAPI document the code
generates: no 5xx (execute-actions-email, a documented 500, is left out), and every response
matches the declared status codes, headers and schemas; schema-violating requests are refused.
``ADMIN_FUZZ_EXAMPLES`` (default 2 per operation) widens the run."""

from __future__ import annotations

import os
import secrets
import time

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance
from tests.e2e.harness import ServerProcess, admin_token

from keycloak import KeycloakAdmin
from realmgate.web.admin.openapi import build_document
from realmgate.web.admin.operations import operations

DOCUMENT = build_document(operations())
# The token is added to every call, so cases "without the security header" are not generated;
# Keycloak ignores unknown query parameters, so neither are those.
CONFIG = SchemathesisConfig.from_dict(
    {"generation": {"with-security-parameters": False, "allow-extra-parameters": False}}
)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG).exclude(path_regex=r"execute-actions-email$")
_token_cache: dict[str, tuple[float, str]] = {}


@pytest.fixture(scope="module")
def fuzz_realm(admin_server: ServerProcess) -> str:
    """A realm to aim at, so generated calls reach the services rather than 'Realm not found'."""
    admin = KeycloakAdmin(
        server_url=admin_server.base_url + "/", username="admin", password="admin", realm_name="master"
    )
    name = "fuzz" + secrets.token_hex(3)
    admin.create_realm({"realm": name})
    return name


def _token(server: ServerProcess) -> str:
    cached = _token_cache.get(server.base_url)
    if cached is None or cached[0] < time.monotonic():
        _token_cache[server.base_url] = (time.monotonic() + 30, admin_token(server))
    return _token_cache[server.base_url][1]


def test_served_document_is_the_generated_one(admin_server: ServerProcess) -> None:
    served = httpx.get(admin_server.url("/admin/openapi.json")).json()
    assert served == DOCUMENT
    assert len(DOCUMENT["paths"]) > 90


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("ADMIN_FUZZ_EXAMPLES", "2")),
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_fuzz_no_server_errors(
    case: schemathesis.Case,  # type: ignore[type-arg]
    admin_server: ServerProcess,
    fuzz_realm: str,
) -> None:
    if "realm" in (case.path_parameters or {}) and case.method.upper() != "DELETE":
        case.path_parameters = {**(case.path_parameters or {}), "realm": fuzz_realm}
    case.call_and_validate(
        base_url=admin_server.base_url,
        headers={"Authorization": f"Bearer {_token(admin_server)}"},
        # Schema-valid bodies may still be refused for what a schema cannot say (a reference to
        # a missing client, a role containing itself): those 400s are correct answers.
        excluded_checks=[positive_data_acceptance],
    )
