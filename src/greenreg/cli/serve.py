"""``greenreg serve``: the API (GraphQL, REST, health, metrics) over HTTP with uvicorn.

On an empty store it first loads the shipped public lists, so a fresh install answers at once.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from greenreg.api.request_log import configure_json_logging
from greenreg.api.server import FACTORY
from greenreg.bootstrap import Greenreg, database_url, open_greenreg
from greenreg.cli.common import Database, app, console, run


def load_shipped_lists_hook(greenreg: Greenreg, keys_dir: Path) -> None:
    """On an empty store, load the shipped lists with the importer's ``load_shipped_lists``.

    Looked up at run time so that serving works in a build without the importer.
    """
    try:
        loading = importlib.import_module("greenreg.importer.loading")
    except ImportError:
        console.print("the shipped lists are not part of this build; serving the store as is")
        return
    load: Any = loading.load_shipped_lists
    progress_module = importlib.import_module("greenreg.importer.progress")
    with progress_module.rich_progress() as progress:
        results = load(greenreg, keys_dir, progress=progress)
    for result in results or []:
        console.print(result.summary)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    keys: Annotated[
        Path, typer.Option("--keys", help="Key directory for the first run's shipped lists.")
    ] = Path("keys"),
    database: Database = None,
) -> None:
    """Serve /graphql, /api/v1 (OpenAPI at /docs), /healthz and /metrics."""
    url = database_url(database)
    os.environ["GREENREG_DATABASE_URL"] = url  # each worker opens the same database

    def prepare() -> None:
        facade = open_greenreg(url)
        try:
            if not facade.registry.event_count():
                load_shipped_lists_hook(facade, keys)
        finally:
            facade.close()

    run(prepare)
    configure_json_logging()
    console.print(f"serving {url} on http://{host}:{port} (GraphQL at /graphql, docs at /docs)")
    uvicorn.run(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # the app logs each request as a JSON line
        log_config=None,
    )
