"""``realmgate import`` / ``realmgate export`` as separate processes (like ``kc.sh``): a
Keycloak-style realm file survives import -> export -> import into a new database -> export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REALM_FILE = Path(__file__).parents[1] / "data" / "realms" / "acme-realm.json"


def _cli(*args: str, db: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "realmgate", *args, "--db-url", f"sqlite+aiosqlite:///{db}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_cli_import_export_round_trip(tmp_path: Path) -> None:
    first_db, second_db = tmp_path / "first.db", tmp_path / "second.db"
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    _cli("import", "--file", str(REALM_FILE), db=first_db)
    _cli("export", "--realm", "acme", "--file", str(first), "--users", "realm_file", db=first_db)
    _cli("import", "--file", str(first), db=second_db)
    _cli("export", "--realm", "acme", "--file", str(second), "--users", "realm_file", db=second_db)
    exported = json.loads(first.read_text())
    assert json.loads(second.read_text()) == exported
    alice = next(u for u in exported["users"] if u["username"] == "alice")
    source = json.loads(REALM_FILE.read_text())["users"][0]["credentials"][0]
    assert alice["credentials"][0]["secretData"] == source["secretData"]
    assert alice["credentials"][0]["credentialData"] == source["credentialData"]
