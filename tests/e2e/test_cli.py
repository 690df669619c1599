"""The CLI fails cleanly: status 1 and one line on stderr, never a traceback."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import httpx
from tests.e2e.harness import CliResult, ServerProcess, free_port, run_cli


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


def test_keycloak_variable_is_read_and_named_in_errors(tmp_path: Path) -> None:
    result = run_cli(["start-dev", "--db-url", sqlite_url(tmp_path)], env={"KC_HTTP_PORT": "80a"})
    assert_clean_failure(result, "KC_HTTP_PORT", "80a")


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


def test_missing_postgresql_database_says_how_to_create_it() -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/realmgate_never_created"
    result = run_cli(["start", "--hostname", "id.example", "--http-port", str(free_port()), "--db-url", url])
    line = assert_clean_failure(result, 'database "realmgate_never_created" does not exist')
    assert line.endswith("create it first: createdb -h 127.0.0.1 -p 5432 -U postgres realmgate_never_created"), line
    assert "postgres@127.0.0.1:5432/realmgate_never_created" in line, line


def start_importing(tmp_path: Path, realm_file: Path) -> CliResult:
    """``start-dev`` on a fresh SQLite database, importing ``realm_file`` first."""
    return run_cli(
        [
            "start-dev",
            "--http-port",
            str(free_port()),
            "--db-url",
            sqlite_url(tmp_path),
            "--import-realm",
            str(realm_file),
        ]
    )


def test_missing_realm_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = start_importing(tmp_path, missing)
    assert_clean_failure(result, str(missing))


def test_unreadable_realm_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"realm": "broken", ', encoding="utf-8")
    result = start_importing(tmp_path, bad)
    assert_clean_failure(result, str(bad), "not valid JSON")


def test_invalid_realm_file_content(tmp_path: Path) -> None:
    bad = tmp_path / "invalid.json"
    bad.write_text('{"realm": "invalid", "accessTokenLifespan": "soon"}', encoding="utf-8")
    result = run_cli(["import", "--file", str(bad), "--db-url", sqlite_url(tmp_path)])
    assert_clean_failure(result, str(bad))


ALICE: dict[str, object] = {
    "username": "alice",
    "enabled": True,
    "email": "alice@example.org",
    "credentials": [{"type": "password", "value": "alice-secret"}],
}
REALM_FILE: dict[str, object] = {
    "realm": "roundtrip",
    "enabled": True,
    "accessTokenLifespan": 123,
    "clients": [
        {
            "clientId": "rt-app",
            "publicClient": True,
            "directAccessGrantsEnabled": True,
            "redirectUris": ["http://localhost:9999/*"],
        }
    ],
    "users": [ALICE],
}


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def password_grant(server: ServerProcess, realm: str, client_id: str, username: str, password: str) -> httpx.Response:
    return httpx.post(
        server.url(f"/realms/{realm}/protocol/openid-connect/token"),
        data={"grant_type": "password", "client_id": client_id, "username": username, "password": password},
        timeout=10.0,
    )


def test_import_export_round_trip(tmp_path: Path, start_server: Callable[..., ServerProcess]) -> None:
    source = write_json(tmp_path / "roundtrip.json", REALM_FILE)
    first_db = f"sqlite+aiosqlite:///{tmp_path / 'first.db'}"
    imported = run_cli(["import", "--file", str(source), "--db-url", first_db])
    assert imported.returncode == 0, imported.stderr

    exported_file = tmp_path / "exported.json"
    exported = run_cli(["export", "--realm", "roundtrip", "--file", str(exported_file), "--db-url", first_db])
    assert exported.returncode == 0, exported.stderr
    rep = json.loads(exported_file.read_text(encoding="utf-8"))
    assert rep["realm"] == "roundtrip"
    assert rep["accessTokenLifespan"] == 123
    assert "rt-app" in [client["clientId"] for client in rep["clients"]]
    assert [user["username"] for user in rep["users"]] == ["alice"]

    # The exported file is a valid import: a second database gets the same realm, password included.
    second_db = f"sqlite+aiosqlite:///{tmp_path / 'second.db'}"
    assert run_cli(["import", "--file", str(exported_file), "--db-url", second_db]).returncode == 0
    server = start_server(db_url=second_db, workdir=tmp_path)
    assert password_grant(server, "roundtrip", "rt-app", "alice", "alice-secret").status_code == 200
    assert password_grant(server, "roundtrip", "rt-app", "alice", "wrong").status_code == 401


def test_export_can_skip_users(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'rg.db'}"
    assert (
        run_cli(["import", "--file", str(write_json(tmp_path / "r.json", REALM_FILE)), "--db-url", db]).returncode == 0
    )
    out = tmp_path / "no-users.json"
    result = run_cli(["export", "--realm", "roundtrip", "--file", str(out), "--users", "skip", "--db-url", db])
    assert result.returncode == 0, result.stderr
    assert not json.loads(out.read_text(encoding="utf-8")).get("users")


def test_export_of_unknown_realm_fails_cleanly(tmp_path: Path) -> None:
    db = sqlite_url(tmp_path)
    assert (
        run_cli(["import", "--file", str(write_json(tmp_path / "r.json", REALM_FILE)), "--db-url", db]).returncode == 0
    )
    out = tmp_path / "x.json"
    result = run_cli(["export", "--realm", "nope", "--file", str(out), "--db-url", db])
    assert_clean_failure(result, "nope")
    assert not out.exists()


def test_export_without_a_database_creates_none_and_import_says_which_it_used(tmp_path: Path) -> None:
    """Run from the wrong folder, export must not leave a new, empty database behind."""
    db_file = tmp_path / "data" / "realmgate.db"
    out = tmp_path / "x.json"
    missing = run_cli(["export", "--realm", "roundtrip", "--file", str(out)], cwd=tmp_path)
    assert_clean_failure(missing, f"no database at {Path('data/realmgate.db')}")
    assert not db_file.exists() and not (tmp_path / "data").exists() and not out.exists()

    source = str(write_json(tmp_path / "r.json", REALM_FILE))
    first = run_cli(["import", "--file", source], cwd=tmp_path)
    assert first.returncode == 0 and db_file.is_file(), first.stderr
    assert "Created a new database at sqlite+aiosqlite:///./data/realmgate.db" in first.stdout
    exported = run_cli(["export", "--realm", "roundtrip", "--file", str(out)], cwd=tmp_path)
    assert exported.returncode == 0 and out.is_file(), exported.stderr
    assert "Using the database at sqlite+aiosqlite:///./data/realmgate.db" in exported.stdout


def test_import_realm_at_start_skips_an_existing_realm(
    tmp_path: Path, start_server: Callable[..., ServerProcess]
) -> None:
    realm_dir = tmp_path / "realms"
    realm_dir.mkdir()
    write_json(realm_dir / "roundtrip.json", REALM_FILE)
    first = start_server(import_realm=realm_dir, workdir=tmp_path)
    assert password_grant(first, "roundtrip", "rt-app", "alice", "alice-secret").status_code == 200
    first.stop()

    changed = {
        **REALM_FILE,
        "users": [{**ALICE, "credentials": [{"type": "password", "value": "new"}]}],
    }
    write_json(realm_dir / "roundtrip.json", changed)
    second = start_server(db_url=first.db_url, import_realm=realm_dir, workdir=tmp_path)
    assert "Realm roundtrip already exists" in second.logs()
    assert password_grant(second, "roundtrip", "rt-app", "alice", "alice-secret").status_code == 200
    assert password_grant(second, "roundtrip", "rt-app", "alice", "new").status_code == 401
