"""The Keycloak-compatible admin REST API: ``routes()`` for the one route table.

Everything is declared in ``operations.py``; ``adapter.py`` turns each declaration into a route
and ``openapi.py`` into ``/admin/openapi.json`` (served without a token: it is documentation).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from realmgate.web.admin.adapter import make_routes
from realmgate.web.admin.openapi import build_document
from realmgate.web.admin.operations import operations
from realmgate.web.broker.admin_routes import routes as broker_admin_routes


def routes() -> list[BaseRoute]:
    ops = operations()
    document = build_document(ops)

    async def openapi(request: Request) -> Response:
        return JSONResponse(document)

    return [
        Route("/admin/openapi.json", openapi, methods=["GET"]),
        *make_routes(ops),
        *broker_admin_routes(),  # import-config, reload-keys: upstream calls outside a transaction
    ]
