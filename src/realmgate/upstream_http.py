"""The one outbound HTTP client per process, for calls to upstream identity providers.

Short timeouts (an upstream that hangs must not hang our login page) and redirects never
followed (a token endpoint that redirects is misconfigured or hostile). The response size cap is
applied where bodies are read, in ``realmgate.broker.upstream.call``, the broker's single door to
upstreams. Made on first use by ``AppContext.http``.
"""

from __future__ import annotations

import httpx

from realmgate import __version__

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0


def new_client() -> httpx.AsyncClient:
    timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=False,
        headers={"user-agent": f"realmgate/{__version__}"},
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
    )
