"""Realm settings through real server processes and the real CLI, on SQLite and PostgreSQL:
every setting written is read back (python-keycloak's ``update_realm``/``get_realm``), survives
a restart, and the settings realmgate does not enforce are logged by name, never with a secret;
``realmgate import --strict`` and ``--import-strict`` refuse such realm files, importing nothing;
import -> export -> import keeps flows, required actions and client policies."""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.harness import (
    CliResult,
    ServerProcess,
    admin_token,
    create_pg_database,
    drop_pg_database,
    free_port,
    keycloak_admin,
    run_cli,
)
from tests.keycloak.kc_facts import FRESH_REALM_SETTINGS, REALM_SETTINGS_SAMPLE

from keycloak import KeycloakAdmin

SMTP_PASSWORD = "smtp-" + secrets.token_hex(8)
SMTP = {"host": "smtp.example.com", "port": "587", "from": "id@example.com", "auth": "true", "user": "id"}
MASK = "**********"
ROUND_TRIP_FIELDS = (
    "requiredActions",
    "authenticationFlows",
    "authenticatorConfig",
    "clientPolicies",
    "clientProfiles",
    "smtpServer",
    "browserSecurityHeaders",
    "browserFlow",
    "otpPolicyDigits",
)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database for CLI runs: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
        return
    name, url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(name)


def _admin(server: ServerProcess) -> KeycloakAdmin:
    return keycloak_admin(server)


def _write(path: Path, rep: dict[str, Any]) -> Path:
    path.write_text(json.dumps(rep), encoding="utf-8")
    return path


def _export(db: str, realm: str, target: Path) -> dict[str, Any]:
    result = run_cli(["export", "--realm", realm, "--file", str(target), "--db-url", db])
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return data


def _realm_exists(db: str, realm: str, tmp_path: Path) -> bool:
    result = run_cli(["export", "--realm", realm, "--file", str(tmp_path / "probe.json"), "--db-url", db])
    # A refused import may not even have created the database: then no realm exists either.
    absent = f"Realm {realm} does not exist" in result.stderr or "there is no database at" in result.stderr
    assert result.returncode == 0 or absent, result.stderr
    return result.returncode == 0


def _one_line_failure(result: CliResult) -> str:
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stdout, result
    return lines[0]


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_settings_read_back_survive_a_restart_and_unenforced_ones_are_logged(
    db: str, start_server: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    first = start_server(db=db)
    kc = _admin(first)
    name = "s" + secrets.token_hex(4)
    kc.create_realm({"realm": name})
    fresh = kc.get_realm(name)
    assert {k: fresh.get(k) for k in FRESH_REALM_SETTINGS} == FRESH_REALM_SETTINGS

    smtp = {**SMTP, "password": SMTP_PASSWORD}
    enforced = {"bruteForceProtected": True, "failureFactor": 5}
    kc.update_realm(name, {**enforced, "verifyEmail": True, "otpPolicyDigits": 8, "smtpServer": smtp})
    shown = kc.get_realm(name)
    assert (shown["bruteForceProtected"], shown["failureFactor"], shown["otpPolicyDigits"]) == (True, 5, 8)
    assert shown["smtpServer"] == {**SMTP, "password": MASK}
    assert (shown["maxFailureWaitSeconds"], shown["accessTokenLifespan"]) == (900, 300)  # not sent: kept
    # A client's read-modify-write sends the mask back: the stored password stays.
    kc.update_realm(name, {**shown, "displayName": "Settings", "codeSecret": "legacy-" + SMTP_PASSWORD})
    logs = first.wait_for_log(f"realm {name}: ignored fields: codeSecret [admin API update]")
    assert f"realm {name}: verifyEmail (true) is stored but NOT enforced" in logs
    assert f"realm {name}: bruteForceProtected" not in logs  # enforced: nothing to warn about
    assert "[set by admin API]" in logs and f"realm {name}: smtpServer (set) is stored but has no effect" in logs
    assert "codeSecret" not in kc.get_realm(name)
    first.stop(drop_database=False)

    exported = _export(first.db_url, name, tmp_path / "export.json")
    assert exported["smtpServer"]["password"] == SMTP_PASSWORD  # the full export restores it

    second = start_server(db_url=first.db_url)
    again = _admin(second).get_realm(name)
    assert {k: again[k] for k in ("bruteForceProtected", "failureFactor", "otpPolicyDigits", "smtpServer")} == {
        "bruteForceProtected": True,
        "failureFactor": 5,
        "otpPolicyDigits": 8,
        "smtpServer": {**SMTP, "password": MASK},
    }
    assert again["displayName"] == "Settings" and again["maxFailureWaitSeconds"] == 900
    restart_log = second.wait_for_log(f"realm {name}: verifyEmail (true) is stored but NOT enforced")
    assert "[stored]" in restart_log.split(f"realm {name}: verifyEmail", 1)[1].splitlines()[0]
    for log in (first.logs(), second.logs()):
        assert SMTP_PASSWORD not in log
    second.stop()
    first.stop()  # drops the PostgreSQL database now that both are done


def test_wrong_types_are_400_and_change_nothing(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server()
    name = "t" + secrets.token_hex(4)
    _admin(server).create_realm({"realm": name, "failureFactor": 4})
    headers = {"Authorization": f"Bearer {admin_token(server)}"}
    url = server.url(f"/admin/realms/{name}")
    for body, message in [
        ({"bruteForceProtected": "maybe"}, "Invalid value for bruteForceProtected: must be a boolean"),
        ({"failureFactor": "many", "bruteForceProtected": True}, "Invalid value for failureFactor: must be a number"),
        ({"requiredActions": {"alias": "x"}}, "Invalid value for requiredActions: must be an array of objects"),
    ]:
        response = httpx.put(url, json=body, headers=headers)
        assert (response.status_code, response.json()) == (400, {"errorMessage": message})
    bad_create = {"realm": name + "x", "otpPolicyDigits": "six"}
    response = httpx.post(server.url("/admin/realms"), json=bad_create, headers=headers)
    expected = {"errorMessage": "Invalid value for otpPolicyDigits: must be a number"}
    assert (response.status_code, response.json()) == (400, expected)
    realm = httpx.get(url, headers=headers).json()
    assert (realm["bruteForceProtected"], realm["failureFactor"]) == (False, 4)
    assert "NOT enforced" not in server.logs()


def test_import_warns_and_strict_import_refuses_all_or_nothing(db_url: str, tmp_path: Path) -> None:
    weak_name, clean_name = "w" + secrets.token_hex(4), "c" + secrets.token_hex(4)
    files = tmp_path / "realms"
    files.mkdir()
    _write(files / "a-clean.json", {"realm": clean_name})
    _write(files / "b-weak.json", {"realm": weak_name, "verifyEmail": True, "privateKey": "MIIEv..."})

    refused = run_cli(["import", "--dir", str(files), "--strict", "--db-url", db_url])
    line = _one_line_failure(refused)
    assert f"realm {weak_name}" in line and "verifyEmail" in line and "nothing imported" in line
    assert not _realm_exists(db_url, weak_name, tmp_path) and not _realm_exists(db_url, clean_name, tmp_path)

    imported = run_cli(["import", "--dir", str(files), "--db-url", db_url])
    assert imported.returncode == 0, imported.stderr
    assert f"realm {weak_name}: verifyEmail (true) is stored but NOT enforced" in imported.stdout
    assert f"realm {weak_name}: ignored fields: privateKey" in imported.stdout
    assert "MIIEv" not in imported.stdout
    assert _realm_exists(db_url, weak_name, tmp_path) and _realm_exists(db_url, clean_name, tmp_path)


def test_start_with_import_strict_refuses_the_files(db_url: str, tmp_path: Path) -> None:
    name = "o" + secrets.token_hex(4)
    otp_required = {
        "realm": name,
        "requiredActions": [{"alias": "CONFIGURE_TOTP", "enabled": True, "defaultAction": True}],
    }
    realm_file = _write(tmp_path / "otp.json", otp_required)
    args = ["start-dev", "--http-port", str(free_port()), "--db-url", db_url, "--import-realm", str(realm_file)]
    line = _one_line_failure(run_cli([*args, "--import-strict"]))
    assert f"realm {name}" in line and "requiredActions" in line
    line = _one_line_failure(run_cli(args, env={"REALMGATE_IMPORT_STRICT": "true"}))
    assert f"realm {name}" in line
    assert not _realm_exists(db_url, name, tmp_path)


def test_import_export_import_keeps_flows_actions_and_policies(db_url: str, tmp_path: Path) -> None:
    name = "f" + secrets.token_hex(4)
    source = copy.deepcopy(REALM_SETTINGS_SAMPLE) | {"realm": name}
    source["smtpServer"] = {**SMTP, "password": SMTP_PASSWORD}
    source["attributes"] = {"frontendUrl": "https://id.example.com", "acme.flag": "on"}
    imported = run_cli(["import", "--file", str(_write(tmp_path / "source.json", source)), "--db-url", db_url])
    assert imported.returncode == 0, imported.stderr
    assert f"realm {name}: authenticationFlows (flow 'acme browser' requires auth-otp-form)" in imported.stdout
    assert SMTP_PASSWORD not in imported.stdout

    first = _export(db_url, name, tmp_path / "first.json")
    # Flows and their configs come back with the ids the realm gave them (Keycloak's exports
    # carry them too).
    with_ids = ("authenticationFlows", "authenticatorConfig")
    for field in with_ids:
        assert all(item["id"] for item in first[field])
        assert [{k: v for k, v in item.items() if k != "id"} for item in first[field]] == source[field], field
    for field in (*ROUND_TRIP_FIELDS, "attributes"):
        if field not in with_ids:
            assert first[field] == source[field], field
    second_db = f"sqlite+aiosqlite:///{tmp_path / 'second.db'}"
    again = run_cli(["import", "--file", str(tmp_path / "first.json"), "--db-url", second_db])
    assert again.returncode == 0, again.stderr
    second = _export(second_db, name, tmp_path / "second.json")
    settings = [k for k in first if k not in ("users", "clients", "roles", "clientScopes", "components")]
    assert {k: second[k] for k in settings} == {k: first[k] for k in settings}
