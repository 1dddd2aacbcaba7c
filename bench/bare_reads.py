"""The bare peer of ``bench.bench_reads``: a plain FastAPI app over one SQLite file.

``GET /units/{id}`` answers the JSON stored for that unit (the very bytes greenreg answered for
it) with one indexed SELECT; ``GET /lookup?q=`` asks an FTS5 trigram table over the same names
(:func:`peer_lookup`). Served by uvicorn, one worker, as ``greenreg serve`` is:

    BARE_READS_DB=peer.db uvicorn bench.bare_reads:app --port 8001 --no-access-log
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.responses import Response

from greenreg.matching.normalise import normalise

PEER_FETCH = 60
"""Rows the peer ranks to give 20 units (a unit may match by several of its names)."""


def create_peer(path: str, rows: list[tuple[str, str, str, str]]) -> None:
    """The peer's tables: ``units`` (unit id -> answer JSON) is filled by the caller; ``names``
    is an FTS5 trigram table of (normalised name, unit id, name as written, current name)."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE IF NOT EXISTS units (unit_id TEXT PRIMARY KEY, body BLOB)")
    connection.execute(
        "CREATE VIRTUAL TABLE names USING fts5(norm, unit_id UNINDEXED, text UNINDEXED, "
        "name UNINDEXED, tokenize='trigram')"
    )
    connection.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", rows)
    connection.commit()
    connection.close()


def peer_lookup(connection: sqlite3.Connection, text: str, limit: int = 20) -> bytes:
    """What an FTS5 registry would answer: the names containing the normalised text, an exact
    match before a prefix before a substring, shorter first, one hit per unit, as JSON."""
    query = normalise(text)
    rows = connection.execute(
        "SELECT unit_id, text, name FROM names WHERE names MATCH ? ORDER BY "
        "CASE WHEN norm = ? THEN 0 WHEN substr(norm, 1, ?) = ? THEN 1 ELSE 2 END, "
        "length(norm), name LIMIT ?",
        ['"' + query.replace('"', '""') + '"', query, len(query), query, PEER_FETCH],
    ).fetchall()
    hits: dict[str, dict[str, Any]] = {}
    for unit_id, matched, name in rows:
        if unit_id not in hits and len(hits) < limit:
            hits[unit_id] = {"unit_id": unit_id, "name": name, "matched_text": matched}
    return orjson.dumps({"query": text, "hits": list(hits.values())})


def create_app(path: str) -> FastAPI:
    app = FastAPI()
    local = threading.local()

    def connection() -> sqlite3.Connection:
        found: sqlite3.Connection | None = getattr(local, "connection", None)
        if found is None:
            found = local.connection = sqlite3.connect(path, check_same_thread=False)
        return found

    @app.get("/units/{unit_id}")
    def unit(unit_id: str) -> Response:
        row = connection().execute("SELECT body FROM units WHERE unit_id = ?", (unit_id,))
        found = row.fetchone()
        if found is None:
            return Response(b'{"error": "not found"}', 404, media_type="application/json")
        return Response(found[0], media_type="application/json")

    @app.get("/lookup")
    def lookup(q: str) -> Response:
        return Response(peer_lookup(connection(), q), media_type="application/json")

    return app


app = create_app(os.environ["BARE_READS_DB"]) if "BARE_READS_DB" in os.environ else None
