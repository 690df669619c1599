"""keycloak-js (the real npm package) in Debian's chromium against a realmgate server.

The app's own tiny HTTP server on a loopback port serves ``app/`` (the page, its script and the
silent-check-sso page) and ``node_modules/keycloak-js/lib`` under ``/keycloak-js/``. The realm is
written per test module with that port in the clients' redirect URIs, then imported into a
realmgate server on SQLite or PostgreSQL.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest
from tests.browser.conftest import chromium  # noqa: F401 (the shared browser fixture)
from tests.e2e.harness import ServerProcess, start_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

HERE = Path(__file__).parent
LIB = HERE / "node_modules" / "keycloak-js" / "lib"
REALM = "kcjs"
USER, PASSWORD = "jane", "jane-password"


class _AppHandler(SimpleHTTPRequestHandler):
    """Serves the app folder, and keycloak-js's ``lib`` under ``/keycloak-js/``."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean.startswith("/keycloak-js/"):
            return str(LIB / clean.removeprefix("/keycloak-js/"))
        return super().translate_path(path)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def kcjs_lib() -> Path:
    if shutil.which("npm") is None:
        pytest.skip("npm is needed to install keycloak-js")
    if not (LIB / "keycloak.js").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300, capture_output=True)
    return LIB


@pytest.fixture(scope="session")
def app_origin(kcjs_lib: Path) -> Iterator[str]:
    handler = functools.partial(_AppHandler, directory=str(HERE / "app"))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _client(client_id: str, origin: str, **extra: object) -> dict[str, object]:
    return {
        "clientId": client_id,
        "enabled": True,
        "publicClient": True,
        "standardFlowEnabled": True,
        "redirectUris": [f"{origin}/*"],
        "webOrigins": ["+"],
        "attributes": {"post.logout.redirect.uris": "+", "pkce.code.challenge.method": "S256"},
        **extra,
    }


def realm_file(origin: str) -> Path:
    realm = {
        "realm": REALM,
        "enabled": True,
        "clients": [
            _client("spa", origin),
            _client("spa-implicit", origin, implicitFlowEnabled=True),
            _client("elsewhere", "http://127.0.0.1:1"),
        ],
        "users": [
            {
                "username": USER,
                "enabled": True,
                "email": "jane@example.com",
                "emailVerified": True,
                "firstName": "Jane",
                "lastName": "Doe",
                "attributes": {"team": ["blue"]},
                # As in Keycloak, an imported user gets only the roles it lists; the default
                # roles hold account's view-profile and manage-account (loadUserProfile).
                "realmRoles": [f"default-roles-{REALM}"],
                "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}],
            }
        ],
    }
    path = Path(tempfile.mkdtemp(prefix="realmgate-kcjs-")) / "kcjs-realm.json"
    path.write_text(json.dumps(realm))
    return path


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def idp(request: pytest.FixtureRequest, app_origin: str) -> Iterator[ServerProcess]:
    server = start_server(db=request.param, import_realm=realm_file(app_origin))
    yield server
    server.stop()
    logs = server.logs()
    assert "Traceback" not in logs, logs[logs.find("Traceback") - 300 :][:3000]


@dataclass
class App:
    """One browser context (its own cookies) on the test app."""

    origin: str
    idp: ServerProcess
    page: Page

    def url(self, client: str = "spa", fragment: str = "", **options: str) -> str:
        query = urlencode({"url": self.idp.base_url, "realm": REALM, "client": client, **options})
        return f"{self.origin}/index.html?{query}" + (f"#{fragment}" if fragment else "")


@pytest.fixture
def app(chromium: Browser, idp: ServerProcess, app_origin: str) -> Iterator[App]:  # noqa: F811 (pytest fixture)
    context = chromium.new_context()
    page = context.new_page()
    yield App(app_origin, idp, page)
    context.close()
