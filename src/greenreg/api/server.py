"""How ``greenreg serve`` runs the API: one app per worker process, built from the environment.

uvicorn starts each worker by importing :func:`app_from_environment` (a factory), so every
worker opens its own ``Greenreg`` on ``GREENREG_DATABASE_URL`` and logs JSON lines.
"""

from __future__ import annotations

import gc
import logging
import os
from pathlib import Path

from fastapi import FastAPI

from greenreg.api.app import create_app
from greenreg.api.replicas import ReplicaMiddleware, read_database_urls, with_replicas
from greenreg.api.request_log import configure_json_logging
from greenreg.bootstrap import database_url, open_greenreg
from greenreg.errors import one_line
from greenreg.projections.database import ReadStore
from greenreg.projections.name_index import name_index
from greenreg.subscribers.delivery import worker_for
from greenreg.witness.submitter import read_witness_config

FACTORY = "greenreg.api.server:app_from_environment"
WITNESSES = "GREENREG_WITNESSES"
"""The witness policy file (see :mod:`greenreg.witness.submitter`); unset: no witnesses."""
WEBHOOKS = "GREENREG_WEBHOOK_WORKER"
"""``0``: this server delivers no watchlist notifications (``greenreg webhooks run`` does)."""


FIRST_GENERATION = 50_000
"""Allocations between two passes of the garbage collector over young objects, when serving."""


def app_from_environment() -> FastAPI:
    """The app over the database named by ``GREENREG_DATABASE_URL`` (default ./greenreg.db)."""
    configure_json_logging()
    webhooks = None
    if os.environ.get(WEBHOOKS) != "0":
        webhooks = lambda facade: worker_for(facade.registry, facade.queries.store)  # noqa: E731
    policy = os.environ.get(WITNESSES)
    facade = open_greenreg()
    standbys = read_database_urls()
    replicas = None
    if standbys:
        facade, replicas = with_replicas(facade, database_url(), standbys)
    app = create_app(
        facade,
        close_on_shutdown=True,
        webhooks=webhooks,
        run_jobs=True,
        witnesses=read_witness_config(Path(policy)) if policy else None,
        run_witnesses=True,
    )
    if replicas is not None:
        app.add_middleware(ReplicaMiddleware, replicas=replicas)
    warm_name_index(facade.queries.store)
    settle_collector()
    return app


def warm_name_index(store: ReadStore) -> None:
    """Build the name index that the lookup's variants and the match read
    (:mod:`greenreg.projections.name_index`) before the worker serves: the first lookup after a
    start waited for it, and every lookup behind that one (0.3 s at 100,000 events, 5 s at
    1,000,000), and its objects are now frozen out of the collector's passes with the app's
    own (:func:`settle_collector`). The worker starts that much later. Where the index cannot
    be built now (the database does not answer), the worker serves all the same and the first
    lookup builds it, or says why it cannot."""
    try:
        name_index(store)
    except Exception as error:  # a lookup meets it again, and answers for it
        logging.getLogger("greenreg.serve").warning(
            "the name index will be built at the first lookup: %s", one_line(error)
        )


def settle_collector() -> None:
    """Tune a serving process's garbage collector once its app is built.

    The app's own objects (modules, schema, routes, connections) live as long as the process,
    so they are frozen out of the collector's passes. A bank check builds tens of thousands of
    small objects that live until its answer is written; with the default first threshold (700
    allocations) the collector walks them again and again while they are built, about 150 ms
    of a 10,000-code check on the 1,000,000-event corpus. With :data:`FIRST_GENERATION` a
    request builds its answer first; cycles are still collected, later.
    """
    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION, second, third)
