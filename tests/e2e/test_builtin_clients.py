"""The built-in console clients resolve their ``${authBaseUrl}``/``${authAdminUrl}`` root URLs
against the server's own URL, so a login for them can start (and a foreign redirect cannot)."""

from __future__ import annotations

import httpx
import pytest
from tests.e2e.harness import ServerProcess
from tests.e2e.oidc.browser import pkce_pair


@pytest.mark.parametrize(
    ("client_id", "path"),
    [("account-console", "/realms/master/account/"), ("security-admin-console", "/admin/master/console/")],
)
def test_console_clients_accept_their_own_redirect_uri(server: ServerProcess, client_id: str, path: str) -> None:
    _, challenge = pkce_pair()
    query = {
        "client_id": client_id,
        "response_type": "code",
        "scope": "openid",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    auth = server.url("/realms/master/protocol/openid-connect/auth")
    page = httpx.get(auth, params={**query, "redirect_uri": server.url(path)})
    assert page.status_code == 200 and 'id="kc-form-login"' in page.text, page.text
    foreign = httpx.get(auth, params={**query, "redirect_uri": "http://evil.example" + path})
    assert foreign.status_code == 400 and "Invalid parameter: redirect_uri" in foreign.text
