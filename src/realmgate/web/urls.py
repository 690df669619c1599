"""The server's own URLs, as browsers (frontend) and back-ends (backend) reach it.

``--hostname`` fixes the frontend: a full URL is used as is; a bare host name keeps the request's
scheme and port. ``X-Forwarded-Proto/Host/Port`` are honoured only with
``--proxy-headers xforwarded``: otherwise any client could choose our issuer.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from realmgate.web.app_context import get_ctx


def _first(value: str | None) -> str | None:
    """First entry of a comma-separated forwarded header, stripped; None when absent or empty."""
    if not value:
        return None
    first = value.split(",", 1)[0].strip()
    return first or None


def _default_port(scheme: str) -> str:
    return "443" if scheme == "https" else "80"


def _request_origin(conn: HTTPConnection, *, trust_forwarded: bool) -> tuple[str, str, str | None]:
    """(scheme, host, port) of the request; port None when it is the scheme's default."""
    scheme = conn.url.scheme
    host_header = conn.headers.get("host") or conn.url.netloc
    host, _, port = host_header.rpartition(":") if host_header.count(":") == 1 else (host_header, "", "")
    port_or_none: str | None = port or None
    if trust_forwarded:
        proto = _first(conn.headers.get("x-forwarded-proto"))
        fwd_host = _first(conn.headers.get("x-forwarded-host"))
        fwd_port = _first(conn.headers.get("x-forwarded-port"))
        if proto in ("http", "https"):
            scheme = proto
            if fwd_host is None and fwd_port is None:
                port_or_none = None
        if fwd_host is not None:
            if fwd_host.count(":") == 1:
                host, _, fwd_host_port = fwd_host.partition(":")
                port_or_none = fwd_host_port or None
            else:
                host, port_or_none = fwd_host, None
        if fwd_port is not None and fwd_port.isdigit():
            port_or_none = fwd_port
    if port_or_none == _default_port(scheme):
        port_or_none = None
    return scheme, host, port_or_none


def _join(scheme: str, host: str, port: str | None) -> str:
    return f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"


def frontend_base(conn: HTTPConnection) -> str:
    """Base URL browsers use (issuer prefix, login pages, redirects); no trailing slash."""
    settings = get_ctx(conn).settings
    if settings.hostname is not None and settings.hostname_is_url:
        return settings.hostname
    scheme, host, port = _request_origin(conn, trust_forwarded=settings.trust_forwarded)
    if settings.hostname is not None:
        host = settings.hostname
    return _join(scheme, host, port)


def backend_base(conn: HTTPConnection) -> str:
    """Base URL of the request itself (as the proxy forwarded it, when trusted), ignoring
    ``--hostname``: what a back-end calling us directly used."""
    settings = get_ctx(conn).settings
    return _join(*_request_origin(conn, trust_forwarded=settings.trust_forwarded))


def frontend_is_https(conn: HTTPConnection) -> bool:
    return frontend_base(conn).startswith("https://")
