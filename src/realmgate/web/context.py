"""What every handler can reach: ``request.app.state.ctx`` is one ``AppContext`` per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from realmgate.clock import Clock
from realmgate.settings import Settings
from realmgate.store.interface import Store
from realmgate.web.metrics import Metrics

if TYPE_CHECKING:
    import httpx
    import jinja2


@dataclass(slots=True)
class AppContext:
    """Process-wide services, built once by the composition root (``realmgate.app``)."""

    settings: Settings
    store: Store
    clock: Clock
    metrics: Metrics
    _templates: jinja2.Environment | None = field(default=None, repr=False)
    _http: httpx.AsyncClient | None = field(default=None, repr=False)

    @property
    def templates(self) -> jinja2.Environment:
        """The page templates (``realmgate.web.pages``), made on the first page rendered."""
        if self._templates is None:
            from realmgate.web.pages import build_templates

            self._templates = build_templates()
        return self._templates

    @property
    def http(self) -> httpx.AsyncClient:
        """The upstream HTTP client (broker calls), see ``realmgate.upstream_http``. Created on
        first use: httpx and its TLS set-up cost ~150 ms that a server start should not pay."""
        if self._http is None:
            from realmgate.upstream_http import new_client

            self._http = new_client()
        return self._http

    async def aclose(self) -> None:
        """Release the HTTP client (if one was made) and the store, at shutdown."""
        if self._http is not None:
            await self._http.aclose()
        await self.store.close()


def get_ctx(conn: HTTPConnection) -> AppContext:
    """The context of the app serving ``conn`` (a request or a websocket)."""
    ctx: AppContext = conn.app.state.ctx
    return ctx
