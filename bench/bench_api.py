"""API speed: the bank check and the single REST lookup, beside a bare FastAPI lookup.

On a copy of a cached corpus store (``bench.corpus``; ``--events``, default 20,000; a corpus of
100,000 units is about 620,000 events), with its read models caught up before timing:

- **bank check**: one GraphQL ``certifications`` request of 10,000 references (every unit's
  credit code or id, cycled; 2 % unknown valid codes, 1 % malformed) as of one day, outcome
  and designations selected; server time = the in-process ASGI request (no socket), median of
  ``--repeat``;
- **lookup**: ``GET /api/v1/units/{credit code}`` for random units, ``--lookups`` times
  (after a warm-up); p50 and p99;
- **bare**: a plain FastAPI app reading the same rows from one indexed SQLite table (unit,
  name, designations as JSON, keyed by credit code) - the plain-CRUD registry one might build
  instead - answering the same lookups and the same 10,000-code check; reported as ratios.

Targets: bank check ≤ 500 ms on 100,000 units; lookup p50 ≤ 2 ms, p99 ≤ 10 ms.

    python -m bench.bench_api [--events 20000] [--lookups 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from bench.corpus import cached_sqlite_store, read_manifest
from greenreg.api import create_app
from greenreg.api.encoding import plain
from greenreg.api.request_log import logger as request_logger
from greenreg.bootstrap import Greenreg, open_greenreg

RESULTS = Path(__file__).parent / "results" / "api.json"
CHECK = """query Check($refs: [String!]!, $asOf: Date!) {
  certifications(refs: $refs, asOf: $asOf) {
    results { ref outcome designations { programme level jurisdiction since documentNumber } }
  }
}"""
AS_OF = "2024-06-30"
CHECK_SIZE = 10_000


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def bank_refs(refs: list[str], rng: random.Random) -> list[str]:
    """10,000 references: known units (cycled), 2 % unknown valid codes, 1 % malformed."""
    chosen = [refs[i % len(refs)] for i in range(CHECK_SIZE)]
    for i in rng.sample(range(CHECK_SIZE), CHECK_SIZE * 3 // 100):
        chosen[i] = "91152201078377449P" if i % 3 else f"BAD{i}"
    return chosen


def bare_table(greenreg: Greenreg, path: Path) -> int:
    """The same rows a lookup answers, in one table with an index: credit code -> unit JSON."""
    queries = greenreg.queries
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE units (credit_code TEXT PRIMARY KEY, unit_id TEXT, name TEXT, body TEXT)"
    )
    after, rows = None, 0
    while True:
        page = queries.units(None, 1000, after)
        designations = queries.designations_of([u.id for u in page.items])
        connection.executemany(
            "INSERT INTO units VALUES (?, ?, ?, ?)",
            [
                (
                    u.credit_code or str(u.id),
                    str(u.id),
                    u.name,
                    json.dumps({"unit": plain(u), "designations": plain(d)}, ensure_ascii=False),
                )
                for u, d in zip(page.items, designations, strict=True)
            ],
        )
        rows += len(page.items)
        if not page.has_next_page:
            break
        after = page.end_cursor
    connection.commit()
    connection.close()
    return rows


def bare_app(path: Path) -> FastAPI:
    """What a plain CRUD registry would be: one table, one indexed SELECT per request."""
    app = FastAPI()
    connection = sqlite3.connect(path, check_same_thread=False)

    @app.get("/units/{code}")
    def unit(code: str) -> JSONResponse:
        row = connection.execute("SELECT body FROM units WHERE credit_code = ?", (code,)).fetchone()
        if row is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse(json.loads(row[0]))

    @app.post("/check")
    def check(refs: list[str]) -> JSONResponse:
        found: dict[str, str] = {}
        for start in range(0, len(refs), 500):
            chunk = refs[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                connection.execute(
                    f"SELECT credit_code, body FROM units WHERE credit_code IN ({marks})",  # noqa: S608
                    chunk,
                ).fetchall()
            )
        return JSONResponse(
            [{"ref": r, "unit": json.loads(found[r]) if r in found else None} for r in refs]
        )

    return app


def lookups(client: TestClient, paths: list[str]) -> list[float]:
    for path in paths[:100]:  # warm-up
        client.get(path)
    samples = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    request_logger.disabled = True  # time the API, not the log handler
    rng = random.Random(2026)

    store = cached_sqlite_store(args.events)
    refs: list[str] = read_manifest(store)["unit_refs"]
    codes = [r for r in refs if len(r) == 18]
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "greenreg.db"
        shutil.copy(store, copy)
        started = time.perf_counter()
        greenreg = open_greenreg(f"sqlite:///{copy}")  # catches the read models up
        catch_up = time.perf_counter() - started
        rows = bare_table(greenreg, Path(scratch) / "bare.db")
        try:
            check_refs = bank_refs(refs, rng)
            sample = [rng.choice(codes) for _ in range(args.lookups)]
            with (
                TestClient(create_app(greenreg)) as api,
                TestClient(bare_app(Path(scratch) / "bare.db")) as bare,
            ):
                payload = {"query": CHECK, "variables": {"refs": check_refs, "asOf": AS_OF}}
                body = api.post("/graphql", json=payload).json()
                assert "errors" not in body, body["errors"]
                outcomes: dict[str, int] = {}
                for result in body["data"]["certifications"]["results"]:
                    outcomes[result["outcome"]] = outcomes.get(result["outcome"], 0) + 1
                check_ms = [
                    timed(lambda: api.post("/graphql", json=payload)) for _ in range(args.repeat)
                ]
                bare_check_ms = [
                    timed(lambda: bare.post("/check", json=check_refs)) for _ in range(args.repeat)
                ]
                api_lookup = lookups(api, [f"/api/v1/units/{c}" for c in sample])
                bare_lookup = lookups(bare, [f"/units/{c}" for c in sample])
        finally:
            greenreg.close()

    report = {
        "events": args.events,
        "units": len(refs),
        "bare_rows": rows,
        "read_model_catch_up_s": round(catch_up, 1),
        "bank_check": {
            "references": CHECK_SIZE,
            "outcomes": outcomes,
            "median_ms": round(statistics.median(check_ms), 1),
            "runs_ms": [round(x, 1) for x in check_ms],
            "bare_median_ms": round(statistics.median(bare_check_ms), 1),
        },
        "lookup": {
            "count": args.lookups,
            "p50_ms": round(percentile(api_lookup, 0.5), 3),
            "p99_ms": round(percentile(api_lookup, 0.99), 3),
            "bare_p50_ms": round(percentile(bare_lookup, 0.5), 3),
            "bare_p99_ms": round(percentile(bare_lookup, 0.99), 3),
        },
    }
    report["bank_check"]["ratio_to_bare"] = round(
        report["bank_check"]["median_ms"] / report["bank_check"]["bare_median_ms"], 2
    )
    report["lookup"]["p50_ratio_to_bare"] = round(
        report["lookup"]["p50_ms"] / report["lookup"]["bare_p50_ms"], 2
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
