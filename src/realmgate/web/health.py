"""``/health/live``, ``/health/ready`` (database ping, 503 when down) and ``/metrics``.

Bodies follow Keycloak's (MicroProfile Health) shape: ``{"status": "UP", "checks": [...]}``.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from realmgate.store.interface import StoreError
from realmgate.web.app_context import get_ctx

log = logging.getLogger("realmgate.health")
DB_CHECK = "database connections health check"
NO_STORE = {"cache-control": "no-store"}


async def live(request: Request) -> Response:
    return JSONResponse({"status": "UP", "checks": []}, headers=NO_STORE)


async def ready(request: Request) -> Response:
    try:
        await get_ctx(request).store.ping()
    except (StoreError, OSError) as exc:
        log.warning("Readiness check failed: database unavailable (%s)", exc)
        body = {"status": "DOWN", "checks": [{"name": DB_CHECK, "status": "DOWN"}]}
        return JSONResponse(body, status_code=503, headers=NO_STORE)
    return JSONResponse({"status": "UP", "checks": [{"name": DB_CHECK, "status": "UP"}]}, headers=NO_STORE)


async def metrics(request: Request) -> Response:
    text = get_ctx(request).metrics.render()
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8", headers=NO_STORE)


def routes() -> list[BaseRoute]:
    return [
        Route("/health", live, methods=["GET"]),
        Route("/health/live", live, methods=["GET"]),
        Route("/health/ready", ready, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
