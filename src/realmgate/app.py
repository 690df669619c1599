"""Composition root: the only module that wires the web layer to the SQL store.

``build_app(settings)`` returns the Starlette app; its lifespan opens the store (unless the
caller already did, as the CLI does to report errors cleanly), publishes an ``AppContext``
(which makes the upstream HTTP client and the page templates on first use) on ``app.state.ctx``
and runs the expiry sweep (``web.housekeeping``) until shutdown.
``app_from_env`` is the factory uvicorn calls in each worker process of ``--workers N``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from realmgate.bootstrap import load_realm_files, run_setup
from realmgate.clock import Clock, system_clock
from realmgate.crypto.secrets import SYSTEM, Randomness
from realmgate.model.session import UserSession
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.settings import Settings, settings_from_env
from realmgate.store.interface import Store, Tx
from realmgate.web.app_context import AppContext, UpstreamLogout
from realmgate.web.errors import EXCEPTION_HANDLERS, UnhandledErrorMiddleware
from realmgate.web.housekeeping import sweep_forever
from realmgate.web.metrics import Metrics, RequestMetricsMiddleware
from realmgate.web.routes import all_routes
from realmgate.web.security import BodyLimitMiddleware, CollapseSlashesMiddleware, SecurityHeadersMiddleware


async def open_store(settings: Settings, *, migrate: bool, create: bool = True) -> Store:
    """Open the SQL store named by ``--db-url``; raises ``DatabaseUrlError``/``Unavailable``
    (also, with ``create=False``, for a SQLite file that does not exist)."""
    from realmgate.store.sql import open_store as open_sql_store

    return await open_sql_store(settings.db_url, migrate=migrate, create=create, pool_max=settings.db_pool_max_size)


async def prepare_store(settings: Settings, *, clock: Clock = system_clock, ids: Randomness = SYSTEM) -> Store:
    """Open (and migrate) the store, then bootstrap master and import realms; for the first
    process only. Realm files are read first: a bad one stops us before the database is touched.
    Closes the store again if set-up fails."""
    files = load_realm_files(settings.import_realm) if settings.import_realm else []
    store = await open_store(settings, migrate=True)
    try:
        await run_setup(store, settings, files, clock=clock, ids=ids)
    except BaseException:
        await store.close()
        raise
    return store


async def broker_upstream_logout(
    request: Request, tx: Tx, config: RealmConfig, session: UserSession, redirect: str | None
) -> Response | None:
    """The broker's step of an RP-initiated logout (``AppContext.upstream_logout``), imported
    on first use so a server start does not load the broker."""
    from realmgate.web.broker.upstream_logout import upstream_logout

    return await upstream_logout(request, tx, config, session, redirect)


def build_app(
    settings: Settings,
    *,
    store: Store | None = None,
    clock: Clock = system_clock,
    ids: Randomness = SYSTEM,
    upstream_logout: UpstreamLogout | None = broker_upstream_logout,
) -> Starlette:
    """The web application. With ``store`` given, the app uses it and closes it at shutdown;
    otherwise the lifespan opens one (running set-up first when ``settings.run_setup``).
    ``upstream_logout`` is the broker's logout step (tests put their own in its place)."""
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if store is not None:
            active = store
        elif settings.run_setup:
            active = await prepare_store(settings, clock=clock, ids=ids)
        else:
            active = await open_store(settings, migrate=False)
        ctx = AppContext(
            settings=settings, store=active, clock=clock, ids=ids, metrics=metrics, upstream_logout=upstream_logout
        )
        app.state.ctx = ctx
        sweeper = asyncio.create_task(sweep_forever(ctx))
        try:
            yield
        finally:
            sweeper.cancel()
            with suppress(asyncio.CancelledError):
                await sweeper
            await ctx.aclose()

    middleware = [
        Middleware(CollapseSlashesMiddleware),
        Middleware(RequestMetricsMiddleware, metrics=metrics),
        Middleware(SecurityHeadersMiddleware),
        Middleware(UnhandledErrorMiddleware),
        Middleware(BodyLimitMiddleware, limit=settings.http_max_body_size),
    ]
    return Starlette(
        routes=all_routes(with_health=settings.http_management_port is None),
        middleware=middleware,
        exception_handlers=dict(EXCEPTION_HANDLERS),
        lifespan=lifespan,
    )


def build_management_app(main: Starlette) -> Starlette:
    """``/health/*`` and ``/metrics`` for ``--http-management-port``, apart from the application
    (as Keycloak's management interface): same process, same context as ``main``, whose lifespan
    must run first."""
    from realmgate.web import health

    management = Starlette(
        routes=health.routes(),
        middleware=[Middleware(SecurityHeadersMiddleware), Middleware(UnhandledErrorMiddleware)],
        exception_handlers=dict(EXCEPTION_HANDLERS),
    )
    management.state = main.state
    return management


def app_from_env() -> Starlette:
    """uvicorn factory for worker processes: settings from ``REALMGATE_*`` set by the parent."""
    from realmgate.web.logging import configure_logging

    settings = settings_from_env()
    configure_logging(settings.log_level, settings.log_console_output)
    return build_app(settings)
