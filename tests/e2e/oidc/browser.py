"""A minimal "browser" for the login form: follows the code flow the way a user agent would."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from tests.e2e.harness import ServerProcess

REALM = "oidc-test"
CLIENT_ID = "web-app"
SECRET = "web-app-s3cret+/%"
REDIRECT_URI = "http://127.0.0.1:9999/callback"


def oidc_url(server: ServerProcess, path: str, realm: str = REALM) -> str:
    """The URL of ``realm``'s ``openid-connect`` endpoint ``path`` on ``server``."""
    return server.url(f"/realms/{realm}/protocol/openid-connect/{path}")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def auth_url(base: str, **params: str) -> str:
    query = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": REDIRECT_URI,
        "state": "st-1",
        "nonce": "n-1",
        **params,
    }
    return f"{base}/realms/{REALM}/protocol/openid-connect/auth?{urlencode(query)}"


@dataclass
class LoginForm:
    action: str
    csrf: str
    username: str
    html: str


def parse_login_form(page: str) -> LoginForm:
    form = re.search(r'<form id="kc-form-login"[^>]*action="([^"]+)"[^>]*method="post"', page)
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', page)
    username = re.search(r'name="username" type="text" value="([^"]*)"', page)
    assert form and csrf and username, page
    return LoginForm(html.unescape(form.group(1)), csrf.group(1), html.unescape(username.group(1)), page)


def submit_login(browser: httpx.Client, form: LoginForm, username: str, password: str) -> httpx.Response:
    return browser.post(form.action, data={"username": username, "password": password, "csrf_token": form.csrf})


def callback_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI)
    parts = urlsplit(location)
    return {k: v[0] for k, v in parse_qs(parts.query or parts.fragment).items()}


def login(browser: httpx.Client, url: str, username: str = "alice", password: str = "alice-password") -> dict[str, str]:
    page = browser.get(url)
    assert page.status_code == 200, page.text
    return callback_params(submit_login(browser, parse_login_form(page.text), username, password))
