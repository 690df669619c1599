"""Self-registration in chromium, with screenshots: the login page's "Register" link, a form
refused with its problem shown by the field, then the registration that signs the user in and
sends the browser back to the client with a code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from tests.e2e.harness import ServerProcess, admin_token, start_server

pytestmark = pytest.mark.browser

REALM = "signup"
REDIRECT_URI = "http://127.0.0.1:9/callback"  # nothing listens: the test reads the URL


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = start_server()
    try:
        rep = {
            "realm": REALM,
            "enabled": True,
            "registrationAllowed": True,
            "clients": [{"clientId": "spa", "publicClient": True, "redirectUris": [REDIRECT_URI]}],
        }
        headers = {"authorization": f"Bearer {admin_token(proc)}"}
        assert httpx.post(proc.url("/admin/realms"), json=rep, headers=headers).status_code == 201
        yield proc
    finally:
        proc.stop()


def test_register_in_a_browser(chromium: Any, server: ServerProcess, screenshots: Path) -> None:
    query = urlencode({"client_id": "spa", "response_type": "code", "scope": "openid", "redirect_uri": REDIRECT_URI})
    page = chromium.new_context().new_page()
    page.goto(server.url(f"/realms/{REALM}/protocol/openid-connect/auth?{query}"))
    page.screenshot(path=str(screenshots / "1-login.png"))
    page.click("#kc-registration-link")
    for field, value in {"firstName": "Nora", "lastName": "New", "email": "nora@example.org"}.items():
        page.fill(f"#{field}", value)
    page.fill("#username", "nora")
    page.fill("#password", "Nora-pass-1")
    page.fill("#password-confirm", "typo")
    page.click("#kc-register")
    assert page.inner_text("#input-error-password-confirm") == "Password confirmation doesn't match."
    assert page.input_value("#email") == "nora@example.org" and page.input_value("#password") == ""
    page.screenshot(path=str(screenshots / "2-refused.png"))
    page.fill("#password", "Nora-pass-1")
    page.fill("#password-confirm", "Nora-pass-1")
    with page.expect_request(lambda r: r.url.startswith(REDIRECT_URI)) as sent:
        page.click("#kc-register")
    assert parse_qs(urlsplit(sent.value.url).query)["code"][0]
