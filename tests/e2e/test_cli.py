"""The CLI fails cleanly: status 1 and one line on stderr, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.e2e.harness import CliResult, free_port, run_cli


def assert_clean_failure(result: CliResult, *needles: str) -> str:
    """Non-zero exit, exactly one non-empty stderr line starting 'realmgate: error:', no traceback."""
    assert result.returncode != 0, result
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("realmgate: error: "), lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'rg.db'}"


def test_taken_port_is_one_clean_line(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        args = ["--http-host", "127.0.0.1", "--http-port", str(port), "--db-url", sqlite_url(tmp_path)]
        result = run_cli(["start-dev", *args])
    assert_clean_failure(result, f"Port {port}", "already in use")


def test_start_refuses_without_hostname(tmp_path: Path) -> None:
    result = run_cli(["start", "--db-url", sqlite_url(tmp_path), "--http-port", str(free_port())])
    assert_clean_failure(result, "--hostname", "REALMGATE_HOSTNAME")


def test_start_refuses_without_db_url() -> None:
    result = run_cli(["start", "--hostname", "https://id.example.com", "--http-port", str(free_port())])
    assert_clean_failure(result, "--db-url")


def test_invalid_port_from_env_names_the_variable(tmp_path: Path) -> None:
    result = run_cli(["start-dev", "--db-url", sqlite_url(tmp_path)], env={"REALMGATE_HTTP_PORT": "eighty"})
    assert_clean_failure(result, "REALMGATE_HTTP_PORT", "eighty")


def test_unknown_proxy_mode_is_refused(tmp_path: Path) -> None:
    result = run_cli(["start-dev", "--db-url", sqlite_url(tmp_path), "--proxy-headers", "everything"])
    assert_clean_failure(result, "--proxy-headers", "xforwarded")
