"""Run Keycloak's admin-client mocha suite against a fresh realmgate and count results per file.

Called by ``keycloak_admin_client.sh``, which installs the npm packages (the published
``@keycloak/keycloak-admin-client`` plus mocha, chai, faker, lodash-es and tsx) and finds the
suite. The suite's files stay unchanged: they are copied into a temp work directory whose
``src`` is a link to the package's compiled ``lib`` (same module layout), so ``../src/client.js``
resolves to the published client rather than to sources of another commit.

The suite has no configuration of its own: every test logs in with ``test/constants.ts``
(admin/admin, ``admin-cli``, password grant) at the client's default base URL
``http://127.0.0.1:8180``, and the identity-provider import test fetches
``http://localhost:8180/.../.well-known/openid-configuration``; hence port 8180 by default.
The server comes from the e2e harness (start-dev, temp SQLite or a fresh PostgreSQL database,
bootstrap admin admin/admin), as for python-keycloak.

Each spec file runs in its own mocha process, in file-name order, against the one server (as
mocha runs them one after another): a file that fails to load (an import the package lacks)
then costs only its own tests. A ``--dry-run`` counts each file's tests first, so tests that
never ran because a ``before`` hook failed show as "not run".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.compat.report import print_table
from tests.e2e.harness import start_server

COLUMNS = ("tests", "passed", "failed", "pending", "not run", "hooks", "load")
SUITE = Path("js/libs/keycloak-admin-client")
PACKAGE = Path("node_modules/@keycloak/keycloak-admin-client/lib")
MOCHA_TIMEOUT_MS = "10000"  # the suite's own `mocha ... --timeout 10000`
FILE_TIMEOUT_S = 900


def suite_dir(checkout: Path) -> Path:
    """The admin client's folder: a Keycloak checkout's ``js/libs/keycloak-admin-client`` or that folder."""
    for candidate in (checkout / SUITE, checkout):
        if (candidate / "test").is_dir():
            return candidate
    raise SystemExit(f"no {SUITE}/test under {checkout}")


def make_workdir(suite: Path, node_dir: Path) -> Path:
    """A directory laid out like the admin client's, with ``src`` pointing at the npm package."""
    work = Path(tempfile.mkdtemp(prefix="kcac-"))
    shutil.copytree(suite / "test", work / "test", ignore=shutil.ignore_patterns("tsconfig.json"))
    (work / "node_modules").symlink_to(node_dir / "node_modules")
    (work / "src").symlink_to(node_dir / PACKAGE)
    (work / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    return work


def mocha(work: Path, spec: str, report: Path, extra: list[str], log: Path, dry_run: bool = False) -> None:
    """One mocha process over one spec file, its JSON report in ``report``, its output in ``log``."""
    command = [str(work / "node_modules/.bin/mocha"), "--no-config", "--timeout", MOCHA_TIMEOUT_MS]
    command += ["--reporter", "json", "--reporter-option", f"output={report}"]
    command += (["--dry-run"] if dry_run else extra) + [f"test/{spec}"]
    env = dict(os.environ, NODE_OPTIONS="--import tsx")
    with log.open("ab") as out:
        try:
            subprocess.run(command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=FILE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            out.write(f"\n[runner] mocha timed out after {FILE_TIMEOUT_S} s\n".encode())


def read_report(report: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def is_hook(failure: dict[str, Any]) -> bool:
    """Mocha reports a failing before/after hook as a failure titled '"before all" hook ...'."""
    return str(failure.get("title", "")).startswith('"')


def first_line(failure: dict[str, Any]) -> str:
    message = str(failure.get("err", {}).get("message", ""))
    return (message.splitlines() or [""])[0][:200]


def count_file(work: Path, spec: str, extra: list[str]) -> tuple[Counter[str], list[str]]:
    """Counts for one spec file and the failure lines (``title: first line of the error``)."""
    counts: Counter[str] = Counter()
    log = work / f"{spec}.log"
    planned = work / f"{spec}.dry.json"
    mocha(work, spec, planned, [], log, dry_run=True)
    listed = read_report(planned)
    if listed is None:
        counts["load"] = 1
        return counts, [f"(did not load, see {log})"]
    counts["tests"] = len(listed["tests"])
    result = work / f"{spec}.json"
    mocha(work, spec, result, extra, log)
    ran = read_report(result)
    if ran is None:
        counts["not run"] = counts["tests"]
        return counts, [f"(no report, see {log})"]
    failures = ran["failures"]
    counts["passed"] = len(ran["passes"])
    counts["pending"] = len(ran["pending"])
    counts["failed"] = sum(1 for f in failures if not is_hook(f))
    counts["hooks"] = sum(1 for f in failures if is_hook(f))
    counts["not run"] = max(0, counts["tests"] - counts["passed"] - counts["pending"] - counts["failed"])
    return counts, [f"{f['fullTitle']}: {first_line(f)}" for f in failures]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", type=Path, required=True, help="Keycloak checkout (or its admin-client folder)")
    parser.add_argument("--node-dir", type=Path, required=True, help="npm project with the packages installed")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--port", type=int, default=8180, help="the suite's hard-coded 127.0.0.1:8180 by default")
    parser.add_argument("--failures", action="store_true", help="also print each failing test and its error")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="-- SPEC_FILES... -- MOCHA_ARGS...")
    args = parser.parse_args()
    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    files, extra = (rest[: rest.index("--")], rest[rest.index("--") + 1 :]) if "--" in rest else (rest, [])

    work = make_workdir(suite_dir(args.checkout), args.node_dir.resolve())
    specs = [Path(f).name for f in files] or sorted(p.name for p in (work / "test").glob("*.spec.ts"))
    per_file: dict[str, Counter[str]] = {}
    server = start_server(db=args.db, port=args.port)
    try:
        for spec in specs:
            per_file[spec], failures = count_file(work, spec, extra)
            if args.failures:
                print("\n".join(f"  {spec} | {line}" for line in failures))
    finally:
        server.stop()
        print(f"realmgate log: {server.log_path}\nmocha logs and reports: {work}")
    print_table(per_file, COLUMNS, width=44)
    return 0


if __name__ == "__main__":
    sys.exit(main())
