"""What every handler can reach: ``request.app.state.ctx`` is one ``AppContext`` per process.

All process state lives here, built by the composition root (``realmgate.app``) and reached
through ``get_ctx``: no module keeps a mutable singleton of its own. The caches in it follow the
database (the store's config epoch, then a realm's config version), so what another instance
changed is seen on the next use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from realmgate.clock import Clock
from realmgate.crypto.secrets import Randomness
from realmgate.model.session import UserSession
from realmgate.protocol.realm_cache import RealmCache, RealmConfig
from realmgate.settings import Settings
from realmgate.store.interface import Store, Tx
from realmgate.web.metrics import Metrics

if TYPE_CHECKING:
    import httpx
    import jinja2

    from realmgate.admin.auth import Authenticator
    from realmgate.broker.oidc.keys import UpstreamKeyCache

UpstreamLogout = Callable[[Request, Tx, RealmConfig, UserSession, str | None], Awaitable[Response | None]]
"""The broker's step of an RP-initiated logout of a brokered session: a response (a redirect to
the upstream's end-session endpoint) or None to log out locally at once."""


@dataclass(slots=True)
class AppContext:
    """Process-wide services, built once by the composition root (``realmgate.app``).

    The upstream HTTP client, the upstream key cache, the admin authenticator and the page
    templates are made on first use: a server start should not pay for the broker, the admin
    API or Jinja2 before a request needs them."""

    settings: Settings
    store: Store
    clock: Clock
    ids: Randomness
    metrics: Metrics
    upstream_logout: UpstreamLogout | None = None
    realm_cache: RealmCache = field(init=False)
    _templates: jinja2.Environment | None = field(default=None, repr=False)
    _http: httpx.AsyncClient | None = field(default=None, repr=False)
    _upstream_keys: UpstreamKeyCache | None = field(default=None, repr=False)
    _admin_auth: Authenticator | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.realm_cache = RealmCache(self.store.config_epoch)

    @property
    def templates(self) -> jinja2.Environment:
        """The page templates (``realmgate.web.pages``)."""
        if self._templates is None:
            from realmgate.web.pages import build_templates

            self._templates = build_templates()
        return self._templates

    @property
    def http(self) -> httpx.AsyncClient:
        """The upstream HTTP client (broker calls), see ``realmgate.upstream_http``; httpx and
        its TLS set-up cost ~150 ms."""
        if self._http is None:
            from realmgate.upstream_http import new_client

            self._http = new_client()
        return self._http

    @property
    def upstream_keys(self) -> UpstreamKeyCache:
        """The upstream providers' signing keys (JWKS), shared by the broker's logins and the
        admin API's ``reload-keys``."""
        if self._upstream_keys is None:
            from realmgate.broker.oidc.keys import UpstreamKeyCache

            self._upstream_keys = UpstreamKeyCache(self.http, clock=self.clock)
        return self._upstream_keys

    @property
    def admin_auth(self) -> Authenticator:
        """The admin API's token checker with its realm snapshots (roles, clients): one per app,
        for the admin routes and the broker's admin routes alike."""
        if self._admin_auth is None:
            from realmgate.admin.auth import Authenticator

            self._admin_auth = Authenticator()
        return self._admin_auth

    async def aclose(self) -> None:
        """Release the HTTP client (if one was made) and the store, at shutdown."""
        if self._http is not None:
            await self._http.aclose()
        await self.store.close()


def get_ctx(conn: HTTPConnection) -> AppContext:
    """The context of the app serving ``conn`` (a request or a websocket)."""
    ctx: AppContext = conn.app.state.ctx
    return ctx
