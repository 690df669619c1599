"""``/``: the welcome page a newcomer opens first, as Keycloak's, with where to go next.

Browsers get a page; API clients (no ``text/html`` in ``Accept``) get the same facts as JSON,
so ``curl http://localhost:8080/`` says something useful too. realmgate has no web consoles
yet, so the page points at the admin REST API, the admin CLI and the master realm's OpenID
configuration instead.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from realmgate import __version__
from realmgate.web.pages import render_page, wants_html
from realmgate.web.urls import frontend_base


def links(base: str) -> dict[str, str]:
    """Where a newcomer goes next, by name (the start-up log prints the same)."""
    return {
        "adminApi": f"{base}/admin/realms",
        "openidConfiguration": f"{base}/realms/master/.well-known/openid-configuration",
        "health": f"{base}/health/ready",
        "cliLogin": f"realmgate admin config credentials --server {base} --realm master --user admin",
    }


async def welcome(request: Request) -> Response:
    found = links(frontend_base(request))
    if not wants_html(request):
        return JSONResponse({"server": "realmgate", "version": __version__, **found})
    return render_page(request, "welcome.html", {"links": found})


def routes() -> list[BaseRoute]:
    return [Route("/", welcome, methods=["GET"])]
