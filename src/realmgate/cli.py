"""``realmgate`` / ``python -m realmgate``: start-dev, start, import, export (Keycloak's verbs).

Errors an operator can fix (port taken, bad DB URL, unreachable DB, unreadable realm file,
missing flag) end the process with status 1 and ONE line on stderr, never a traceback. Start-up
speed matters (a developer restarts often), so heavy modules are imported only when a command
needs them, and the listening socket is bound before anything else so a taken port fails fast.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from realmgate import __version__
from realmgate.settings import SERVER_FLAGS, Mode, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from realmgate.store.interface import Store

log = logging.getLogger("realmgate")
T = TypeVar("T")


class CliError(Exception):
    """An operator error; ``str(exc)`` is printed as the one line on stderr."""


def bind_socket(host: str, port: int, flag: str = "--http-port") -> socket.socket:
    """Bind the listening socket now, so a taken port is reported before any other work
    (``flag`` is the option that sets ``port``, named in the error)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CliError(f"Port {port} on {host} is already in use (set {flag})") from None
        raise CliError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return None
    return uvloop.new_event_loop


def _run(coro: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(coro)


def _display_url(settings: Settings, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    host = settings.http_host
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - only choosing what to print
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"{'https' if settings.tls else 'http'}://{host}:{port}"


def _uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn settings shared by single- and multi-process mode: our logging, our proxy handling."""
    return {
        "log_config": None,
        "access_log": False,
        "proxy_headers": False,  # X-Forwarded-* are read by web.urls, and only when trusted
        "server_header": False,
        "lifespan": "on",
        "ws": "none",  # no websockets: skips importing their protocol modules
        "log_level": settings.log_level,
        "timeout_graceful_shutdown": 5,
        "ssl_certfile": settings.https_certificate_file,
        "ssl_keyfile": settings.https_certificate_key_file,
    }


async def _serve(settings: Settings, sock: socket.socket, management: socket.socket | None, started_at: float) -> int:
    import uvicorn

    from realmgate.app import build_app, build_management_app, prepare_store
    from realmgate.web.welcome import links

    store = await prepare_store(settings)
    app = build_app(settings, store=store)
    server = uvicorn.Server(uvicorn.Config(app, **_uvicorn_options(settings)))
    side: uvicorn.Server | None = None
    if management is not None:
        options = {**_uvicorn_options(settings), "lifespan": "off"}  # the main app's lifespan serves both
        side = uvicorn.Server(uvicorn.Config(build_management_app(app), **options))

    async def announce() -> None:
        while not server.started and not server.should_exit:
            await asyncio.sleep(0.005)
        if not server.started:
            return
        if side is not None and management is not None:
            # After the main app's lifespan: the management app shares its context.
            side_task.append(asyncio.create_task(side.serve(sockets=[management])))
        log.info(
            "realmgate %s (%s mode) listening on %s; started in %.2f s",
            __version__,
            settings.mode,
            _display_url(settings, sock),
            time.perf_counter() - started_at,
        )
        if management is not None:
            log.info("Health and metrics on %s", _display_url(settings, management))
        base = settings.hostname if settings.hostname_is_url and settings.hostname else _display_url(settings, sock)
        log.info("Welcome page %s/ ; admin REST API %s/admin/realms", base, base)
        log.info("Log the admin CLI in with: %s", links(base)["cliLogin"])

    side_task: list[asyncio.Task[None]] = []
    announcer = asyncio.create_task(announce())
    try:
        await server.serve(sockets=[sock])
    finally:
        announcer.cancel()
        if side is not None:
            side.should_exit = True
        for task in side_task:
            await task
    return 0 if server.started else 1


def _serve_workers(settings: Settings, sock: socket.socket) -> int:
    """``--workers N``: set-up once here, then uvicorn forks N processes on the shared socket."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from realmgate.app import prepare_store

    async def setup_only() -> None:
        store = await prepare_store(settings)
        await store.close()

    _run(setup_only())
    os.environ.update(settings.to_env())
    config = uvicorn.Config(
        "realmgate.app:app_from_env", factory=True, workers=settings.workers, **_uvicorn_options(settings)
    )
    log.info(
        "realmgate %s (%s mode) listening on %s with %d workers",
        __version__,
        settings.mode,
        _display_url(settings, sock),
        settings.workers,
    )
    Multiprocess(config, sockets=[sock]).run()
    return 0


def _server_settings(mode: Mode, args: argparse.Namespace) -> Settings:
    from realmgate.web.logging import configure_logging

    settings = load_settings(mode, vars(args))
    configure_logging(settings.log_level, settings.log_console_output)
    return settings


def cmd_start(args: argparse.Namespace, mode: Mode) -> int:
    started_at = time.perf_counter()
    settings = _server_settings(mode, args)
    if settings.tls:
        sock = bind_socket(settings.http_host, settings.https_port, "--https-port")
    else:
        sock = bind_socket(settings.http_host, settings.http_port)
    management = None
    try:
        if settings.http_management_port is not None:
            management = bind_socket(settings.http_host, settings.http_management_port, "--http-management-port")
        if settings.workers > 1:
            return _serve_workers(settings, sock)
        return _run(_serve(settings, sock, management, started_at))
    finally:
        sock.close()
        if management is not None:
            management.close()


async def _with_store(settings: Settings, work: Callable[[Store], Coroutine[Any, Any, T]], *, create: bool) -> T:
    """Run ``work`` on the database of ``--db-url``, saying which one. ``create`` is for import
    (as ``kc.sh import``, it may fill a new database); export refuses a missing one instead of
    leaving a new, empty database behind."""
    from realmgate.app import open_store
    from realmgate.bootstrap import bootstrap_master
    from realmgate.crypto.secrets import SYSTEM
    from realmgate.store.sql.url import is_sqlite, normalize_url, sqlite_path

    url = normalize_url(settings.db_url)
    new = is_sqlite(url) and not sqlite_path(url).is_file()
    store = await open_store(settings, migrate=True, create=create)
    shown = url.render_as_string(hide_password=True)
    log.info("Created a new database at %s" if new else "Using the database at %s", shown)
    try:
        await bootstrap_master(store, settings, now=int(time.time()), ids=SYSTEM)
        return await work(store)
    finally:
        await store.close()


def cmd_import(args: argparse.Namespace) -> int:
    from realmgate.bootstrap import import_realms, load_realm_files
    from realmgate.crypto.secrets import SYSTEM

    settings = _server_settings("dev", args)
    strict = args.strict or settings.import_strict
    # A bad file (or, with --strict, a weakened one) fails before the database is touched.
    files = load_realm_files(args.file or args.dir, strict=strict)
    override = args.override == "true"

    async def work(store: Store) -> None:
        await import_realms(store, files, now=int(time.time()), ids=SYSTEM, override=override)

    _run(_with_store(settings, work, create=True))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    settings = _server_settings("dev", args)
    target = Path(args.file)

    async def work(store: Store) -> dict[str, object]:
        from realmgate.keycloak.realm_export import export_realm

        async with store.tx() as tx:
            if await tx.realms.get_by_name(args.realm) is None:
                raise CliError(f"Realm {args.realm} does not exist")
            # A full export, as kc.sh's: secrets in clear so that importing it restores them.
            return await export_realm(tx, args.realm, include_users=args.users != "skip", include_secrets=True)

    rep = _run(_with_store(settings, work, create=False))
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(json.dumps(rep, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        raise CliError(f"Cannot write {target}: {exc.strerror or exc}") from None
    log.info("Exported realm %s to %s", args.realm, target)
    return 0


def _add_flags(parser: argparse.ArgumentParser, names: Sequence[str] | None = None) -> None:
    """Server flags from the settings table; defaults stay None so env vars can fill them."""
    for flag in SERVER_FLAGS:
        if names is not None and flag.attr not in names:
            continue
        help_text = f"{flag.help} [{flag.env}]"
        options = [flag.option] + ([flag.alias] if flag.alias else [])
        if flag.switch:
            parser.add_argument(*options, dest=flag.attr, action="store_const", const="true", help=help_text)
        else:
            parser.add_argument(*options, dest=flag.attr, metavar=flag.metavar, help=help_text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="realmgate",
        description="OpenID Connect provider and identity broker speaking Keycloak's dialect.",
    )
    parser.add_argument("--version", action="version", version=f"realmgate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dev = commands.add_parser("start-dev", help="Start a development server (HTTP, SQLite by default).")
    _add_flags(dev)
    dev.set_defaults(handler=lambda a: cmd_start(a, "dev"))

    prod = commands.add_parser("start", help="Start a production server (needs --hostname and --db-url).")
    _add_flags(prod)
    prod.set_defaults(handler=lambda a: cmd_start(a, "prod"))

    imp = commands.add_parser("import", help="Import realm JSON files into the database.")
    source = imp.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", help="A realm JSON file.")
    source.add_argument("--dir", help="A directory of realm *.json files.")
    imp.add_argument(
        "--override",
        choices=("true", "false"),
        default="true",
        help="Replace realms that already exist (default true, as Keycloak).",
    )
    imp.add_argument(
        "--strict",
        action="store_true",
        help="Refuse the import (nothing is imported) if a file sets a security setting realmgate "
        "does not enforce, e.g. bruteForceProtected [REALMGATE_IMPORT_STRICT].",
    )
    _add_flags(imp, ("db_url", "log_level"))
    imp.set_defaults(handler=cmd_import)

    exp = commands.add_parser("export", help="Export a realm to a JSON file.")
    exp.add_argument("--realm", required=True, help="Name of the realm to export.")
    exp.add_argument("--file", required=True, help="File to write.")
    exp.add_argument(
        "--users",
        choices=("realm_file", "same_file", "skip"),
        default="realm_file",
        help="Include users in the realm file (default) or skip them.",
    )
    _add_flags(exp, ("db_url", "log_level"))
    exp.set_defaults(handler=cmd_export)

    from realmgate.admin_cli import add_parser as add_admin_parser

    add_admin_parser(commands)
    return parser


def _one_line(exc: BaseException) -> str | None:
    """The operator-facing line for an expected failure; None for a bug (traceback is logged)."""
    from realmgate.bootstrap import SetupError
    from realmgate.store.interface import StoreError

    if isinstance(exc, CliError | SettingsError | SetupError | StoreError):
        return str(exc)
    if "realmgate.store.sql" in sys.modules:
        from realmgate.store.sql import DatabaseUrlError

        if isinstance(exc, DatabaseUrlError):
            return str(exc)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        line = _one_line(exc)
        if line is None:
            log.debug("Unexpected failure", exc_info=True)
            line = f"unexpected error ({type(exc).__name__}); rerun with --log-level debug for details"
        print(f"realmgate: error: {' '.join(line.split())}", file=sys.stderr)
        return 1
