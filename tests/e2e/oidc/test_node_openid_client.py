"""An independent, strict relying party: npm ``openid-client`` v6 (tests/e2e/node/flow.mjs)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.e2e.harness import ServerProcess
from tests.e2e.oidc.browser import CLIENT_ID, REALM, REDIRECT_URI, SECRET

NODE_DIR = Path(__file__).resolve().parents[1] / "node"

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def node_project() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the openid-client test")
    if not (NODE_DIR / "node_modules" / "openid-client").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, timeout=300, capture_output=True
        )
    return NODE_DIR


def test_openid_client_full_flow(oidc_server: ServerProcess, node_project: Path) -> None:
    result = subprocess.run(
        ["node", "flow.mjs", oidc_server.base_url, REALM, CLIENT_ID, SECRET, REDIRECT_URI, "alice", "alice-password"],
        cwd=node_project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    observed = json.loads(result.stdout.strip().splitlines()[-1])
    assert observed["issuer"] == oidc_server.url(f"/realms/{REALM}")
    assert observed["userinfo"]["email"] == "alice@example.com"
    assert observed["refreshAfterLogout"] == "invalid_grant: Session not active"
    # A wrong client secret: openid-client reads the OAuth error from the 401's challenge, and
    # the body it did not need says the same.
    description = "Invalid client or Invalid client credentials"
    assert observed["wrongSecret"] == {
        "status": 401,
        "scheme": "basic",
        "challenge": {"realm": REALM, "error": "invalid_client", "error_description": description},
        "body": {"error": "invalid_client", "error_description": description},
    }
