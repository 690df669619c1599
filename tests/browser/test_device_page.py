"""The device verification pages in chromium, with screenshots: the code from
``verification_uri_complete``, the ordinary login, the confirmation, then the device's poll."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.harness import ServerProcess, admin_token, start_server

pytestmark = pytest.mark.browser

REALM = "devices"
GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = start_server()
    try:
        rep = {
            "realm": REALM,
            "enabled": True,
            "users": [{"username": "ann", "enabled": True, "credentials": [{"type": "password", "value": "pw-ann"}]}],
            "clients": [
                {
                    "clientId": "tv",
                    "secret": "tv-secret",
                    "attributes": {"oauth2.device.authorization.grant.enabled": "true"},
                }
            ],
        }
        headers = {"authorization": f"Bearer {admin_token(proc)}"}
        assert httpx.post(proc.url("/admin/realms"), json=rep, headers=headers).status_code == 201
        yield proc
    finally:
        proc.stop()


def test_device_login_in_a_browser(chromium: Any, server: ServerProcess, screenshots: Path) -> None:
    oidc = server.url(f"/realms/{REALM}/protocol/openid-connect")
    started = httpx.post(f"{oidc}/auth/device", auth=("tv", "tv-secret")).json()
    page = chromium.new_context().new_page()
    page.goto(started["verification_uri_complete"])
    assert page.input_value("#device-user-code") == started["user_code"]
    page.screenshot(path=str(screenshots / "1-code.png"))
    page.click("#kc-login")
    page.fill("#username", "ann")
    page.fill("#password", "pw-ann")
    page.screenshot(path=str(screenshots / "2-login.png"))
    page.click("#kc-login")
    assert page.inner_text("#device-client") == "tv"
    page.screenshot(path=str(screenshots / "3-confirm.png"))
    page.click("#kc-login")
    assert "Device login successful" in page.inner_text("#device-result")
    page.screenshot(path=str(screenshots / "4-done.png"))
    tokens = httpx.post(
        f"{oidc}/token", data={"grant_type": GRANT, "device_code": started["device_code"]}, auth=("tv", "tv-secret")
    )
    assert tokens.status_code == 200 and tokens.json()["token_type"] == "Bearer"
