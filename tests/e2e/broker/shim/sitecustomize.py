"""Mounts the broker's web routes in a ``start-dev`` server process whose route table
(``web/routes.py``, the platform helper's, still at work) does not list them yet. Put on
``PYTHONPATH`` by the broker e2e fixtures; does nothing once the table includes them. (The
identity-provider admin routes are mounted by ``web/admin`` itself.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.routing import BaseRoute


def _install() -> None:
    from realmgate.web import routes as web_routes

    original_routes = web_routes.all_routes

    def all_routes() -> list[BaseRoute]:
        from realmgate.web import broker

        existing = original_routes()
        if any("/broker/" in getattr(r, "path", "") for r in existing):
            return existing
        return [*broker.routes(), *existing]

    web_routes.all_routes = all_routes


_install()
