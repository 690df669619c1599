"""``realmgate admin`` (kcadm-style) as a real process against a real server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
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


def logged_in(server: ServerProcess, config: Path) -> None:
    login = cli(
        config, "config", "credentials", "--server", server.base_url, "--realm", "master", "--user", "admin",
        "--password", "admin",
    )  # fmt: skip
    assert login.returncode == 0, login.stderr


def ok(config: Path, *args: str) -> str:
    done = cli(config, *args)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def realm_with_user(config: Path, realm: str, username: str) -> str:
    """A new realm with one enabled user; the user's id."""
    ok(config, "create", "realms", "-s", f"realm={realm}", "-s", "enabled=true")
    return ok(config, "create", "users", "-r", realm, "-s", f"username={username}", "-s", "enabled=true", "-i").strip()


def names(output: str) -> set[str]:
    return {role["name"] for role in json.loads(output)}


def test_role_verbs_by_name(admin_server: ServerProcess, tmp_path: Path) -> None:
    """kcadm's add-roles / get-roles / remove-roles for users, groups and composite roles, with
    realm and client roles, each checked through the REST API as well as the verb's output."""
    config = tmp_path / "admin.json"
    logged_in(admin_server, config)
    realm = "cliroles"
    user_id = realm_with_user(config, realm, "Bob")
    ok(config, "create", "groups", "-r", realm, "-s", "name=staff")
    for role in ("editor", "viewer", "bundle"):
        ok(config, "create", "roles", "-r", realm, "-s", f"name={role}")
    client_id = ok(config, "create", "clients", "-r", realm, "-s", "clientId=app", "-i").strip()
    ok(config, "create", f"clients/{client_id}/roles", "-r", realm, "-s", "name=publish")

    ok(config, "add-roles", "-r", realm, "--uusername", "bob", "--rolename", "editor", "--rolename", "viewer")
    ok(config, "add-roles", "-r", realm, "--uid", user_id, "--cclientid", "app", "--rolename", "publish")
    ok(config, "add-roles", "-r", realm, "--gname", "staff", "--rolename", "viewer")
    ok(config, "add-roles", "-r", realm, "--rname", "bundle", "--rolename", "editor")
    ok(config, "add-roles", "-r", realm, "--rname", "bundle", "--cclientid", "app", "--rolename", "publish")

    assert {"editor", "viewer"} <= names(ok(config, "get-roles", "-r", realm, "--uusername", "bob"))
    assert names(ok(config, "get-roles", "-r", realm, "--uusername", "bob", "--cclientid", "app")) == {"publish"}
    assert names(ok(config, "get-roles", "-r", realm, "--gpath", "/staff")) == {"viewer"}
    assert "bundle" in names(ok(config, "get-roles", "-r", realm, "--uusername", "bob", "--available"))
    mapped = json.loads(ok(config, "get", f"users/{user_id}/role-mappings/realm", "-r", realm))
    assert {"editor", "viewer"} <= {r["name"] for r in mapped}
    composites = json.loads(ok(config, "get", "roles/bundle/composites", "-r", realm))
    assert {r["name"] for r in composites} == {"editor", "publish"}

    ok(config, "remove-roles", "-r", realm, "--uusername", "bob", "--rolename", "viewer")
    assert "viewer" not in names(ok(config, "get-roles", "-r", realm, "--uusername", "bob"))
    ok(config, "add-roles", "-r", realm, "--uusername", "bob", "--rolename", "bundle")
    effective = names(ok(config, "get-roles", "-r", realm, "--uusername", "bob", "--effective"))
    assert {"bundle", "editor"} <= effective and "viewer" not in effective
    assert names(ok(config, "get-roles", "-r", realm, "--cclientid", "app")) == {"publish"}

    missing = cli(config, "add-roles", "-r", realm, "--uusername", "nobody", "--rolename", "editor")
    assert missing.returncode == 1 and "User 'nobody' not found" in missing.stderr
    no_role = cli(config, "add-roles", "-r", realm, "--uusername", "bob", "--rolename", "nope")
    assert no_role.returncode == 1 and "HTTP 404" in no_role.stderr


def test_set_password_config_after_the_verb_and_delete_with_a_body(admin_server: ServerProcess, tmp_path: Path) -> None:
    config = tmp_path / "admin.json"
    logged_in(admin_server, config)
    realm = "clipass"
    user_id = realm_with_user(config, realm, "carol")
    ok(config, "create", "roles", "-r", realm, "-s", "name=extra")
    ok(config, "set-password", "-r", realm, "--username", "carol", "--new-password", "first-pass")
    token_url = admin_server.url(f"/realms/{realm}/protocol/openid-connect/token")
    form = {"grant_type": "password", "client_id": "admin-cli", "username": "carol"}
    assert httpx.post(token_url, data={**form, "password": "first-pass"}).status_code == 200

    # --config after the verb, as kcadm allows; a temporary password stops the password grant.
    done = subprocess.run(
        [PYTHON, "-m", "realmgate.admin_cli", "set-password", "-r", realm, "--userid", user_id,
         "--new-password", "second-pass", "--temporary", "--config", str(config)],
        env=clean_env(), cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert httpx.post(token_url, data={**form, "password": "first-pass"}).status_code == 401
    refused = httpx.post(token_url, data={**form, "password": "second-pass"})
    assert refused.status_code == 400 and refused.json()["error_description"] == "Account is not fully set up"

    ok(config, "add-roles", "-r", realm, "--uusername", "carol", "--rolename", "extra")
    role = json.loads(ok(config, "get", "roles/extra", "-r", realm))
    body = tmp_path / "roles.json"
    body.write_text(json.dumps([role]))
    ok(config, "delete", f"users/{user_id}/role-mappings/realm", "-r", realm, "-f", str(body))
    assert "extra" not in names(ok(config, "get-roles", "-r", realm, "--uusername", "carol"))
