"""HTTP endpoints of the identity broker, on Keycloak's paths (``/realms/{realm}/broker/...``).

The broker's upstream-logout step (``upstream_logout.upstream_logout``) is wired into the OIDC logout by
``web.routes``, which loads this package lazily.
``admin_routes.routes()`` are the two identity-provider admin endpoints that call upstreams
(mount them with, or before, the admin API's routes).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from realmgate.web.broker import first_login, link, login, token, upstream_logout

_BROKER = "/realms/{realm}/broker/{alias}"


def routes() -> list[BaseRoute]:
    return [
        Route(_BROKER + "/login", login.start, methods=["GET", "POST"]),
        Route(_BROKER + "/endpoint", login.callback, methods=["GET"]),
        Route(_BROKER + "/endpoint/logout_response", upstream_logout.logout_response, methods=["GET"]),
        Route(_BROKER + "/endpoint/k_logout", upstream_logout.keycloak_logout, methods=["POST"]),
        Route(_BROKER + "/first-broker-login", first_login.form, methods=["POST"]),
        Route(_BROKER + "/token", token.stored_token, methods=["GET"]),
        Route(_BROKER + "/link", link.start, methods=["GET"]),
        Route(
            "/realms/{realm}/protocol/openid-connect/logout/backchannel-logout",
            upstream_logout.backchannel_logout,
            methods=["POST"],
        ),
    ]
