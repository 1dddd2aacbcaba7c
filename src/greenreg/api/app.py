"""The app factory: the whole HTTP interface built around one ``Greenreg``.

``create_app(greenreg)`` is the one composition root of the web side: ``greenreg serve`` and the
tests build the same graph. Routes only translate: they parse, ask the registry (writes) or the
read models' :class:`~greenreg.projections.queries.Queries` (reads), and map the answer.

    /graphql        GraphQL (GraphiQL in a browser)
    /api/v1/...     REST; OpenAPI at /openapi.json, read at /docs and /redoc (offline: their
                    assets are in the package); /api/v1/log/... for inspectors
    /healthz        the process and its database answer
    /metrics        Prometheus text format
    /               the public lookup page and a page per unit (``greenreg.web``)
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Literal, Protocol

import orjson
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

import greenreg
from greenreg import web
from greenreg.api.auth import key_holder
from greenreg.api.body_limits import BodyLimit
from greenreg.api.caching import NotModified, Tagging
from greenreg.api.certifications import certifications_router
from greenreg.api.deadlines import DEADLINES, Deadline
from greenreg.api.docs import confined, graphiql_html, install_docs
from greenreg.api.evaluators import evaluators_router
from greenreg.api.feed import feed_router
from greenreg.api.front import Front
from greenreg.api.health import health_router
from greenreg.api.intake import intake_router
from greenreg.api.jobs import jobs_router
from greenreg.api.lists import lists_router
from greenreg.api.log import log_router
from greenreg.api.match import match_router
from greenreg.api.metrics import Metrics
from greenreg.api.openapi import install_openapi
from greenreg.api.outage import install_outage_handler
from greenreg.api.problems import install_error_handlers
from greenreg.api.quotas import QuotaSettings, enforce, quotas_of
from greenreg.api.reading import Reads
from greenreg.api.tiles import tiles_router
from greenreg.api.units import lean_lookup_route, lean_unit_route, units_router
from greenreg.api.watchlists import watchlists_router
from greenreg.bootstrap import Greenreg
from greenreg.graphql.context import Context
from greenreg.graphql.errors import outage_in
from greenreg.graphql.loaders import Loaders
from greenreg.graphql.readers import Readers
from greenreg.graphql.schema import make_schema
from greenreg.jobs.store import JobStore
from greenreg.jobs.worker import JobWorker
from greenreg.storage.log_tables import LogTables
from greenreg.subscribers.api_keys import ApiKeys
from greenreg.subscribers.delivery import DeliveryWorker
from greenreg.subscribers.watchlists import Watchlists
from greenreg.witness.submitter import Submitter, WitnessConfig


class GraphQLJSONRouter(GraphQLRouter[Context, None]):
    """GraphQL over HTTP, with requests read and answers written by orjson (a bank check's
    answer is megabytes; the standard library's encoder would also escape every Chinese
    character)."""

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)  # its JSONDecodeError is the standard library's

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL, with its scripts served by the registry (see :mod:`greenreg.api.docs`)."""
        return confined(HTMLResponse(graphiql_html()))

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """The answer; a database that did not answer raises its error again, for the app's
        outage handler to answer 503 with ``Retry-After`` (not 200 with an error list)."""
        outage = outage_in(result.errors)
        if outage is not None:
            raise outage
        return await super().process_result(request, result)


def create_app(
    facade: Greenreg,
    *,
    close_on_shutdown: bool = False,
    deadlines: Mapping[str, float] = DEADLINES,
    webhooks: Callable[[Greenreg], DeliveryWorker] | None = None,
    run_jobs: bool = False,
    quotas: QuotaSettings | Literal[False] | None = None,
    witnesses: WitnessConfig | None = None,
    run_witnesses: bool = False,
    lean_reads: bool = True,
) -> FastAPI:
    """The API over one ``Greenreg``: its registry for writes, its read models' queries for
    reads. With ``close_on_shutdown`` the app closes the facade when the server stops;
    ``deadlines`` bound the time of the routes that may read much (seconds, by path);
    ``webhooks`` makes the delivery worker that runs in a thread while the app serves; with
    ``run_jobs`` a worker thread answers bulk jobs while the app runs; ``quotas`` count and
    limit each caller (:mod:`greenreg.api.quotas`; None: as the environment says, False:
    none). ``witnesses`` is the witness policy the log publishes; with ``run_witnesses`` a
    thread sends each new checkpoint to those witnesses and keeps their cosignatures. With
    ``lean_reads`` (the default) the front layer answers ``GET /api/v1/units/{ref}`` and
    ``GET /api/v1/lookup?q=`` itself (:mod:`greenreg.api.front`); without, their FastAPI
    routes do (the same answers: the tests compare them)."""
    reads = Reads.of(facade, None if witnesses is None else witnesses.policy)
    jobs = JobStore(reads.queries.store)
    worker = JobWorker(jobs, reads.queries, reads.log, reads.clock)
    recorder = facade.registry.recorder
    metrics = Metrics(facade.projector)
    readers = Readers(reads.queries.store)  # the threads GraphQL requests read in

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        threads: list[Background] = []
        if webhooks is not None:
            threads.append(webhooks(facade))
        if run_jobs:
            threads.append(worker)
        if run_witnesses and witnesses is not None and isinstance(recorder, LogTables):
            threads.append(Submitter(recorder, witnesses))
        for thread in threads:
            thread.start()
        with metrics.alive():
            yield
        for thread in reversed(threads):
            thread.stop()
        readers.close()
        if close_on_shutdown:
            facade.close()

    app = FastAPI(
        **native_telemetry(),
        lifespan=lifespan,
        dependencies=[Depends(enforce)],  # refuses what the front layer's quotas found
        docs_url=None,  # served by docs_router, with assets served by the registry itself
        redoc_url=None,
        title="greenreg",
        version=greenreg.__version__,
        description="A public, verifiable registry of China's green-manufacturing "
        "designations. Reads are public; acts are accepted only when signed by a competent "
        "authority.",
    )
    install_error_handlers(app)
    install_openapi(app)
    install_outage_handler(app)
    app.add_middleware(Tagging)  # innermost: it tags the answers of the routes
    app.add_middleware(Deadline, deadlines=deadlines)
    app.add_middleware(BodyLimit)
    app.add_middleware(  # outermost: every answer is counted, logged and measured
        Front,
        metrics=metrics,
        quotas=quotas_of(ApiKeys(facade.queries.store), quotas),
        not_modified=NotModified(reads.version, reads.known_version),
        lean=[lean_unit_route(reads), lean_lookup_route(reads)] if lean_reads else [],
    )
    app.state.greenreg = facade
    app.state.queries = reads.queries
    app.state.metrics = metrics
    app.state.job_worker = worker

    _include_routers(app, facade, reads, jobs, metrics, witnesses=witnesses)

    async def context(request: Request) -> AsyncIterator[Context]:
        """Each request's context, with a reader of its own: one snapshot for all its reads."""
        async with readers.reader() as reader:
            yield Context(
                queries=reads.queries,
                loaders=Loaders(reads.queries, reader.run),
                log=reads.log,
                clock=reads.clock,
                reader=reader,
            )

    app.include_router(
        GraphQLJSONRouter(
            make_schema(),
            # a FastAPI dependency, run with its yield (strawberry's hint leaves generators out)
            context_getter=context,  # type: ignore[arg-type]
            graphql_ide="graphiql",
        ),
        prefix="/graphql",
        include_in_schema=False,
    )
    return app


def native_telemetry() -> dict[str, Any]:
    """FastAPI's own OpenTelemetry (in the releases that have it), off unless OpenTelemetry
    was set up in this process before the app was built (e.g. under ``opentelemetry-
    instrument``): with it on, FastAPI looks for a configured provider on every request, about
    13 µs, a quarter of a 304's time in the app. The registry's own metrics and request log
    (:mod:`greenreg.api.metrics`, :mod:`greenreg.api.request_log`) do not depend on it."""
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    from opentelemetry import metrics, trace  # noqa: PLC0415 (FastAPI's, where it has telemetry)

    providers = (trace.get_tracer_provider(), metrics.get_meter_provider())
    if any(not type(provider).__name__.startswith(("Proxy", "_Proxy")) for provider in providers):
        return {}  # set up: FastAPI's defaults
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


def _include_routers(
    app: FastAPI,
    facade: Greenreg,
    reads: Reads,
    jobs: JobStore,
    metrics: Metrics,
    *,
    witnesses: WitnessConfig | None,
) -> None:
    """Every REST route, the pages and the docs (GraphQL is mounted by :func:`create_app`)."""
    app.include_router(health_router(facade))
    app.include_router(metrics.router())
    app.include_router(intake_router(facade))
    app.include_router(units_router(reads))
    app.include_router(lists_router(reads))
    app.include_router(evaluators_router(reads))
    app.include_router(certifications_router(reads))
    app.include_router(jobs_router(reads, jobs, facade.known_by))
    app.include_router(match_router(reads))
    app.include_router(feed_router(facade, reads))
    app.include_router(log_router(reads, facade.registry, witnesses))
    app.include_router(tiles_router(reads))
    recorder = facade.registry.recorder
    log_size = recorder.log_size if isinstance(recorder, LogTables) else lambda: 0
    holder = key_holder(ApiKeys(facade.queries.store))
    app.include_router(watchlists_router(Watchlists(facade.queries.store), log_size, holder))
    app.include_router(
        web.router(
            reads.queries,
            registry=facade.registry,
            version=reads.version,
            witnesses=reads.log.policy if reads.log is not None else None,
            short_reads=reads.short_reads,
        )
    )
    install_docs(app)


class Background(Protocol):
    """A loop the app runs in a thread while it serves."""

    def start(self) -> None: ...

    def stop(self) -> None: ...
