"""Log set-up and the access-log line.

Logs go to stdout (as Keycloak's console log does), so stderr carries only the CLI's one-line
error when start-up fails. One line per request: method, path WITHOUT the query string (codes,
tokens and state travel there), status and milliseconds. Tracebacks go to the log, never into a
response.
"""

from __future__ import annotations

import logging
import sys

ACCESS_LOGGER = logging.getLogger("realmgate.access")
LOG_FORMAT = "%(asctime)s %(levelname)-7s [%(name)s] %(message)s"


def configure_logging(level: str) -> None:
    """Plain lines on stdout for realmgate and uvicorn; chatty libraries stay at WARNING."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "httpx", "httpcore", "aiosqlite", "asyncio", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


MAX_LOGGED_PATH = 512


def printable(text: str) -> str:
    """``text`` safe for one log line: control characters escaped (a ``%0A`` in a URL must not
    forge a second line), cut at ``MAX_LOGGED_PATH``."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
    return text if len(text) <= MAX_LOGGED_PATH else text[:MAX_LOGGED_PATH] + "..."


def log_request(method: str, path: str, status: int, seconds: float) -> None:
    """``path`` is the ASGI path (decoded), which never contains the query string."""
    if ACCESS_LOGGER.isEnabledFor(logging.INFO):
        ACCESS_LOGGER.info("%s %s %d %.1fms", printable(method), printable(path), status, seconds * 1000.0)
