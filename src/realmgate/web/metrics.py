"""Per-process Prometheus metrics, rendered by hand in the text exposition format.

Counters live in plain dicts: one event loop per process means no locks are needed, and
``render()`` is cheap. With ``--workers N`` each worker reports its own numbers (the scraper sums).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable

from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from realmgate.web.logging import log_request

BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "unmatched"  # label for paths no route matched: keeps label cardinality bounded


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in pairs) + "}"


class _Histogram:
    __slots__ = ("counts", "sum", "total")

    def __init__(self) -> None:
        self.counts = [0] * len(BUCKETS)
        self.sum = 0.0
        self.total = 0

    def observe(self, seconds: float) -> None:
        self.sum += seconds
        self.total += 1
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                self.counts[i] += 1
                break


class Metrics:
    """The counters realmgate exposes on ``/metrics``."""

    def __init__(self) -> None:
        self._requests: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self._durations: defaultdict[str, _Histogram] = defaultdict(_Histogram)
        self._logins: defaultdict[str, int] = defaultdict(int)
        self._tokens: defaultdict[str, int] = defaultdict(int)

    def login(self, success: bool) -> None:
        self._logins["success" if success else "failure"] += 1

    def token_issued(self, grant_type: str) -> None:
        self._tokens[grant_type] += 1

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        self._requests[(route, method, str(status))] += 1
        self._durations[route].observe(seconds)

    def render(self) -> str:
        out: list[str] = [
            "# HELP realmgate_http_requests_total HTTP requests by route template, method and status.",
            "# TYPE realmgate_http_requests_total counter",
        ]
        for (route, method, status), count in sorted(self._requests.items()):
            labels = _labels((("route", route), ("method", method), ("status", status)))
            out.append(f"realmgate_http_requests_total{labels} {count}")
        out += [
            "# HELP realmgate_http_request_duration_seconds Time to answer, by route template.",
            "# TYPE realmgate_http_request_duration_seconds histogram",
        ]
        for route, hist in sorted(self._durations.items()):
            cumulative = 0
            for bound, count in zip(BUCKETS, hist.counts, strict=True):
                cumulative += count
                labels = _labels((("route", route), ("le", repr(bound))))
                out.append(f"realmgate_http_request_duration_seconds_bucket{labels} {cumulative}")
            labels = _labels((("route", route), ("le", "+Inf")))
            out.append(f"realmgate_http_request_duration_seconds_bucket{labels} {hist.total}")
            route_label = _labels((("route", route),))
            out.append(f"realmgate_http_request_duration_seconds_sum{route_label} {hist.sum:.6f}")
            out.append(f"realmgate_http_request_duration_seconds_count{route_label} {hist.total}")
        out += [
            "# HELP realmgate_logins_total Interactive and password-grant logins by result.",
            "# TYPE realmgate_logins_total counter",
        ]
        for result, count in sorted(self._logins.items()):
            out.append(f"realmgate_logins_total{_labels((('result', result),))} {count}")
        out += [
            "# HELP realmgate_tokens_issued_total Token responses by grant type.",
            "# TYPE realmgate_tokens_issued_total counter",
        ]
        for grant, count in sorted(self._tokens.items()):
            out.append(f"realmgate_tokens_issued_total{_labels((('grant_type', grant),))} {count}")
        return "\n".join(out) + "\n"


def route_label(scope: Scope) -> str:
    """The template of the route that served ``scope`` (``/realms/{realm}/...``), never the raw path."""
    route: BaseRoute | None = scope.get("route")
    if isinstance(route, Route | Mount):
        return route.path or "/"
    return UNMATCHED


class RequestMetricsMiddleware:
    """Counts and times every HTTP request and writes the one access-log line for it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if the app dies before answering, the server answers 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            seconds = time.perf_counter() - started
            self.metrics.request(route_label(scope), scope["method"], status, seconds)
            log_request(scope["method"], scope["path"], status, seconds)
