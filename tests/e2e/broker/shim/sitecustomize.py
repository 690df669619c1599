"""Mounts the broker's web routes and identity-provider admin operations in a ``start-dev``
server process whose route tables do not list them yet (``web/routes.py`` and
``web/admin/operations.py`` belong to helpers still at work). Put on ``PYTHONPATH`` by the
broker e2e fixtures; does nothing once the tables include them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from realmgate.admin.call import Operation


def _install() -> None:
    import realmgate.web.admin as web_admin
    from realmgate.web import routes as web_routes

    original_routes = web_routes.all_routes

    def all_routes() -> list[BaseRoute]:
        from realmgate.web import broker
        from realmgate.web.broker import admin_routes

        existing = original_routes()
        if any("/broker/" in getattr(r, "path", "") for r in existing):
            return existing
        return [*broker.routes(), *admin_routes.routes(), *existing]

    web_routes.all_routes = all_routes

    original_ops = getattr(web_admin, "operations")

    def operations() -> list[Operation]:
        from realmgate.admin import idp_mapper_operations, idp_operations

        ops: list[Operation] = original_ops()
        known = {(op.method, op.path) for op in ops}
        extra = [*idp_operations.OPERATIONS, *idp_mapper_operations.operations()]
        return [*ops, *(op for op in extra if (op.method, op.path) not in known)]

    setattr(web_admin, "operations", operations)


_install()
