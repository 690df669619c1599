"""Calls to an upstream provider: one place that turns every transport failure into an
``UpstreamError`` and caps how much an upstream may send back.

The ``httpx.AsyncClient`` is passed in (the process shares one, with its connect/read timeouts
and no redirect following); this module adds no state of its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import httpx

from realmgate.broker.errors import UpstreamError, UpstreamErrorKind

MAX_BODY_BYTES = 1_048_576
"""An upstream answer larger than this is refused: token, JWKS and userinfo bodies are small."""


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    status: int
    content_type: str
    body: bytes

    def _json(self, what: str, kind: type[dict[str, object]] | type[list[object]]) -> object:
        try:
            value = json.loads(self.body)
        except ValueError:
            raise UpstreamError(UpstreamErrorKind.BAD_JSON, what, status=self.status) from None
        if not isinstance(value, kind):
            raise UpstreamError(UpstreamErrorKind.BAD_JSON, what, status=self.status)
        return value

    def json_object(self, what: str) -> dict[str, object]:
        """The body as a JSON object, or ``UpstreamError(BAD_JSON)``."""
        value = self._json(what, dict)
        assert isinstance(value, dict)
        return value

    def json_array(self, what: str) -> list[object]:
        """The body as a JSON array (GitHub's ``/user/emails``), or ``UpstreamError(BAD_JSON)``."""
        value = self._json(what, list)
        assert isinstance(value, list)
        return value

    def oauth_error(self) -> str | None:
        """The ``error`` code of an OAuth error body, if the body is one (safe to log)."""
        try:
            value = json.loads(self.body)
        except ValueError:
            return None
        code = value.get("error") if isinstance(value, dict) else None
        if isinstance(code, str) and code.replace("_", "").isalnum() and len(code) <= 64:
            return code
        return None


async def call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    what: str,
    data: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> UpstreamResponse:
    """Send one request and read at most ``MAX_BODY_BYTES`` of the answer.

    A non-2xx status raises ``UpstreamError(BAD_STATUS)`` carrying the
    upstream's OAuth ``error`` code when it sent one.
    """
    try:
        async with http.stream(method, url, data=data, headers=headers) as resp:
            body = bytearray()
            async for chunk in resp.aiter_bytes():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    raise UpstreamError(UpstreamErrorKind.BAD_RESPONSE, what, status=resp.status_code)
            result = UpstreamResponse(resp.status_code, resp.headers.get("content-type", ""), bytes(body))
    except httpx.TimeoutException:
        raise UpstreamError(UpstreamErrorKind.TIMEOUT, what) from None
    except (httpx.HTTPError, httpx.InvalidURL):
        raise UpstreamError(UpstreamErrorKind.UNREACHABLE, what) from None
    if not 200 <= result.status < 300:
        raise UpstreamError(
            UpstreamErrorKind.BAD_STATUS, what, status=result.status, upstream_error=result.oauth_error()
        )
    return result


def with_query(url: str, params: Mapping[str, str]) -> str:
    """Append ``params`` to a configured upstream URL, keeping any query it already has."""
    return url + ("&" if urlsplit(url).query else "?") + urlencode(params)
