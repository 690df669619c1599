"""Redirect URI matching, with Keycloak's rules.

A client registers "Valid redirect URIs". A requested ``redirect_uri`` is accepted when it
equals one of them, or starts with the part before a trailing ``*`` wildcard (the query is
ignored for wildcard matches, and ``https://app/x/*`` also accepts ``https://app/x``).
Registered URIs starting with ``/`` are relative to the client's root URL; ``*`` alone accepts
anything. A loopback ``http://127.0.0.1`` registration accepts any port (RFC 8252 §7.3).
Without ``redirect_uri``, a non-OIDC request may use the single registered URI when it has no
wildcard. The hostname is compared case-insensitively; encoded dot-segments are refused so that
``/app/%2e%2e/evil`` cannot climb out of a wildcard prefix, and a URI no browser would follow
safely (script schemes, user info, a bad port, control characters) is refused even under ``*``.
A fragment is part of the compared URI, as in Keycloak: keycloak-js sends the app's own URL
(``#section`` included) and gets its fragment back with the response appended.

Every failure is ``InvalidRedirectUri``: the caller shows an error page and never redirects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from realmgate.model.client import Client
from realmgate.protocol.errors import InvalidRedirectUri

_LOOPBACK_HOSTS = ("127.0.0.1", "[::1]", "localhost")
# Keycloak's placeholders in a client's root URL (the built-in account and admin consoles use
# them): the server's own base URL, as the request sees it. realmgate has no separate admin URL.
_BASE_PLACEHOLDERS = ("${authBaseUrl}", "${authAdminUrl}")
_SCRIPT_SCHEMES = ("javascript", "data", "vbscript")
# host[:port] only: a name of unreserved and sub-delimiter characters (RFC 3986 §3.2.2, without
# percent-encoding) or a bracketed IPv6 address. No user info, so "@" never appears.
_AUTHORITY = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?")


def base_url_of(issuer: str) -> str:
    """The server's base URL (``http://host:8080``) from a realm's issuer URL."""
    return issuer.rsplit("/realms/", 1)[0]


def client_root_url(client: Client, base_url: str | None) -> str | None:
    """The client's root URL, ``${authBaseUrl}``/``${authAdminUrl}`` replaced by ``base_url``
    (None when it is unknown: relative redirect URIs then match nothing)."""
    root = client.root_url
    for placeholder in _BASE_PLACEHOLDERS:
        if root and root.startswith(placeholder):
            return None if base_url is None else base_url.rstrip("/") + root[len(placeholder) :]
    return root


def resolve_registered(registered: Iterable[str], root_url: str | None) -> list[str]:
    """Registered URIs with relative ones (``/path``) made absolute against the root URL."""
    resolved: list[str] = []
    for uri in registered:
        if uri.startswith("/"):
            if root_url:
                resolved.append(root_url.rstrip("/") + uri)
        elif uri:
            resolved.append(uri)
    return resolved


def _split(uri: str) -> SplitResult | None:
    """``urlsplit``, or None where it refuses (``http://[::1``): a registered URI may be bad too."""
    try:
        return urlsplit(uri)
    except ValueError:
        return None


def _lower_host(uri: str) -> str:
    parts = _split(uri)
    if parts is None or not parts.netloc:
        return uri
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, parts.fragment))


def _has_dot_segments(uri: str) -> bool:
    decoded = uri
    for _ in range(5):  # nested encodings: %252e%252e
        again = unquote(decoded)
        if again == decoded:
            break
        decoded = again
    parts = _split(decoded)
    if parts is None:  # decoding made it unparseable (e.g. an unclosed "[" host): refuse
        return True
    return any(segment in (".", "..") for segment in parts.path.split("/"))


def _matches(valid: str, requested: str) -> bool:
    if valid == "*":
        return True
    if valid.endswith("*") and "?" not in valid:
        without_query = requested.split("?", 1)[0]
        prefix = valid[:-1]
        if without_query.startswith(prefix):
            return True
        return prefix.endswith("/") and without_query == prefix[:-1]
    return valid == requested


def _without_loopback_port(uri: str) -> str | None:
    parts = urlsplit(uri)
    if parts.scheme != "http" or parts.port is None:
        return None
    host = parts.netloc.rsplit(":", 1)[0]
    if host not in _LOOPBACK_HOSTS:
        return None
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def match_redirect_uri(requested: str, registered: Sequence[str], root_url: str | None) -> bool:
    """True when ``requested`` is well formed and allowed by the registered list."""
    return _malformed(requested) is None and _registered(requested, registered, root_url)


def _registered(requested: str, registered: Sequence[str], root_url: str | None) -> bool:
    """``match_redirect_uri`` for a URI already known to be well formed."""
    valid = [_lower_host(v) for v in resolve_registered(registered, root_url)]
    candidate = _lower_host(requested)
    if any(_matches(v, candidate) for v in valid):
        return True
    portless = _without_loopback_port(candidate)
    return portless is not None and any(v == portless for v in valid)


def _single_registered(registered: Sequence[str], root_url: str | None) -> str | None:
    resolved = resolve_registered(registered, root_url)
    if len(resolved) != 1 or "*" in resolved[0]:
        return None
    return resolved[0]


def _malformed(uri: str) -> str | None:
    """Why ``uri`` cannot be redirected to whatever is registered (``*`` included), or None.

    Refused: no scheme; a script scheme; white space or control characters; for http(s), an
    authority that is not ``host[:port]``: no host, a port that is not a number below 65536,
    user info, percent-encoding (``http://app:9%40evil.example/`` is a redirect to
    evil.example for some parsers)."""
    parts = _split(uri)
    if parts is None:
        return "not a URI"
    scheme = parts.scheme.lower()
    if not scheme:
        return "not an absolute URI"
    if scheme in _SCRIPT_SCHEMES:
        return "script scheme"
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in uri):
        return "white space or control character"
    if scheme not in ("http", "https"):
        return None
    authority = _AUTHORITY.fullmatch(parts.netloc)
    if authority is None:
        return "not a host[:port] authority"
    if authority["port"] and int(authority["port"]) > 65535:
        return "bad port"
    return None


def verify_redirect_uri(requested: str | None, client: Client, *, required: bool, base_url: str | None) -> str:
    """The redirect URI to use for ``client``, or ``InvalidRedirectUri``.

    ``required`` is true for OIDC requests (scope contains ``openid``): OIDC Core §3.1.2.1
    makes the parameter mandatory there. ``base_url`` is the server's, for root URLs written
    with ``${authBaseUrl}``.
    """
    root_url = client_root_url(client, base_url)
    if requested is None:
        single = None if required else _single_registered(client.redirect_uris, root_url)
        if single is None:
            raise InvalidRedirectUri("Invalid parameter: redirect_uri", detail="redirect_uri missing")
        return single
    absolute = requested
    if requested.startswith("/"):
        if not root_url:
            raise InvalidRedirectUri("Invalid parameter: redirect_uri", detail="relative without root URL")
        absolute = root_url.rstrip("/") + requested
    problem = _malformed(absolute)
    if problem is not None:
        raise InvalidRedirectUri("Invalid parameter: redirect_uri", detail=problem)
    if _has_dot_segments(requested):
        raise InvalidRedirectUri("Invalid parameter: redirect_uri", detail="dot segment")
    if not _registered(absolute, client.redirect_uris, root_url):
        raise InvalidRedirectUri("Invalid parameter: redirect_uri", detail=f"not registered: {requested}")
    return absolute


def resolve_web_origins(client: Client, base_url: str | None) -> list[str]:
    """The client's allowed CORS origins: ``+`` means the origins of its redirect URIs."""
    origins: list[str] = []
    for origin in client.web_origins:
        if origin == "+":
            for uri in resolve_registered(client.redirect_uris, client_root_url(client, base_url)):
                parts = _split(uri)
                if parts and parts.scheme in ("http", "https") and parts.netloc and "*" not in parts.netloc:
                    origins.append(f"{parts.scheme}://{parts.netloc}")
        elif origin:
            origins.append(origin.rstrip("/"))
    return sorted(set(origins))


def origin_allowed(origin: str, client: Client, base_url: str | None) -> bool:
    allowed = resolve_web_origins(client, base_url)
    return "*" in allowed or origin.rstrip("/") in allowed
