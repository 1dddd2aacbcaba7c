"""Prometheus metrics: requests and their durations by route and status, and the read models'
lag and failure, at ``/metrics``.

Each app has its own ``CollectorRegistry`` (tests build many apps in one process). With several
uvicorn workers each worker counts its own requests; a scrape sees one worker at a time
(prometheus-client's multiprocess mode is not set up).
"""

from __future__ import annotations

import math

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Receive, Scope, Send

from greenreg.api.request_log import observed, route_of
from greenreg.projections.lag import lag_of
from greenreg.projections.runner import Projector


class Metrics:
    """The API's metrics, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "greenreg_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "greenreg_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["route"],
            buckets=(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
            registry=self.registry,
        )
        self.refusals = Counter(
            "greenreg_graphql_refusals",
            "GraphQL operations refused by a limit, by code.",
            ["code"],
            registry=self.registry,
        )

    def watch(self, projector: Projector) -> None:
        """Gauges of the read models, read when scraped: how many log entries they have not
        folded, and 1 while the runner is stuck on an event it cannot fold."""
        behind = Gauge(
            "greenreg_read_models_behind",
            "Log entries the read models have not folded yet (NaN: the database did not answer).",
            registry=self.registry,
        )
        failing = Gauge(
            "greenreg_read_models_failing",
            "1 while the read models cannot fold an event of the log (writes are refused), else 0.",
            registry=self.registry,
        )
        behind.set_function(lambda: _behind(projector))
        failing.set_function(lambda: float(projector.failure is not None))

    def router(self) -> APIRouter:
        router = APIRouter(tags=["operations"])

        @router.get("/metrics", include_in_schema=False)
        def metrics() -> Response:
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

        return router


def _behind(projector: Projector) -> float:
    try:
        return float(lag_of(projector).behind)
    except Exception:  # a scrape must answer while the database does not
        return math.nan


class MetricsMiddleware:
    """Pure ASGI middleware counting every HTTP request when its response starts."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await observed(self.app, scope, receive, send, self._count)

    def _count(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_of(scope, status)
        self.metrics.requests.labels(scope["method"], route, str(status)).inc()
        self.metrics.duration.labels(route).observe(seconds)
