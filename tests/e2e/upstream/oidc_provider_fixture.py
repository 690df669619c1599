"""npm ``oidc-provider`` (OpenID certified) as a real third-party upstream for broker tests.

``start_oidc_provider(...)`` installs the pinned npm packages when they are missing, starts
``provider.mjs`` as a subprocess on a loopback port and waits for it; ``OidcProvider.login``
walks its development login pages with an httpx client, the way a browser would, and returns
the redirect back to the broker. The ``oidc_provider`` fixture stops every provider it started.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

HERE = Path(__file__).resolve().parent
START_TIMEOUT = 20.0


def ensure_installed() -> None:
    """``npm ci`` from the lock file when ``node_modules`` lacks oidc-provider."""
    if (HERE / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("node and npm are needed for the oidc-provider upstream")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300, capture_output=True)


@dataclass
class OidcProvider:
    process: subprocess.Popen[bytes]
    port: int
    issuer: str
    log_path: Path
    stopped: bool = field(default=False)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def url(self, path: str) -> str:
        return self.issuer + path

    def rotate_keys(self) -> list[str]:
        """A new signing key first; returns the kids, newest first."""
        kids: list[str] = httpx.post(self.url("/__control/rotate"), timeout=10).json()["kids"]
        return kids

    def login(self, client: httpx.Client, authorization_url: str, login: str, password: str = "pw") -> str:
        """Follow the authorization URL through the login page; returns the URL the provider
        finally redirects to outside itself (the broker's callback, with ``code`` and ``state``
        or ``error``)."""
        url = authorization_url
        for _ in range(10):
            response = client.get(url, follow_redirects=False)
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                if not url.startswith(self.issuer):
                    return url
                continue
            form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            if form is None:
                raise AssertionError(f"no login form at {urlsplit(url).path}: {response.status_code}")
            posted = client.post(
                urljoin(url, form.group(1)),
                data={"prompt": "login", "login": login, "password": password},
                follow_redirects=False,
            )
            url = urljoin(url, posted.headers["location"])
            if not url.startswith(self.issuer):
                return url
        raise AssertionError("too many redirects at the upstream")

    def logout(self, client: httpx.Client, logout_url: str) -> str:
        """Open the end-session URL, confirm "Yes, sign me out", and return where the provider
        sends the browser afterwards (``post_logout_redirect_uri``)."""
        page = client.get(logout_url, follow_redirects=True)
        form = re.search(r'<form[^>]*action="([^"]+)"', page.text)
        if form is None:
            raise AssertionError(f"no logout form: {page.status_code}")
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        confirmed = client.post(
            urljoin(str(page.url), form.group(1)), data={**fields, "logout": "yes"}, follow_redirects=False
        )
        location = urljoin(str(page.url), confirmed.headers["location"])
        while location.startswith(self.issuer):
            confirmed = client.get(location, follow_redirects=False)
            location = urljoin(location, confirmed.headers["location"])
        return location

    def has_session(self, client: httpx.Client, client_id: str, redirect_uri: str) -> bool:
        """Whether the provider still has a session for the browser ``client``: ``prompt=none``
        answers with a code if it does, ``login_required`` if not."""
        params = {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "openid",
            "prompt": "none",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
        url = str(httpx.URL(self.url("/auth"), params=params))
        while url.startswith(self.issuer):
            response = client.get(url, follow_redirects=False)
            assert response.is_redirect, response.text
            url = urljoin(url, response.headers["location"])
        answer = dict(httpx.URL(url).params)
        assert "code" in answer or answer.get("error") == "login_required", url
        return "code" in answer

    def abort_url(self, client: httpx.Client, authorization_url: str) -> str:
        """Start a login and cancel it at the login page: the redirect carries ``error=access_denied``."""
        response = client.get(authorization_url, follow_redirects=True)
        match = re.search(r'href="([^"]*/abort)"', response.text)
        if match is None:
            raise AssertionError("no abort link on the login page")
        aborted = client.get(urljoin(str(response.url), match.group(1)), follow_redirects=False)
        location = urljoin(str(response.url), aborted.headers["location"])
        while location.startswith(self.issuer):
            aborted = client.get(location, follow_redirects=False)
            location = urljoin(location, aborted.headers["location"])
        return location

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_oidc_provider(
    *,
    client: Mapping[str, Any] | None = None,
    pkce_required: bool = False,
    conform_id_token_claims: bool = False,
    accounts: Mapping[str, Mapping[str, Any]] | None = None,
    port: int = 0,
) -> OidcProvider:
    """Start ``provider.mjs`` with one client (see its header for the options)."""
    ensure_installed()
    options = {
        "port": port,
        "client": dict(client or {}),
        "pkceRequired": pkce_required,
        "conformIdTokenClaims": conform_id_token_claims,
        "accounts": dict(accounts or {}),
    }
    fd, log_name = tempfile.mkstemp(prefix="oidc-provider-", suffix=".log")
    log = Path(log_name)
    with os.fdopen(fd, "wb") as stderr:
        process = subprocess.Popen(
            ["node", str(HERE / "provider.mjs"), json.dumps(options)],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
    line = process.stdout.readline().decode() if ready else ""  # one line, once it listens
    if not line.startswith("READY "):
        process.kill()
        process.wait()
        process.stdout.close()
        raise RuntimeError(f"oidc-provider did not start: {line!r} {log.read_text()[-2000:]}")
    _, port_text, issuer = line.split()
    return OidcProvider(process=process, port=int(port_text), issuer=issuer, log_path=log)


@pytest.fixture
def oidc_provider() -> Iterator[Callable[..., OidcProvider]]:
    """A factory: ``oidc_provider(client={...}, pkce_required=True)``; all are stopped after."""
    started: list[OidcProvider] = []

    def start(**kwargs: Any) -> OidcProvider:
        provider = start_oidc_provider(**kwargs)
        started.append(provider)
        return provider

    yield start
    for provider in started:
        provider.stop()
