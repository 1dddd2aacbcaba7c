"""Prometheus metrics: requests and their durations by route and status, acts and events
written, and the read models' lag and failure, at ``/metrics``.

Each app has its own ``CollectorRegistry`` (tests build many apps in one process). Under
``greenreg serve --workers N`` every worker is a process of its own; ``serve`` then sets
``PROMETHEUS_MULTIPROC_DIR`` to a fresh folder before the workers start, each worker's counters
and histograms are kept in files there (prometheus-client's multiprocess mode), and a scrape,
whichever worker answers it, reads every worker's files and adds them up: counters of a worker
that died still count, so a sum never goes down. ``greenreg_api_workers`` (``liveall``) names
the workers alive by pid: a worker removes its own gauge file when it stops, and a worker starting
removes those of workers that were killed (:func:`forget_dead_workers`).

The read models' gauges are not kept in files: they are read from the database when scraped
(the same for every worker), by the worker that answers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    multiprocess,
)
from prometheus_client import values as prometheus_values
from prometheus_client.exposition import generate_latest

from greenreg.projections.gauges import ReadModelGauges
from greenreg.projections.runner import Projector
from greenreg.registry.application import Receipt

# prometheus-client's multiprocess functions have no annotations; their types, as documented:
mark_process_dead: Callable[[int, str], None] = multiprocess.mark_process_dead
MultiProcessCollector: Callable[[CollectorRegistry, str], object] = (
    multiprocess.MultiProcessCollector
)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus-client's variable: the folder where the processes of one server keep their
metrics (set by ``greenreg serve`` with more than one worker)."""


def multiprocess_dir() -> Path | None:
    """The folder of this server's workers' metrics, if prometheus-client counts in files."""
    folder = os.environ.get(MULTIPROCESS_DIR)
    if not folder:
        return None
    if prometheus_values.ValueClass is prometheus_values.MutexValue:
        raise RuntimeError(
            f"{MULTIPROCESS_DIR} was set after prometheus-client was imported: set it before "
            "the process starts"
        )
    return Path(folder)


class Metrics:
    """The API's metrics, in their own registry (or, in multiprocess mode, in files)."""

    def __init__(self, projector: Projector) -> None:
        self.folder = multiprocess_dir()
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
        self.acts = Counter(
            "greenreg_acts_submitted",
            "Signed acts submitted over HTTP and accepted, by status (recorded, "
            "already_recorded); rate() of it is the write rate.",
            ["status"],
            registry=self.registry,
        )
        self.events = Counter(
            "greenreg_events_recorded",
            "Events recorded by accepted acts submitted over HTTP.",
            registry=self.registry,
        )
        self.workers = Gauge(
            "greenreg_api_workers",
            "1 for each API worker process serving (with several workers, labelled with its "
            "pid; sum() counts them).",
            registry=self.registry,
            multiprocess_mode="liveall",
        )
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self.live = ReadModelGauges(projector)
        self.registry.register(self.live)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count an HTTP request once answered, under its route template (by the app's front
        layer, :mod:`greenreg.api.front`)."""
        key = (method, route, status)
        found = self._children.get(key)
        if found is None:  # once per method, route and status: labels() checks and locks
            found = self._children[key] = (
                self.requests.labels(method, route, str(status)),
                self.duration.labels(route),
            )
        requests, duration = found
        requests.inc()
        duration.observe(seconds)

    def written(self, receipt: Receipt) -> None:
        """Count an accepted act and the events it recorded."""
        self.acts.labels(receipt.status).inc()
        if receipt.status == "recorded":  # a resubmission's receipt names the events again
            self.events.inc(len(receipt.events))

    @contextmanager
    def alive(self) -> Iterator[None]:
        """While this worker serves it is counted among the live ones (workers killed before
        are forgotten: see :func:`forget_dead_workers`); when it stops its live gauges go (its
        counters stay, so sums do not drop)."""
        if self.folder is not None:
            forget_dead_workers(self.folder)
        self.workers.set(1)
        try:
            yield
        finally:
            if self.folder is not None:
                mark_process_dead(os.getpid(), str(self.folder))

    def exposition(self) -> bytes:
        """The text a scrape gets: every worker's metrics summed, and the read models'."""
        if self.folder is None:
            return generate_latest(self.registry)
        summed = CollectorRegistry()
        MultiProcessCollector(summed, str(self.folder))
        summed.register(self.live)
        return generate_latest(summed)

    def router(self) -> APIRouter:
        router = APIRouter(tags=["operations"])

        @router.get("/metrics", include_in_schema=False)
        def metrics() -> Response:
            return Response(self.exposition(), media_type=CONTENT_TYPE_LATEST)

        return router


def forget_dead_workers(folder: Path) -> None:
    """Remove the live gauges of processes that are gone (a worker killed with SIGKILL never
    removes its own; uvicorn starts another in its place)."""
    for path in folder.glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        if not _alive(pid):
            mark_process_dead(pid, str(folder))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
