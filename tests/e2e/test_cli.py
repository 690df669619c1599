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


def test_unsupported_database_url(tmp_path: Path) -> None:
    result = run_cli(["start-dev", "--http-port", str(free_port()), "--db-url", "mysql://root@localhost/rg"])
    assert_clean_failure(result, "mysql")


def test_unreachable_database() -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/realmgate"
    result = run_cli(["start-dev", "--http-port", str(free_port()), "--db-url", url])
    line = assert_clean_failure(result)
    assert "127.0.0.1" in line or "connect" in line.lower(), line


def test_missing_realm_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = run_cli(
        [
            "start-dev",
            "--http-port",
            str(free_port()),
            "--db-url",
            sqlite_url(tmp_path),
            "--import-realm",
            str(missing),
        ]
    )
    assert_clean_failure(result, str(missing))


def test_unreadable_realm_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"realm": "broken", ', encoding="utf-8")
    result = run_cli(
        [
            "start-dev",
            "--http-port",
            str(free_port()),
            "--db-url",
            sqlite_url(tmp_path),
            "--import-realm",
            str(bad),
        ]
    )
    assert_clean_failure(result, str(bad), "not valid JSON")


def test_invalid_realm_file_content(tmp_path: Path) -> None:
    bad = tmp_path / "invalid.json"
    bad.write_text('{"realm": "invalid", "accessTokenLifespan": "soon"}', encoding="utf-8")
    result = run_cli(["import", "--file", str(bad), "--db-url", sqlite_url(tmp_path)])
    assert_clean_failure(result, str(bad))
