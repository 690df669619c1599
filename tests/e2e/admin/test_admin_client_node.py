"""Keycloak's official admin client (npm ``@keycloak/keycloak-admin-client``), unchanged, against
a real server: realms, clients with secret regeneration, users with password reset, roles and
composites, groups, client scopes, and Keycloak's 409 on a duplicate."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tests.e2e.harness import ServerProcess

from realmgate import __version__

NODE_DIR = Path(__file__).with_name("node")


@pytest.mark.node
def test_keycloak_admin_client_drives_realmgate(admin_server: ServerProcess) -> None:
    result = subprocess.run(
        ["node", "admin_flow.mjs", admin_server.base_url, "noderealm"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "serverVersion": __version__,
        "whoami": "master",
        "realm": "noderealm",
        "secretChanged": True,
        "clientFound": True,
        "userCount": 1,
        "username": "node-user",
        "effectiveRoles": [
            "default-roles-noderealm",
            "node-reader",
            "node-writer",
            "offline_access",
            "uma_authorization",
        ],
        "groups": ["node-group"],
        "members": ["node-user"],
        "hasProfileScope": True,
        "clientDefaultScopes": ["acr", "basic", "email", "profile", "roles", "web-origins"],
        "duplicate": 409,
    }
