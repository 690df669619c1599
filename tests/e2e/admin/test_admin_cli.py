"""``realmgate admin`` (kcadm-style) as a real process against a real server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.harness import PYTHON, ROOT, ServerProcess, clean_env


def cli(config: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "realmgate.admin_cli", "--config", str(config), *args],
        env=clean_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        check=False,
    )


def test_login_create_get_update_delete(admin_server: ServerProcess, tmp_path: Path) -> None:
    config = tmp_path / "admin.json"
    login = cli(
        config, "config", "credentials", "--server", admin_server.base_url, "--realm", "master", "--user", "admin",
        "--password", "admin",
    )  # fmt: skip
    assert login.returncode == 0, login.stderr
    assert config.stat().st_mode & 0o077 == 0 and "admin" not in json.loads(config.read_text()).values()

    created = cli(config, "create", "realms", "-s", "realm=clirealm", "-s", "enabled=true")
    assert created.returncode == 0, created.stderr
    assert "Created new realm with id 'clirealm'" in created.stderr

    user = cli(
        config, "create", "users", "-r", "clirealm", "-s", "username=alice", "-s", 'attributes.team=["blue"]', "-i"
    )
    assert user.returncode == 0, user.stderr
    user_id = user.stdout.strip()

    fetched = cli(config, "get", f"users/{user_id}", "-r", "clirealm")
    assert json.loads(fetched.stdout)["attributes"] == {"team": ["blue"]}
    found = cli(config, "get", "users", "-r", "clirealm", "-q", "username=alice")
    assert [u["id"] for u in json.loads(found.stdout)] == [user_id]

    body = tmp_path / "user.json"
    body.write_text(json.dumps({"firstName": "Alice"}))
    assert cli(config, "update", f"users/{user_id}", "-r", "clirealm", "-f", str(body)).returncode == 0
    assert cli(config, "update", "realms/clirealm", "-s", "displayName=From CLI").returncode == 0
    realm = json.loads(cli(config, "get", "realms/clirealm").stdout)
    assert realm["displayName"] == "From CLI"

    duplicate = cli(config, "create", "users", "-r", "clirealm", "-s", "username=alice")
    assert duplicate.returncode == 1
    assert "HTTP 409: User exists with same username" in duplicate.stderr

    assert cli(config, "delete", f"users/{user_id}", "-r", "clirealm").returncode == 0
    missing = cli(config, "get", f"users/{user_id}", "-r", "clirealm")
    assert missing.returncode == 1 and "User not found" in missing.stderr


def test_errors_exit_non_zero_with_a_message(admin_server: ServerProcess, tmp_path: Path) -> None:
    config = tmp_path / "admin.json"
    not_logged_in = cli(config, "get", "realms")
    assert not_logged_in.returncode == 1 and "Not logged in" in not_logged_in.stderr
    bad = cli(
        config, "config", "credentials", "--server", admin_server.base_url, "--realm", "master", "--user", "admin",
        "--password", "wrong",
    )  # fmt: skip
    assert bad.returncode == 1 and "Login failed" in bad.stderr
