"""Run python-keycloak's own pytest suite against a fresh realmgate and count results per file.

Called by ``python_keycloak.sh`` (which prepares the library's venv and checkout). The server is
started through the e2e harness, so it is the same start-dev process the project's own tests use:
a free loopback port, a temp SQLite file or a fresh PostgreSQL database, the admin/admin bootstrap
account. The library's conftest reads KEYCLOAK_HOST/PORT/ADMIN/ADMIN_PASSWORD from the
environment (its tests also KEYCLOAK_DOCKER_IMAGE_TAG, as its tox.env sets them); the results
come from pytest's JUnit XML, so the counts do not depend on its console format.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.compat.report import print_table
from tests.e2e.harness import ADMIN_PASSWORD, ADMIN_USER, start_server

OUTCOMES = ("passed", "failed", "error", "skipped")


def outcome(case: ET.Element) -> str:
    """One test case's outcome as JUnit XML records it (no child element: it passed)."""
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return "failed" if tag == "failure" else tag
    return "passed"


def counts_per_file(report: Path) -> dict[str, Counter[str]]:
    """``{"tests/test_x.py": Counter(passed=.., failed=..)}`` from a JUnit XML report."""
    per_file: dict[str, Counter[str]] = defaultdict(Counter)
    for case in ET.parse(report).iter("testcase"):
        module = case.get("classname", "").split(".")
        name = "/".join(module[:2]) + ".py" if len(module) >= 2 else case.get("file", "?")
        per_file[name][outcome(case)] += 1
    return per_file


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkout", type=Path, required=True)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--python", required=True, help="the venv python with python-keycloak and pytest")
    parser.add_argument("--port", type=int, help="server port (test_keycloak_openid's device test wants 8081)")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="-- FILES... -- PYTEST_ARGS...")
    args = parser.parse_args()
    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    files, pytest_args = (rest[: rest.index("--")], rest[rest.index("--") + 1 :]) if "--" in rest else (rest, [])

    server = start_server(db=args.db, port=args.port)
    report = Path(tempfile.mkdtemp(prefix="pk-junit-")) / "report.xml"
    try:
        env = dict(os.environ)
        env.update(
            KEYCLOAK_HOST="localhost",  # the suite's device test compares URLs on localhost
            KEYCLOAK_PORT=str(server.port),
            KEYCLOAK_ADMIN=ADMIN_USER,
            KEYCLOAK_ADMIN_PASSWORD=ADMIN_PASSWORD,
            # The suite gates version-dependent checks on this; "latest" asks for current Keycloak.
            KEYCLOAK_DOCKER_IMAGE_TAG="latest",
        )
        command = [args.python, "-m", "pytest", "-p", "no:cacheprovider", "-q", f"--junitxml={report}"]
        subprocess.run([*command, *pytest_args, *files], cwd=args.checkout, env=env, check=False)
    finally:
        server.stop()
        print(f"realmgate log: {server.log_path}")
    print_table(counts_per_file(report), OUTCOMES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
