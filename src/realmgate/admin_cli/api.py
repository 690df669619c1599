"""One authenticated call to the admin REST API, as every CLI verb makes it.

A failed call (unreachable server, any 4xx/5xx) becomes ``CliFailure`` with the server's own
message (Keycloak's ``errorMessage``, or an OAuth ``error_description``), so each verb reports
errors the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from realmgate.admin_cli.body import admin_url
from realmgate.admin_cli.session import CliFailure, Session


def error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip() or response.reason_phrase
    if isinstance(body, dict):
        for key in ("errorMessage", "error_description", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return json.dumps(body)


@dataclass(frozen=True)
class AdminApi:
    """The admin API of ``session.server``, acting on ``realm`` for realm-relative paths."""

    http: httpx.Client
    session: Session
    realm: str

    def call(self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None) -> httpx.Response:
        """``method`` on ``path`` (``users``, ``realms/demo``...); raises ``CliFailure`` on error."""
        url = admin_url(self.session.server, path, self.realm)
        headers = {"Authorization": f"Bearer {self.session.access_token}"}
        try:
            response = self.http.request(method, url, json=body, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise CliFailure(f"Cannot reach {self.session.server}: {exc}") from None
        if response.status_code >= 400:
            raise CliFailure(f"HTTP {response.status_code}: {error_text(response)}")
        return response

    def get(self, path: str, **params: str) -> Any:
        return self.call("GET", path, params=params or None).json()
