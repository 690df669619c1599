"""No authorization request reaches a 500, and none redirects where the client did not register.

Hypothesis draws odd, encoded and malformed values for ``redirect_uri``, ``scope``, ``state``,
``nonce``, ``response_type``, ``response_mode``, ``prompt`` and ``max_age`` and sends them to a
real server, with and without an SSO session, to clients registered with an exact URI, a path
wildcard, a loopback URI, a relative URI and ``*``. Every answer must be a page (HTML, 200 or
4xx) or a redirect whose target is the requested ``redirect_uri`` and is allowed by the
registration as this test reads it; the shared server's log must hold no traceback at the end.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.e2e.broker.seed import Admin
from tests.e2e.harness import ServerProcess
from tests.e2e.oidc.browser import parse_login_form, submit_login

PASSWORD = "prop-password"
ROOT = "http://app.example:8000"
# clientId -> (registered redirect URIs, what a redirect target must start with; None: anything)
CLIENTS: dict[str, tuple[list[str], tuple[str, ...] | None]] = {
    "exact": (["http://app.example:8000/cb"], ("http://app.example:8000/cb",)),
    "wild": (["http://app.example:8000/app/*"], ("http://app.example:8000/app",)),
    "loopback": (["http://127.0.0.1/cb"], ("http://127.0.0.1",)),
    "relative": (["/rel/*"], (ROOT + "/rel",)),
    "star": (["*"], None),
}

ODD = [
    "%",
    "%40",
    "%2540",
    "%2e%2e",
    "%00",
    "%0a",
    "\x00",
    "\n",
    "\t",
    " ",
    "@",
    "#",
    "?",
    "&",
    "=",
    "\\",
    "/",
    "//",
    "..",
    ":",
    "[",
    "]",
    "*",
    "é",
    "\u202e",
    "%ZZ",
    "javascript:",
    "data:",
    "evil.example",
]
PIECES = st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=3)), max_size=5).map("".join)
BASES = st.sampled_from(
    [
        "",
        "http://app.example:8000/cb",
        "http://app.example:8000/app/",
        "http://127.0.0.1:9",
        "http://127.0.0.1",
        "/rel/",
        "http://",
        "https://[::1",
        "HTTP://APP.EXAMPLE:8000/cb",
        "javascript:alert(1)//",
    ]
)
REDIRECT_URIS = st.one_of(st.tuples(BASES, PIECES).map("".join), PIECES, st.none())
RESPONSE_TYPES = st.one_of(
    st.sampled_from(["code", "token", "id_token", "code id_token", "id_token token", "none", "code token", ""]),
    PIECES,
    st.none(),
)
PROMPTS = st.one_of(st.sampled_from(["none", "login", "consent", "select_account", "none login", ""]), PIECES)
MAX_AGES = st.one_of(st.sampled_from(["0", "-1", "1e9", "99999999999999999999", "", "1.5"]), PIECES)
OPTIONAL = st.one_of(st.none(), PIECES)


@dataclass(frozen=True)
class Realm:
    server: ServerProcess
    name: str
    sso_cookies: httpx.Cookies

    def auth(self) -> str:
        return self.server.url(f"/realms/{self.name}/protocol/openid-connect/auth")


@pytest.fixture(scope="module")
def realm(server: ServerProcess) -> Iterator[Realm]:
    admin = Admin(server)
    name = "prop" + secrets.token_hex(4)
    admin.realm(name)
    for client_id, (uris, _) in CLIENTS.items():
        client = {"clientId": client_id, "publicClient": True, "redirectUris": uris, "rootUrl": ROOT}
        admin.call("POST", f"/{name}/clients", 201, json={**client, "implicitFlowEnabled": True})
    admin.user(name, "pat", PASSWORD)
    with httpx.Client(timeout=10.0, follow_redirects=False) as browser:
        query = {"client_id": "exact", "response_type": "code", "redirect_uri": CLIENTS["exact"][0][0]}
        page = browser.get(server.url(f"/realms/{name}/protocol/openid-connect/auth"), params=query)
        done = submit_login(browser, parse_login_form(page.text), "pat", PASSWORD)
        assert done.status_code == 302, done.text
        cookies = httpx.Cookies(browser.cookies)
    yield Realm(server, name, cookies)
    admin.http.close()


def _allowed(client_id: str, target: str) -> bool:
    """Is ``target`` a place this registration may send the browser (the test's own reading)?"""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") and CLIENTS[client_id][1] is not None:
        return False
    if parts.scheme.lower() in ("javascript", "data", "vbscript") or "@" in parts.netloc:
        return False
    prefixes = CLIENTS[client_id][1]
    return prefixes is None or any(target.lower().startswith(p.lower()) for p in prefixes)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    client_id=st.sampled_from([*CLIENTS, "missing"]),
    redirect_uri=REDIRECT_URIS,
    response_type=RESPONSE_TYPES,
    prompt=PROMPTS,
    max_age=st.one_of(st.none(), MAX_AGES),
    scope=st.one_of(st.sampled_from(["openid", "openid profile", "profile"]), OPTIONAL),
    state=OPTIONAL,
    nonce=OPTIONAL,
    response_mode=st.one_of(st.sampled_from(["query", "fragment", "form_post", "jwt"]), OPTIONAL),
    with_session=st.booleans(),
)
def test_no_input_reaches_a_500_or_an_unregistered_redirect(
    realm: Realm,
    client_id: str,
    redirect_uri: str | None,
    response_type: str | None,
    prompt: str,
    max_age: str | None,
    scope: str | None,
    state: str | None,
    nonce: str | None,
    response_mode: str | None,
    with_session: bool,
) -> None:
    drawn = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": response_type,
        "prompt": prompt,
        "max_age": max_age,
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "response_mode": response_mode,
    }
    params = {k: v for k, v in drawn.items() if v is not None}
    cookies = realm.sso_cookies if with_session else None
    with httpx.Client(timeout=10.0, follow_redirects=False, cookies=cookies) as client:
        response = client.get(realm.auth(), params=params)
    assert response.status_code < 500, (params, response.text[:500])
    if response.status_code in (302, 303):
        target = response.headers["location"]
        sent = str(httpx.URL(realm.auth(), params=params).params.get("redirect_uri", ""))
        if sent and not sent.startswith("/"):  # none or relative: the registered one, resolved
            # The Location header percent-encodes what is not ASCII; compare decoded.
            assert unquote(target.split("?")[0].split("#")[0]) == unquote(sent.split("?")[0].split("#")[0]), params
        assert _allowed(client_id, target), (params, target)
    else:
        assert response.headers["content-type"].startswith("text/html"), (params, response.headers)
        for action in re.findall(r'<form[^>]*action="([^"]*)"', response.text):
            target = html.unescape(action)
            if not target.startswith(realm.server.base_url):  # a form_post to the client
                assert _allowed(client_id, target), (params, target)
