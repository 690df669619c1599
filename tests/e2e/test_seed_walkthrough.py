"""docs/seed-walkthrough.md, command by command: its ``bash`` blocks run in order in one shell
against two fresh servers, and what the page says the login prints is what it prints."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.e2e.harness import PYTHON, ROOT, clean_env, free_port

DOC = ROOT / "docs" / "seed-walkthrough.md"
# Started servers are killed however the script ends, so a failed step leaves nothing behind.
PREAMBLE = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"


def blocks(markdown: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", markdown, flags=re.S | re.M)


def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    markdown = DOC.read_text(encoding="utf-8")
    script = PREAMBLE + "\n".join(blocks(markdown, "bash"))
    expected = markdown.split("It prints:", 1)[1]
    printed = blocks(expected, "")[0]
    env = clean_env({"MASTER_PORT": str(free_port()), "SLAVE_PORT": str(free_port())})
    env["PATH"] = f"{Path(PYTHON).parent}:{env.get('PATH', '/usr/bin:/bin')}"  # the venv's realmgate
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    logs = "".join(f"\n--- {p.name}\n{p.read_text()}" for p in tmp_path.glob("*.log"))
    assert done.returncode == 0, done.stdout + done.stderr + logs
    assert printed in done.stdout, done.stdout
    assert done.stdout.rstrip().endswith("slave_user@example.org"), done.stdout
