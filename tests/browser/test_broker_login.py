"""Seed 000 in a real browser: "Sign in with slave" on the master's login page, the slave's
login form, review profile, the application gets its code; then logout at the master ends the
slave's session. Screenshots of every page in ``test-artifacts/browser/``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.e2e.broker.seed import ALIAS, Seed, configure, start_pair
from tests.e2e.harness import ServerProcess, start_server

from realmgate.crypto import jws

pytestmark = pytest.mark.browser


class _App(BaseHTTPRequestHandler):
    """The relying party's landing pages: shows what it received."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        body = f"<html><body><h1 id='app'>App</h1><p id='path'>{urlsplit(self.path).path}</p></body></html>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.end_headers()
        self.wfile.write(body.encode())


@pytest.fixture(scope="module")
def app_base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def seed(app_base: str) -> Iterator[Seed]:
    started: list[ServerProcess] = []

    def start(**kwargs: Any) -> ServerProcess:
        started.append(start_server(**kwargs))
        return started[-1]

    try:
        master, slave = start_pair(start)
        yield configure(master, slave, app_redirect=f"{app_base}/callback", app_logged_out=f"{app_base}/bye")
    finally:
        for proc in started:
            proc.stop()


def test_broker_login_and_logout_in_chromium(chromium: Any, seed: Seed, app_base: str, screenshots: Path) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.goto(seed.auth_url())
    page.screenshot(path=str(screenshots / "1-master-login.png"))
    page.click(f"#social-{ALIAS}")
    page.wait_for_selector("#kc-form-login")
    assert f"localhost:{seed.slave.port}" in page.url
    page.screenshot(path=str(screenshots / "2-slave-login.png"))
    page.fill("#username", "slave_user")
    page.fill("#password", "slave_password")
    page.click("#kc-login")
    page.wait_for_selector("#kc-idp-review-profile-form")
    page.fill("#email", "slave_user@example.org")
    page.fill("#firstName", "Slave")
    page.fill("#lastName", "User")
    page.screenshot(path=str(screenshots / "3-review-profile.png"))
    page.click("#kc-submit")
    page.wait_for_selector("#app")
    page.screenshot(path=str(screenshots / "4-app.png"))
    query = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    assert page.url.startswith(f"{app_base}/callback") and query["state"] == "app-state"
    tokens = seed.exchange(query["code"])
    assert jws.unverified_claims(tokens["id_token"])["preferred_username"] == "slave_user"
    slave_user = seed.slave_admin.find_user("slave_realm", "slave_user")
    sessions = f"/slave_realm/users/{slave_user['id']}/sessions"
    assert len(seed.slave_admin.call("GET", sessions, 200).json()) == 1
    logout = seed.master_realm + "/protocol/openid-connect/logout"
    page.goto(f"{logout}?id_token_hint={tokens['id_token']}&post_logout_redirect_uri={app_base}/bye")
    page.wait_for_selector("#app")
    page.screenshot(path=str(screenshots / "5-logged-out.png"))
    assert page.url.startswith(f"{app_base}/bye")
    assert seed.slave_admin.call("GET", sessions, 200).json() == []
    context.close()
