"""The one table of routes: every feature module's ``routes()`` is mounted here.

Feature groups a server start does not need (the admin API and the broker: ~0.2 s of imports
each) are loaded on the first request under their path prefix, through ``LazyRoutes``;
discovery, tokens and health are ready as soon as the process listens.
"""

from __future__ import annotations

import importlib
from typing import Any

from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from realmgate.web import account, health, oidc, welcome
from realmgate.web.pages import STATIC_DIR, STATIC_PREFIX

_MATCHED = "realmgate.lazy_route"


class LazyRoutes(BaseRoute):
    """The routes of ``module.routes()``, imported when a path under ``prefix`` first arrives.

    Each inner route keeps its full path; the route that matched is handed to ``handle`` through
    the child scope and replaces this one in ``scope["route"]`` (so metrics see its template).
    """

    def __init__(self, prefix: str, module: str) -> None:
        self.prefix = prefix
        self.module = module
        self._routes: list[BaseRoute] | None = None

    @property
    def routes(self) -> list[BaseRoute]:
        if self._routes is None:
            loaded: list[BaseRoute] = importlib.import_module(self.module).routes()
            self._routes = loaded
        return self._routes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return Match.NONE, {}
        partial: tuple[Match, Scope] | None = None
        for route in self.routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return Match.FULL, {**child_scope, _MATCHED: route}
            if match is Match.PARTIAL and partial is None:
                partial = (Match.PARTIAL, {**child_scope, _MATCHED: route})
        return partial or (Match.NONE, {})

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope.pop(_MATCHED)
        scope["route"] = route
        await route.handle(scope, receive, send)


def all_routes(*, with_health: bool = True) -> list[BaseRoute]:
    """Every route; health and metrics only ``with_health`` (else a management port has them)."""
    return [
        *welcome.routes(),
        *(health.routes() if with_health else []),
        *oidc.routes(),
        *account.routes(),
        LazyRoutes("/realms/", "realmgate.web.broker"),
        LazyRoutes("/admin/", "realmgate.web.admin"),
        Mount(STATIC_PREFIX, app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
