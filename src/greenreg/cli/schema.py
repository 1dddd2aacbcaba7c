"""``greenreg migrate``: bring the store's schema to this release's version."""

from __future__ import annotations

from greenreg.bootstrap import database_url, persistence_env, refold_dropped
from greenreg.cli.common import Database, app, console, run
from greenreg.storage.schema_version import migrate as apply_migrations


@app.command()
def migrate(database: Database = None) -> None:
    """Apply the schema migrations this release has and the store lacks (back it up first),
    then fold the read models anew if a migration dropped them. A store made by a newer
    release is refused."""
    env = persistence_env(database_url(database))
    before, applied = run(lambda: apply_migrations(env))
    if not applied:
        console.print(f"the store is at {before.version}, this release's version: nothing to do")
        return
    console.print(f"the store was at {before.version}; applied {', '.join(applied)}")
    folded = run(lambda: refold_dropped(database))
    if folded is not None:
        console.print(f"folded the read models anew from {folded:,} events")
