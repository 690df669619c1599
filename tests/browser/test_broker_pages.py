"""The first-broker-login and failure pages in chromium, with screenshots: "account already
exists" -> re-authenticate with the existing password -> linked; a cancelled upstream login
back on the login page; an unreachable upstream's error page with "Try again"."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.broker.fake_upstream import FakeUpstream, fake_upstream
from tests.e2e.broker.seed import Admin
from tests.e2e.harness import start_server

pytestmark = pytest.mark.browser

REALM = "pages"


class _App(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body><h1 id='app'>App</h1></body></html>")


@pytest.fixture(scope="module")
def env() -> Iterator[tuple[Admin, FakeUpstream, str]]:
    app = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    app_url = f"http://127.0.0.1:{app.server_address[1]}/callback"
    server = start_server()
    try:
        admin = Admin(server)
        admin.realm(REALM)
        admin.client(REALM, "app", [app_url])
        admin.user(REALM, "localdup", "local-password", email="dup@fake.example", firstName="Local", lastName="Dup")
        with fake_upstream() as upstream:
            for mode in ("dup", "denied"):
                rep: dict[str, object] = {"alias": mode, "displayName": f"Fake {mode}", "providerId": "oidc"}
                admin.call(
                    "POST", f"/{REALM}/identity-provider/instances", 201, json={**rep, "config": upstream.config(mode)}
                )
            down = {**upstream.config("down"), "tokenUrl": "http://127.0.0.1:1/token"}
            rep = {"alias": "down", "displayName": "Unreachable", "providerId": "oidc", "config": down}
            admin.call("POST", f"/{REALM}/identity-provider/instances", 201, json=rep)
            yield admin, upstream, app_url
    finally:
        server.stop()
        app.shutdown()
        app.server_close()


def _auth_url(admin: Admin, app_url: str, hint: str | None = None) -> str:
    params = {"client_id": "app", "redirect_uri": app_url, "response_type": "code", "scope": "openid"}
    if hint:
        params["kc_idp_hint"] = hint
    return str(httpx.URL(admin.server.url(f"/realms/{REALM}/protocol/openid-connect/auth"), params=params))


def test_confirm_link_and_reauthenticate(
    chromium: Any, env: tuple[Admin, FakeUpstream, str], screenshots: Path
) -> None:
    admin, _, app_url = env
    context = chromium.new_context()
    page = context.new_page()
    page.goto(_auth_url(admin, app_url, hint="dup"))
    page.wait_for_selector("#linkAccount")
    assert "dup@fake.example" in page.inner_text("#instruction")
    page.screenshot(path=str(screenshots / "1-account-exists.png"))
    page.click("#linkAccount")
    page.wait_for_selector("#reauth-username")
    page.fill("#password", "wrong")
    page.click("#kc-login")
    page.wait_for_selector("#input-error")
    page.screenshot(path=str(screenshots / "2-reauth-wrong-password.png"))
    page.fill("#password", "local-password")
    page.click("#kc-login")
    page.wait_for_selector("#app")
    assert page.url.startswith(app_url) and "code=" in page.url
    user = admin.find_user(REALM, "localdup")
    links = admin.call("GET", f"/{REALM}/users/{user['id']}/federated-identity", 200).json()
    assert [link["identityProvider"] for link in links] == ["dup"]
    context.close()


def test_cancelled_and_unreachable(chromium: Any, env: tuple[Admin, FakeUpstream, str], screenshots: Path) -> None:
    admin, _, app_url = env
    context = chromium.new_context()
    page = context.new_page()
    page.goto(_auth_url(admin, app_url))
    page.click("#social-denied")
    page.wait_for_selector("#input-error")
    assert "login cancelled" in page.inner_text("#input-error").lower()
    page.screenshot(path=str(screenshots / "1-login-cancelled.png"))
    page.click("#social-down")
    page.wait_for_selector("#try-again")
    assert "Unreachable" in page.inner_text("#error-message")
    page.screenshot(path=str(screenshots / "2-unreachable.png"))
    context.close()
