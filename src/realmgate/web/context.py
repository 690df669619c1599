"""What every handler can reach: ``request.app.state.ctx`` is one ``AppContext`` per process."""

from __future__ import annotations

from dataclasses import dataclass
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
    http: httpx.AsyncClient  # upstream calls only (broker); see realmgate.upstream_http
    metrics: Metrics
    templates: jinja2.Environment


def get_ctx(conn: HTTPConnection) -> AppContext:
    """The context of the app serving ``conn`` (a request or a websocket)."""
    ctx: AppContext = conn.app.state.ctx
    return ctx
