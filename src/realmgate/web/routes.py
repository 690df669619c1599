"""The one table of routes: every feature module's ``routes()`` is mounted here."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from realmgate.web import admin, health, oidc
from realmgate.web.pages import STATIC_DIR, STATIC_PREFIX


def all_routes() -> list[BaseRoute]:
    return [
        *health.routes(),
        *oidc.routes(),
        *admin.routes(),
        Mount(STATIC_PREFIX, app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
