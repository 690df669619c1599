"""What an operator sets on ``start``: TLS, a management port, a configuration file, JSON logs,
the database pool. Each through a real server process (and, for TLS, a certificate made here)."""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from tests.e2e.certs import self_signed
from tests.e2e.harness import ServerProcess, free_port, run_cli
from tests.e2e.test_cli import assert_clean_failure

DISCOVERY = "/realms/master/.well-known/openid-configuration"


def self_signed_files(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    cert, key = self_signed("127.0.0.1", ip="127.0.0.1")
    cert_file, key_file = directory / "tls.crt", directory / "tls.key"
    cert_file.write_bytes(cert)
    key_file.write_bytes(key)
    return cert_file, key_file


def test_https_with_a_certificate_file(tmp_path: Path, start_server: Callable[..., ServerProcess]) -> None:
    cert, key = self_signed_files(tmp_path)
    args = ["--https-certificate-file", str(cert), "--https-certificate-key-file", str(key)]
    trust = ssl.create_default_context(cafile=str(cert))
    server = start_server(args=args, https=True, verify=trust, workdir=tmp_path)
    doc = httpx.get(server.url(DISCOVERY), verify=trust).json()
    assert doc["issuer"] == f"https://127.0.0.1:{server.port}/realms/master"
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{server.port}{DISCOVERY}")  # no plain HTTP on the TLS port
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url(DISCOVERY))  # and a client must verify: the CA is not a default one
    assert f"listening on https://127.0.0.1:{server.port}" in server.logs()


def test_only_one_of_the_tls_files_is_refused(tmp_path: Path) -> None:
    cert, _ = self_signed_files(tmp_path)
    result = run_cli(["start-dev", "--https-certificate-file", str(cert), "--http-port", str(free_port())])
    assert_clean_failure(result, "--https-certificate-file and --https-certificate-key-file go together")


def test_health_and_metrics_move_to_the_management_port(
    tmp_path: Path, start_server: Callable[..., ServerProcess]
) -> None:
    port = free_port()
    management = f"http://127.0.0.1:{port}"
    server = start_server(args=["--http-management-port", str(port)], ready_url=f"{management}/health/ready")
    assert httpx.get(f"{management}/health/live").status_code == 200
    assert httpx.get(server.url(DISCOVERY)).status_code == 200
    metrics = httpx.get(f"{management}/metrics")  # counts the application's requests
    assert metrics.status_code == 200 and "openid-configuration" in metrics.text, metrics.text
    assert httpx.get(server.url("/health/ready")).status_code == 404
    assert httpx.get(server.url("/metrics")).status_code == 404
    assert httpx.get(f"{management}{DISCOVERY}").status_code == 404
    assert f"Health and metrics on {management}" in server.logs()


def test_configuration_file_with_variables_under_flags(
    tmp_path: Path, start_server: Callable[..., ServerProcess], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Values come from the file (``${VAR}`` expanded) unless a flag or variable sets them."""
    conf = tmp_path / "conf" / "realmgate.conf"
    conf.parent.mkdir()
    conf.write_text(
        "# realmgate.conf\n"
        "hostname=${RG_TEST_HOSTNAME}\n"
        "log-console-output=json\n"
        "http-max-body-size=${RG_TEST_UNSET:4096}\n"
        "log-level=warning\n",
        encoding="utf-8",
    )
    env = {"RG_TEST_HOSTNAME": "https://id.example.test"}
    server = start_server(env=env, args=["--log-level", "info"], workdir=tmp_path)  # ./conf/realmgate.conf
    assert httpx.get(server.url(DISCOVERY)).json()["issuer"] == "https://id.example.test/realms/master"
    too_big = httpx.post(server.url("/realms/master/protocol/openid-connect/token"), content=b"x" * 5000)
    assert too_big.status_code == 413
    lines = [json.loads(line) for line in server.logs().splitlines() if line.strip()]
    assert any(entry["loggerName"] == "realmgate.access" for entry in lines)  # info: the flag won


def test_a_bad_configuration_line_is_one_error_without_its_value(tmp_path: Path) -> None:
    conf = tmp_path / "my.conf"
    conf.write_text("http-port=8080\ndb-pasword=hunter2\n", encoding="utf-8")
    result = run_cli(["start-dev", "--config-file", str(conf)])
    line = assert_clean_failure(result, f"{conf} line 2", "'db-pasword'")
    assert "hunter2" not in result.stderr + result.stdout, line
    missing = run_cli(["start-dev", "--config-file", str(tmp_path / "absent.conf")])
    assert_clean_failure(missing, "cannot read the configuration file")


def test_json_logs_are_one_object_per_line(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server(args=["--log-format", "json"])
    httpx.get(server.url("/realms/nope/.well-known/openid-configuration"))
    server.wait_for_log("/realms/nope/")
    entries = [json.loads(line) for line in server.logs().splitlines() if line.strip()]
    assert all({"timestamp", "level", "loggerName", "message", "processId"} <= set(e) for e in entries)
    access = [e for e in entries if e["loggerName"] == "realmgate.access"]
    assert any("/realms/nope/.well-known/openid-configuration 404" in e["message"] for e in access), access


@pytest.mark.parametrize("value", ["0", "x"])
def test_db_pool_size_is_checked(value: str) -> None:
    result = run_cli(["start-dev", "--db-pool-max-size", value, "--http-port", str(free_port())])
    assert_clean_failure(result, "--db-pool-max-size")


def test_a_pool_of_two_serves_sixteen_concurrent_requests(start_server: Callable[..., ServerProcess]) -> None:
    """Requests queue for a connection instead of failing (each reads the realm's version)."""
    server = start_server(db="postgres", args=["--db-pool-max-size", "2"])
    with httpx.Client(limits=httpx.Limits(max_connections=16)) as client, ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: client.get(server.url(DISCOVERY)).status_code, range(64)))
    assert statuses == [200] * 64
