"""The one outbound HTTP client per process, for calls to upstream identity providers.

Short timeouts (an upstream that hangs must not hang our login page), redirects never followed
(a token endpoint that redirects is misconfigured or hostile), and responses read with a size cap
so a huge or endless body cannot exhaust memory.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from realmgate import __version__

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
MAX_RESPONSE_BYTES = 1024 * 1024


class ResponseTooLarge(Exception):
    """The upstream response body exceeded the cap; the message names the URL, not the body."""


def new_client() -> httpx.AsyncClient:
    timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=False,
        headers={"user-agent": f"realmgate/{__version__}"},
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
    )


async def request_capped(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> tuple[httpx.Response, bytes]:
    """Send a request and read at most ``max_bytes`` of the body.

    Returns the response (its body already consumed) and the body bytes. Raises
    ``ResponseTooLarge`` beyond the cap and ``httpx.HTTPError`` on transport failures/timeouts.
    """
    request = client.build_request(method, url, headers=headers, params=params, data=data)
    response = await client.send(request, stream=True, auth=httpx.BasicAuth(*auth) if auth else None)
    try:
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            raise ResponseTooLarge(f"response from {url} declares {declared} bytes (limit {max_bytes})")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise ResponseTooLarge(f"response from {url} exceeds {max_bytes} bytes")
            chunks.append(chunk)
    finally:
        await response.aclose()
    return response, b"".join(chunks)
