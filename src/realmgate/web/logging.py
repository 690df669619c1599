"""Log set-up and the access-log line.

Logs go to stdout (as Keycloak's console log does), so stderr carries only the CLI's one-line
error when start-up fails. One line per request: method, path WITHOUT the query string (codes,
tokens and state travel there), status and milliseconds. Tracebacks go to the log, never into a
response.
"""

from __future__ import annotations

import itertools
import json
import logging
import socket
import sys
from datetime import UTC, datetime

ACCESS_LOGGER = logging.getLogger("realmgate.access")
LOG_FORMAT = "%(asctime)s %(levelname)-7s [%(name)s] %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the field names of Keycloak's JSON console log
    (``--log-console-output json``), so the same log pipeline reads both servers."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "sequence": next(_SEQUENCE),
            "loggerName": record.name,
            "level": record.levelname,
            "message": record.getMessage(),
            "threadName": record.threadName,
            "hostName": _HOST,
            "processName": "realmgate",
            "processId": record.process,
        }
        if record.exc_info:
            entry["exceptionType"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["stackTrace"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


_SEQUENCE = itertools.count(1)
_HOST = socket.gethostname()


def configure_logging(level: str, output: str = "default") -> None:
    """Lines on stdout for realmgate and uvicorn, plain or JSON (``output``); chatty libraries
    stay at WARNING."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if output == "json" else logging.Formatter(LOG_FORMAT))
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
