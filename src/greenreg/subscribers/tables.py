"""The subscribers' tables, in the registry's database (SQLite file or PostgreSQL schema).

==============================  ============================================================
``greenreg_api_keys``           key id -> holder's name, SHA-256 of the key, issued, revoked
``greenreg_watchlists``         a watchlist: its key, endpoint, cursor (``next_position``), the
                                notification being delivered (body, signature, attempts, when
                                to try again) and the lease of the worker delivering it
``greenreg_watch_entries``      (watchlist, entry): a unit id or a credit code, compact
``greenreg_watch_deliveries``   every attempt to deliver: when, the outcome, HTTP status, error
==============================  ============================================================

Times are fixed-width UTC text (``record_time``), so they compare as text on both databases.
"""

from __future__ import annotations

from greenreg.projections.database import ReadStore

_COMMON = [
    "CREATE TABLE IF NOT EXISTS greenreg_api_keys (key_id TEXT PRIMARY KEY, name TEXT NOT NULL, "
    "key_hash TEXT NOT NULL, issued_at TEXT NOT NULL, revoked_at TEXT)",
    "CREATE TABLE IF NOT EXISTS greenreg_watchlists (watchlist_id TEXT PRIMARY KEY, "
    "key_id TEXT NOT NULL, url TEXT NOT NULL, created_at TEXT NOT NULL, deleted_at TEXT, "
    "entry_count BIGINT NOT NULL, next_position BIGINT NOT NULL, generation BIGINT NOT NULL, "
    "pending_position BIGINT, pending_body TEXT, pending_signature TEXT, "
    "attempts BIGINT NOT NULL DEFAULT 0, next_attempt_at TEXT, last_error TEXT, "
    "lease_owner TEXT, lease_until TEXT)",
    "CREATE INDEX IF NOT EXISTS greenreg_watchlists_key ON greenreg_watchlists (key_id)",
    "CREATE TABLE IF NOT EXISTS greenreg_watch_entries (watchlist_id TEXT NOT NULL, "
    "entry TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (watchlist_id, entry))",
]
_DELIVERIES = {
    "sqlite": "CREATE TABLE IF NOT EXISTS greenreg_watch_deliveries ("
    "seq INTEGER PRIMARY KEY AUTOINCREMENT, ",
    "postgres": "CREATE TABLE IF NOT EXISTS greenreg_watch_deliveries ("
    "seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ",
}
_DELIVERY_COLUMNS = (
    "watchlist_id TEXT NOT NULL, position BIGINT NOT NULL, change TEXT NOT NULL, "
    "unit_id TEXT NOT NULL, attempt BIGINT NOT NULL, attempted_at TEXT NOT NULL, "
    "outcome TEXT NOT NULL, status_code BIGINT, error TEXT, duration_ms BIGINT NOT NULL)"
)


def ensure_tables(store: ReadStore) -> None:
    """Create the subscribers' tables where they are missing (idempotent)."""
    statements = [
        *_COMMON,
        _DELIVERIES[store.dialect] + _DELIVERY_COLUMNS,
        "CREATE INDEX IF NOT EXISTS greenreg_watch_deliveries_list "
        "ON greenreg_watch_deliveries (watchlist_id, seq)",
    ]
    with store.transaction() as cursor:
        for statement in statements:
            cursor.execute(statement)
