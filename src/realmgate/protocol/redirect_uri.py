"""Redirect URI matching, with Keycloak's rules.

A client registers "Valid redirect URIs". A requested ``redirect_uri`` is accepted when it
equals one of them, or starts with the part before a trailing ``*`` wildcard (the query is
ignored for wildcard matches, and ``https://app/x/*`` also accepts ``https://app/x``).
Registered URIs starting with ``/`` are relative to the client's root URL; ``*`` alone accepts
anything. A loopback ``http://127.0.0.1`` registration accepts any port (RFC 8252 §7.3).
Without ``redirect_uri``, a non-OIDC request may use the single registered URI when it has no
wildcard. The hostname is compared case-insensitively; encoded dot-segments are refused so that
``/app/%2e%2e/evil`` cannot climb out of a wildcard prefix. A fragment is part of the compared
URI, as in Keycloak: keycloak-js sends the app's own URL (``#section`` included) and gets its
fragment back with the response appended.

Every failure is ``InvalidRedirectUri``: the caller shows an error page and never redirects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import unquote, urlsplit, urlunsplit

from realmgate.model.client import Client
from realmgate.protocol.errors import InvalidRedirectUri

_LOOPBACK_HOSTS = ("127.0.0.1", "[::1]", "localhost")


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


def _lower_host(uri: str) -> str:
    parts = urlsplit(uri)
    if not parts.netloc:
        return uri
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, parts.fragment))


def _has_dot_segments(uri: str) -> bool:
    decoded = uri
    for _ in range(5):  # nested encodings: %252e%252e
        again = unquote(decoded)
        if again == decoded:
            break
        decoded = again
    path = urlsplit(decoded).path
    return any(segment in (".", "..") for segment in path.split("/"))


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
    """True when ``requested`` is allowed by the registered list (already-lowered host)."""
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


def verify_redirect_uri(requested: str | None, client: Client, *, required: bool) -> str:
    """The redirect URI to use for ``client``, or ``InvalidRedirectUri``.

    ``required`` is true for OIDC requests (scope contains ``openid``): OIDC Core §3.1.2.1
    makes the parameter mandatory there.
    """
    if requested is None:
        single = None if required else _single_registered(client.redirect_uris, client.root_url)
        if single is None:
            raise InvalidRedirectUri("Invalid parameter: redirect_uri", detail="redirect_uri missing")
        return single
    if _has_dot_segments(requested):
        raise InvalidRedirectUri("Invalid parameter: redirect_uri", detail="dot segment")
    absolute = requested
    if requested.startswith("/"):
        if not client.root_url:
            raise InvalidRedirectUri("Invalid parameter: redirect_uri", detail="relative without root URL")
        absolute = client.root_url.rstrip("/") + requested
    parts = urlsplit(absolute)
    if not parts.scheme or (parts.scheme in ("http", "https") and not parts.netloc):
        raise InvalidRedirectUri("Invalid parameter: redirect_uri", detail="not an absolute URI")
    if not match_redirect_uri(absolute, client.redirect_uris, client.root_url):
        raise InvalidRedirectUri("Invalid parameter: redirect_uri", detail=f"not registered: {requested}")
    return absolute


def resolve_web_origins(client: Client) -> list[str]:
    """The client's allowed CORS origins: ``+`` means the origins of its redirect URIs."""
    origins: list[str] = []
    for origin in client.web_origins:
        if origin == "+":
            for uri in resolve_registered(client.redirect_uris, client.root_url):
                parts = urlsplit(uri)
                if parts.scheme in ("http", "https") and parts.netloc and "*" not in parts.netloc:
                    origins.append(f"{parts.scheme}://{parts.netloc}")
        elif origin:
            origins.append(origin.rstrip("/"))
    return sorted(set(origins))


def origin_allowed(origin: str, client: Client) -> bool:
    allowed = resolve_web_origins(client)
    return "*" in allowed or origin.rstrip("/") in allowed
