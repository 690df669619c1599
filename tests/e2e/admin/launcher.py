"""Runs a real realmgate server with the admin API mounted, for the admin e2e tests.

It is the platform's ``start-dev`` path (set-up, then ``build_app`` under uvicorn) plus
``web.admin.routes()`` when the platform's route table does not mount them yet; once it does,
this adds nothing. Settings come from ``REALMGATE_*`` (host, port, database) as for ``start``.
"""

from __future__ import annotations

import asyncio

import uvicorn

from realmgate.app import build_app, prepare_store
from realmgate.settings import settings_from_env
from realmgate.web.admin import routes as admin_routes


async def main() -> None:
    settings = settings_from_env()
    store = await prepare_store(settings)
    app = build_app(settings, store=store)
    if not any(getattr(r, "path", None) == "/admin/openapi.json" for r in app.routes):
        app.router.routes[:0] = admin_routes()
    server = uvicorn.Server(uvicorn.Config(app, host=settings.http_host, port=settings.http_port, log_level="warning"))
    await server.serve()


if __name__ == "__main__":
    asyncio.run(main())
