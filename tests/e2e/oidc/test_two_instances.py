"""Two server instances on one PostgreSQL database: any instance finishes what another began."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from tests.e2e.harness import ServerProcess, free_port
from tests.e2e.oidc.browser import (
    CLIENT_ID,
    REDIRECT_URI,
    SECRET,
    auth_url,
    callback_params,
    oidc_url,
    parse_login_form,
    pkce_pair,
)
from tests.e2e.oidc.conftest import REALM_FILE

pytestmark = pytest.mark.postgres


def test_login_begun_on_one_instance_finishes_on_the_other(start_server: Callable[..., ServerProcess]) -> None:
    port = free_port()
    public = f"http://127.0.0.1:{port}"  # one public URL (a load balancer would give both this name)
    first = start_server(db="postgres", import_realm=REALM_FILE, port=port, args=["--hostname", public])
    second = start_server(db_url=first.db_url, args=["--hostname", public])

    verifier, challenge = pkce_pair()
    with httpx.Client(timeout=10.0) as browser:  # cookies are per host, not per port
        page = browser.get(auth_url(first.base_url, code_challenge=challenge, code_challenge_method="S256"))
        form = parse_login_form(page.text)
        action = form.action.replace(first.base_url, second.base_url)
        posted = browser.post(action, data={"username": "alice", "password": "alice-password", "csrf_token": form.csrf})
        params = callback_params(posted)

    tokens = httpx.post(
        oidc_url(first, "token"),
        auth=(CLIENT_ID, SECRET),
        data={
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
    ).json()
    bearer = {"authorization": f"Bearer {tokens['access_token']}"}
    assert httpx.get(oidc_url(second, "userinfo"), headers=bearer).status_code == 200

    # Logging out on one instance ends the session on both.
    logout = httpx.post(
        oidc_url(second, "logout"), auth=(CLIENT_ID, SECRET), data={"refresh_token": tokens["refresh_token"]}
    )
    assert logout.status_code == 204
    assert httpx.get(oidc_url(first, "userinfo"), headers=bearer).status_code == 401
    refresh = httpx.post(
        oidc_url(first, "token"),
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refresh.json()["error_description"] == "Session not active"
