"""The web platform seen from outside: health, metrics, headers, limits, logs, start-up modes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from tests.e2e.harness import (
    ServerProcess,
    admin_token,
    create_pg_database,
    drop_pg_database,
    free_port,
    start_server,
)

from realmgate.crypto.jws import unverified_claims
from realmgate.crypto.passwords import verify_password

StartServer = Callable[..., ServerProcess]


def get(server: ServerProcess, path: str, **kwargs: object) -> httpx.Response:
    return httpx.get(server.url(path), timeout=10.0, **kwargs)  # type: ignore[arg-type]


def test_live_and_ready_report_up(any_server: ServerProcess) -> None:
    live = get(any_server, "/health/live")
    assert live.status_code == 200
    assert live.json() == {"status": "UP", "checks": []}
    ready = get(any_server, "/health/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "UP"
    assert [check["status"] for check in body["checks"]] == ["UP"]


def test_ready_is_503_when_the_database_goes_away(start_server: StartServer) -> None:
    server = start_server(db="postgres")
    assert server.pg_database is not None
    drop_pg_database(server.pg_database)  # WITH (FORCE) also cuts the server's connections
    ready = get(server, "/health/ready")
    assert ready.status_code == 503
    assert ready.json()["status"] == "DOWN"
    assert get(server, "/health/live").status_code == 200


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (labels must match exactly, in any order)."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        series, value = line.rsplit(" ", 1)
        sample_labels = dict(re.findall(r'(\w+)="([^"]*)"', series[len(name) + 1 : -1]))
        if sample_labels == labels:
            return float(value)
    return 0.0


def test_metrics_count_requests_by_route_template(server: ServerProcess) -> None:
    before = get(server, "/metrics").text
    for _ in range(3):
        assert get(server, "/health/live").status_code == 200
    assert get(server, "/no/such/thing-12345").status_code == 404
    after = get(server, "/metrics")
    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    labels = {"route": "/health/live", "method": "GET", "status": "200"}
    assert metric(after.text, "realmgate_http_requests_total", **labels) == (
        metric(before, "realmgate_http_requests_total", **labels) + 3
    )
    assert metric(after.text, "realmgate_http_request_duration_seconds_count", route="/health/live") >= 3
    assert "# TYPE realmgate_http_request_duration_seconds histogram" in after.text
    assert "# TYPE realmgate_logins_total counter" in after.text
    assert "# TYPE realmgate_tokens_issued_total counter" in after.text
    # Raw paths never become labels (unbounded cardinality): unmatched requests share one label.
    assert "thing-12345" not in after.text
    assert metric(after.text, "realmgate_http_requests_total", route="unmatched", method="GET", status="404") >= 1


@pytest.mark.parametrize("path", ["/health/live", "/no/such/path"])
def test_security_headers_on_every_response(server: ServerProcess, path: str) -> None:
    response = get(server, path)
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "server" not in response.headers
    assert "strict-transport-security" not in response.headers  # plain HTTP frontend


def test_unknown_realm_is_keycloaks_404(server: ServerProcess) -> None:
    response = get(server, "/realms/no-such-realm-xyz/protocol/openid-connect/certs")
    assert response.status_code == 404
    assert response.json() == {"error": "Realm does not exist"}


def test_doubled_slashes_in_the_path_are_collapsed(server: ServerProcess) -> None:
    response = get(server, "//realms//master/.well-known/openid-configuration")
    assert response.status_code == 200
    assert response.json()["issuer"].endswith("/realms/master")


def test_unknown_path_is_json_404(server: ServerProcess) -> None:
    response = get(server, "/definitely/not/here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]


def test_body_over_limit_is_413(server: ServerProcess) -> None:
    big = b"x" * (10 * 1024 * 1024 + 1)  # Keycloak's default limit is 10 MiB
    response = httpx.post(server.url("/health/live"), content=big, timeout=10.0)
    assert response.status_code == 413


def test_streamed_body_over_limit_is_413(start_server: StartServer) -> None:
    """Without Content-Length (chunked) the limit is enforced while reading."""
    server = start_server(args=["--http-max-body-size", "2048"])

    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"y" * 1024

    # A form-reading endpoint consumes the body; /realms/... reads it after routing.
    response = httpx.post(
        server.url("/realms/master/protocol/openid-connect/token"),
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
        timeout=10.0,
    )
    assert response.status_code == 413


def test_access_log_has_no_query_string(server: ServerProcess) -> None:
    assert get(server, "/health/live", params={"code": "SECRET-CODE-4711"}).status_code == 200
    logs = server.wait_for_log("GET /health/live 200")
    assert "GET /health/live 200" in logs
    assert "SECRET-CODE-4711" not in logs


def test_flags_work_as_environment_variables(start_server: StartServer) -> None:
    server = start_server(flags_as_env=True)
    assert get(server, "/health/ready").status_code == 200
    assert f"127.0.0.1:{server.port}" in server.base_url


def test_several_workers_serve(start_server: StartServer) -> None:
    server = start_server(args=["--workers", "2"])
    for _ in range(5):
        assert get(server, "/health/ready").status_code == 200
    assert "2 workers" in server.logs()


async def test_existing_admin_is_not_overwritten(start_server: StartServer) -> None:
    first = start_server()
    first.stop()
    second = start_server(db_url=first.db_url, admin=("admin", "another-password"), workdir=first.workdir)
    second.stop()
    assert "already exists" in second.logs()

    from realmgate.store.sql import open_store

    store = await open_store(first.db_url, migrate=False)
    try:
        async with store.tx() as tx:
            master = await tx.realms.get_by_name("master")
            assert master is not None
            admin = await tx.users.get_by_username(master.id, "admin")
            assert admin is not None
            (credential,) = [c for c in await tx.credentials.list(admin.id) if c.type == "password"]
            role = await tx.roles.get_realm_role(master.id, "admin")
            assert role is not None
            assert role.id in await tx.users.role_ids(master.id, admin.id)
    finally:
        await store.close()
    assert verify_password("admin", credential.secret_data, credential.credential_data)
    assert not verify_password("another-password", credential.secret_data, credential.credential_data)


def issuer(server: ServerProcess, headers: dict[str, str] | None = None) -> str:
    response = get(server, "/realms/master/.well-known/openid-configuration", headers=headers or {})
    assert response.status_code == 200
    value: str = response.json()["issuer"]
    return value


FORWARDED = {"x-forwarded-proto": "https", "x-forwarded-host": "id.example.org"}


def test_forwarded_headers_are_ignored_by_default(server: ServerProcess) -> None:
    assert issuer(server, FORWARDED) == server.url("/realms/master")


def test_forwarded_headers_are_honoured_with_proxy_headers(start_server: StartServer) -> None:
    server = start_server(args=["--proxy-headers", "xforwarded"])
    assert issuer(server, FORWARDED) == "https://id.example.org/realms/master"
    with_port = {**FORWARDED, "x-forwarded-port": "8443"}
    assert issuer(server, with_port) == "https://id.example.org:8443/realms/master"
    assert issuer(server) == server.url("/realms/master")
    response = get(server, "/health/live", headers=FORWARDED)
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_hostname_fixes_the_issuer(start_server: StartServer) -> None:
    port = free_port()
    public = f"https://id.example.test:{port}/auth"
    server = start_server(command="start", port=port, args=["--hostname", public])
    assert issuer(server, FORWARDED) == f"{public}/realms/master"
    assert "prod mode" in server.wait_for_log("prod mode")


def test_keycloak_hostname_variable_fixes_the_issuer(start_server: StartServer) -> None:
    server = start_server(env={"KC_HOSTNAME": "https://kc.example.test"})
    assert issuer(server) == "https://kc.example.test/realms/master"


def test_bootstrap_admin_gets_a_token_with_the_admin_role(server: ServerProcess) -> None:
    claims = unverified_claims(admin_token(server))
    assert claims["preferred_username"] == "admin"
    realm_access = claims["realm_access"]
    assert isinstance(realm_access, dict)
    assert "admin" in realm_access["roles"]


def test_instances_started_together_share_one_bootstrap(tmp_path: Path) -> None:
    """Two servers starting at once on one fresh PostgreSQL database: both serve, one master
    realm and one admin exist (the loser of the bootstrap race finds the winner's rows)."""
    name, db_url = create_pg_database()
    servers: list[ServerProcess] = []
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(start_server, db_url=db_url, workdir=tmp_path) for _ in range(2)]
            servers = [future.result() for future in futures]
        for proc in servers:
            assert "admin" in unverified_claims(admin_token(proc))["realm_access"]["roles"]  # type: ignore[index]
        token = admin_token(servers[1])  # the issuer includes the port: each server checks its own
        users = httpx.get(
            servers[1].url("/admin/realms/master/users"),
            params={"username": "admin", "exact": "true"},
            headers={"authorization": f"Bearer {token}"},
            timeout=10.0,
        )
        assert users.status_code == 200
        assert len(users.json()) == 1
    finally:
        for proc in servers:
            proc.stop(drop_database=False)
        drop_pg_database(name)


def test_metrics_count_logins_and_tokens(server: ServerProcess) -> None:
    before = get(server, "/metrics").text
    admin_token(server)
    wrong = httpx.post(
        server.url("/realms/master/protocol/openid-connect/token"),
        data={"grant_type": "password", "client_id": "admin-cli", "username": "admin", "password": "not-it-Zq81x"},
        timeout=10.0,
    )
    assert wrong.status_code == 401
    after = get(server, "/metrics").text
    for name, labels in (
        ("realmgate_logins_total", {"result": "success"}),
        ("realmgate_logins_total", {"result": "failure"}),
        ("realmgate_tokens_issued_total", {"grant_type": "password"}),
    ):
        assert metric(after, name, **labels) == metric(before, name, **labels) + 1, (name, labels)
    # Failed logins leave no trace of the password in the log.
    assert "not-it-Zq81x" not in server.wait_for_log("openid-connect/token 401")


async def test_unexpected_error_is_a_bare_500_with_the_traceback_only_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """In-process (a real app on a real SQLite store) because no healthy endpoint can be made
    to crash from outside: an extra route raises, the client sees a generic 500."""
    from starlette.requests import Request
    from starlette.routing import Route

    from realmgate.app import build_app
    from realmgate.settings import Settings

    async def boom(request: Request) -> None:
        raise RuntimeError("secret-detail-5150")

    app = build_app(Settings(db_url=f"sqlite+aiosqlite:///{tmp_path / 'rg.db'}"))
    app.router.routes.append(Route("/boom", boom))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            api = await client.get("/boom")
            page = await client.get("/boom", headers={"accept": "text/html"})
    assert api.status_code == 500
    assert api.json() == {"error": "server_error", "error_description": "Unexpected server error"}
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "secret-detail-5150" not in api.text + page.text
    assert "x-frame-options" in api.headers
    assert "secret-detail-5150" in caplog.text and "Traceback" in caplog.text


def test_lazily_loaded_routes_serve_and_are_labelled_by_template(server: ServerProcess) -> None:
    token = admin_token(server)
    users = get(server, "/admin/realms/master/users", headers={"authorization": f"Bearer {token}"})
    assert users.status_code == 200
    text = get(server, "/metrics").text
    labels = {"route": "/admin/realms/{realm}/users", "method": "GET", "status": "200"}
    assert metric(text, "realmgate_http_requests_total", **labels) >= 1


def test_a_newline_in_the_path_cannot_forge_a_log_line(server: ServerProcess) -> None:
    response = get(server, "/health/live%0A2026-01-01 INFO [realmgate.access] GET /forged-7781 200")
    assert response.status_code == 404
    logs = server.wait_for_log("\\x0a2026-01-01")
    assert "\\x0a2026-01-01" in logs
    assert [line for line in logs.splitlines() if line.startswith("2026-01-01")] == []
