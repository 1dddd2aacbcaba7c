"""``greenreg keys api ...`` (the subscribers' API keys) and ``greenreg webhooks run``."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from greenreg.bootstrap import open_greenreg, open_read_store
from greenreg.cli.common import Database, app, console, run
from greenreg.cli.terminal import shown
from greenreg.cli.write import keys_app
from greenreg.subscribers.api_keys import ApiKeys

api_keys_app = typer.Typer(help="API keys for subscribers (banks): issue, revoke, list.")
keys_app.add_typer(api_keys_app, name="api")
webhooks_app = typer.Typer(help="Watchlist notifications (signed webhooks).")
app.add_typer(webhooks_app, name="webhooks")


@api_keys_app.command("new")
def api_key_new(
    name: Annotated[str, typer.Argument(help="Who holds the key, e.g. a bank's name.")],
    database: Database = None,
) -> None:
    """Issue an API key; it is printed once, here, and only its hash is kept."""
    store = open_read_store(database)
    try:
        record, key = run(lambda: ApiKeys(store).issue(name))
    finally:
        store.close()
    console.print(f"API key {record.key_id} for {shown(record.name)} (shown once; keep it):")
    print(key)  # plain, for a script to capture


@api_keys_app.command("revoke")
def api_key_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id, as 'list' shows it.")],
    database: Database = None,
) -> None:
    """Revoke an API key: from now on it authenticates nothing."""
    store = open_read_store(database)
    try:
        record = run(lambda: ApiKeys(store).revoke(key_id))
    finally:
        store.close()
    console.print(f"API key {record.key_id} ({shown(record.name)}) revoked {record.revoked_at}")


@api_keys_app.command("list")
def api_key_list(database: Database = None) -> None:
    """The issued keys: id, holder, issued, revoked."""
    store = open_read_store(database)
    try:
        keys = run(lambda: ApiKeys(store).list())
    finally:
        store.close()
    for record in keys:
        state = f"revoked {record.revoked_at}" if record.revoked_at else "active"
        console.print(f"{record.key_id}  {shown(record.name)}  issued {record.issued_at}  {state}")


@webhooks_app.command("run")
def webhooks_run(database: Database = None) -> None:
    """Deliver watchlist notifications until stopped (SIGINT or SIGTERM): run it beside
    'greenreg serve --no-webhooks', or as well (workers share the work by leases)."""
    # The delivery's module imports an HTTP client no other command needs at start.
    from greenreg.subscribers.delivery import worker_for  # noqa: PLC0415

    facade = run(lambda: open_greenreg(database))
    worker = run(lambda: worker_for(facade.registry, facade.queries.store))
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.start()
    console.print("delivering watchlist notifications; stop with Ctrl-C")
    stopped.wait()
    worker.stop()
    facade.close()
