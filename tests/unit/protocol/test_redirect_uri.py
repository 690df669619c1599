"""Redirect URI matching, as Keycloak's RedirectUtils does it (table of cases)."""

from __future__ import annotations

import pytest

from realmgate.model.client import Client
from realmgate.protocol.errors import InvalidRedirectUri
from realmgate.protocol.redirect_uri import origin_allowed, resolve_web_origins, verify_redirect_uri


def _client(*uris: str, root: str | None = None, origins: tuple[str, ...] = ()) -> Client:
    return Client(id="c", realm_id="r", client_id="app", redirect_uris=uris, root_url=root, web_origins=origins)


ACCEPTED = [
    (("https://app.example/cb",), None, "https://app.example/cb"),
    (("https://app.example/cb",), None, "https://APP.example/cb"),  # host is case-insensitive
    (("https://app.example/*",), None, "https://app.example/any/path?x=1"),
    (("https://app.example/cb/*",), None, "https://app.example/cb"),  # wildcard without the slash
    (("*",), None, "https://anything.example/x"),
    (("/cb",), "https://root.example", "https://root.example/cb"),
    (("/app/*",), "https://root.example/", "https://root.example/app/x"),
    (("http://127.0.0.1/cb",), None, "http://127.0.0.1:53121/cb"),  # RFC 8252 loopback port
    (("myapp://callback",), None, "myapp://callback"),
    (("http://[::1]/cb",), None, "http://[::1]:8123/cb"),
    (("https://app.example/*",), None, "https://app.example/cb#frag"),  # keycloak-js keeps the app's fragment
]

REFUSED = [
    (("https://app.example/cb",), None, "https://app.example/cb2"),
    (("https://app.example/cb",), None, "https://app.example/cb?x=1"),  # exact needs exact query
    (("https://app.example/cb",), None, "http://app.example/cb"),
    (("https://app.example/app/*",), None, "https://app.example/app/%2e%2e/evil"),
    (("https://app.example/app/*",), None, "https://app.example/app/../evil"),
    (("https://app.example/cb",), None, "https://app.example/cb#frag"),  # exact needs the fragment too
    (("https://app.example/cb?a=*",), None, "https://app.example/cb?a=b"),  # no wildcard after ?
    (("/cb",), None, "https://root.example/cb"),  # relative needs a root URL
    ((), None, "https://app.example/cb"),
    (("http://127.0.0.1/cb",), None, "http://127.0.0.2:8000/cb"),
    # Malformed URIs are refused whatever is registered, even "*" (they must not raise either).
    (("http://127.0.0.1:9/*",), None, "http://127.0.0.1:9%40evil.example/cb"),
    (("*",), None, "http://127.0.0.1:9%40evil.example/cb"),
    (("*",), None, "http://user:pw@app.example/cb"),
    (("*",), None, "http://127.0.0.1:9x/cb"),
    (("*",), None, "http://127.0.0.1:99999/cb"),
    (("http://127.0.0.1/cb",), None, "http://127.0.0.1:9t/cb"),
    (("*",), None, "javascript:alert(1)"),
    (("*",), None, "JavaScript:alert(1)"),
    (("*",), None, "data:text/html,x"),
    (("*",), None, "https://app.example/cb\n"),
    (("*",), None, "https://app.example/c b"),
    (("*",), None, "https:///cb"),
    (("*",), None, "http://127.0.0.1:9v~[::1]/cb"),
    (("*",), None, "http://[::1/cb"),
]


@pytest.mark.parametrize(("registered", "root", "requested"), ACCEPTED)
def test_accepted(registered: tuple[str, ...], root: str | None, requested: str) -> None:
    assert verify_redirect_uri(requested, _client(*registered, root=root), required=True, base_url=None)


@pytest.mark.parametrize(("registered", "root", "requested"), REFUSED)
def test_refused(registered: tuple[str, ...], root: str | None, requested: str) -> None:
    with pytest.raises(InvalidRedirectUri):
        verify_redirect_uri(requested, _client(*registered, root=root), required=True, base_url=None)


def test_missing_redirect_uri_uses_the_single_registered_one_for_plain_oauth() -> None:
    assert verify_redirect_uri(None, _client("https://a/cb"), required=False, base_url=None) == "https://a/cb"


@pytest.mark.parametrize("registered", [("https://a/cb", "https://b/cb"), ("https://a/*",)])
def test_missing_redirect_uri_refused_when_ambiguous(registered: tuple[str, ...]) -> None:
    with pytest.raises(InvalidRedirectUri):
        verify_redirect_uri(None, _client(*registered), required=False, base_url=None)


def test_missing_redirect_uri_refused_for_openid_requests() -> None:
    with pytest.raises(InvalidRedirectUri):
        verify_redirect_uri(None, _client("https://a/cb"), required=True, base_url=None)


def test_relative_requested_uri_is_resolved_against_root() -> None:
    client = _client("/cb", root="https://root.example")
    assert verify_redirect_uri("/cb", client, required=True, base_url=None) == "https://root.example/cb"


def test_web_origins_plus_means_redirect_uri_origins() -> None:
    client = _client("https://a.example/cb/*", "http://localhost:3000/x", origins=("+", "https://c.example/"))
    assert resolve_web_origins(client, None) == ["http://localhost:3000", "https://a.example", "https://c.example"]
    assert origin_allowed("https://a.example", client, None)
    assert not origin_allowed("https://evil.example", client, None)


def test_web_origin_star_allows_all() -> None:
    assert origin_allowed("https://x.example", _client(origins=("*",)), None)


def test_root_url_placeholders_are_the_servers_base_url() -> None:
    """The built-in consoles' root URLs (``${authBaseUrl}``, ``${authAdminUrl}``) resolve against
    the server's base URL; unknown, their relative URIs match nothing."""
    account = _client("/realms/demo/account/*", root="${authBaseUrl}", origins=("+",))
    admin = _client("/admin/demo/console/*", root="${authAdminUrl}")
    base = "http://id.example:8080"
    uri = "http://id.example:8080/realms/demo/account/#/"
    assert verify_redirect_uri(uri.split("#")[0], account, required=True, base_url=base)
    assert verify_redirect_uri("/admin/demo/console/", admin, required=True, base_url=base) == (
        "http://id.example:8080/admin/demo/console/"
    )
    with pytest.raises(InvalidRedirectUri):
        verify_redirect_uri("http://evil.example/realms/demo/account/", account, required=True, base_url=base)
    with pytest.raises(InvalidRedirectUri):
        verify_redirect_uri("http://id.example:8080/realms/demo/account/", account, required=True, base_url=None)
    assert resolve_web_origins(account, base) == ["http://id.example:8080"]
    assert resolve_web_origins(account, None) == []
