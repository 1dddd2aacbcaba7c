"""API speed: the bank check beside its floor, and the single REST lookup beside a bare app.

On a copy of a cached corpus store (``bench.corpus``; ``--events``, default 20,000; the
1,000,000-event corpus holds about 154,000 units), with its read models caught up before timing:

- **bank check**: 10,000 references (every unit's credit code or id, cycled; 2 % unknown valid
  codes, 1 % malformed) as of one day, asked as one GraphQL ``certifications`` request and as
  one REST ``POST /api/v1/certifications?fields=...``, both selecting the same fields (ref,
  outcome, certified, unit id, name, designations in force); and over REST with the whole answer
  (restricted titles, bans, evidence and messages too). Every answer must equal the floor's.
  Median of ``--repeat``;
- **floor**: the same answers, precomputed for that day into one SQLite table (credit code or
  unit id -> outcome, unit, name and one row per designation in force), served by a FastAPI app
  that runs one query per 5,000 references over it, builds the same dicts and writes them with
  the same encoder (orjson) as greenreg: what the check costs once "as of D, as known at K" is
  already resolved. Ratios to it are the bank check's overhead;
- **floor over every unit**: the same app over the same answers precomputed for every unit
  (each unit's reference, and the references asked), as a table built ahead of the question
  would have to hold them: at 1,000,000 events ten times the rows of 100,000, where the floor
  above holds the 10,000 asked at either size. Its growth from 100,000 to 1,000,000 is what
  the same query costs in a table ten times larger, beside the check's;
- **object path**: the query of the path the set-based check replaced (``object_bank_check``
  under tests/, kept there as the comparison's reference) with orjson, for the record;
- **coverage**: reading what the registry covers (said by every ``not_found``), which the
  first check after the read models fold another event reads again; median of ``--repeat``;
- **lookup**: ``GET /api/v1/units/{credit code}`` for random units, ``--lookups`` times
  (after a warm-up); p50 and p99; and the same units as single GraphQL ``unit`` queries one
  after another (requests per second);
- **bare**: a plain FastAPI app reading the same rows from one indexed SQLite table (unit,
  name, designations as JSON, keyed by credit code) - the plain-CRUD registry one might build
  instead - answering the same lookups; reported as ratios.

Every time is server time: the app called in this process on one event loop (no socket, no
client library), from the call to the last byte of its answer; the same for the bare app. The
process's garbage collector is tuned as ``greenreg serve`` tunes a worker's
(``greenreg.api.server.settle_collector``).

Targets: bank check ≤ 3x its floor (goal 2x), and at 1,000,000 events ≤ 1.5x its time at
100,000; lookup p50 ≤ 2 ms, p99 ≤ 10 ms. The load average is recorded before and after.

    python -m bench.bench_api [--events 20000] [--lookups 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from tests.integration.object_bank_check import certifications as object_path

from bench.corpus import cached_sqlite_store, read_manifest
from bench.results_table import Metric, metric
from greenreg.api import create_app
from greenreg.api.encoding import JSONBody, plain
from greenreg.api.request_log import logger as request_logger
from greenreg.api.server import settle_collector
from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.projections.coverage import read_coverage
from greenreg.projections.selection import whole

RESULTS = Path(__file__).parent / "results" / "api.json"
CHECK = """query Check($refs: [String!]!, $asOf: Date!) {
  certifications(refs: $refs, asOf: $asOf) {
    results { ref outcome certified unitId name
              designations { programme level jurisdiction status since documentNumber grade } }
  }
}"""
CHECK_FIELDS = "ref,outcome,certified,unit_id,name,designations"
"""The fields the GraphQL check selects, asked of REST and of the floor."""
LOOKUP = """query Lookup($id: ID!) {
  unit(id: $id) { name creditCode designations { programme level status since documentNumber } }
}"""
AS_OF = "2024-06-30"
CHECK_SIZE = 10_000
CHECK_TARGET_MS = 500
TARGET_UNITS = 100_000


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Server:
    """An ASGI app called in this process, one request at a time, on one event loop: what a
    request costs the server, from the call to the last byte of the answer (no socket, no
    client library in the time)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.cpu_ms: list[float] = []
        """The process's CPU time of each request (its own and its worker threads'): what
        it cost the server whatever else the machine runs."""

    def requests(self, asked: list[tuple[str, str, Any]]) -> list[tuple[int, bytes, float]]:
        """(status, answer, milliseconds) of each request (method, path, body sent as JSON),
        one after another in one task, as a server's long-lived task serves them (the thread
        pool's workers live as long as the task that started them)."""

        async def each() -> list[tuple[int, bytes, float]]:
            return [await self._request(*request) for request in asked]

        return self.loop.run_until_complete(each())

    def json(self, method: str, path: str, body: Any = None) -> Any:
        [(status, answer, _)] = self.requests([(method, path, body)])
        assert status == 200, answer[:500]
        return json.loads(answer)

    async def _request(self, method: str, path: str, body: Any) -> tuple[int, bytes, float]:
        content = b"" if body is None else json.dumps(body).encode()
        headers = [(b"host", b"bench"), (b"content-length", str(len(content)).encode())]
        if body is not None:
            headers.append((b"content-type", b"application/json"))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path.partition("?")[0],
            "raw_path": path.partition("?")[0].encode(),
            "query_string": path.partition("?")[2].encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("bench", 80),
        }
        sent = False
        status, chunks = 0, []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)  # the client stays connected
            sent = True
            return {"type": "http.request", "body": content, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        started, cpu = time.perf_counter(), time.process_time()
        await self.app(scope, receive, send)
        self.cpu_ms.append((time.process_time() - cpu) * 1000)
        return status, b"".join(chunks), (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.loop.close()


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


FLOOR_DESIGNATION = ("programme", "level", "jurisdiction", "status", "since", "document_number",
                     "grade")  # fmt: skip


def floor_table(greenreg: Greenreg, refs: list[str], day: str, path: Path) -> int:
    """The check's answers for every reference as of ``day``, precomputed into one table: a row
    per designation in force (or one with none), keyed by the reference."""
    as_of, fields = date.fromisoformat(day), whole(CHECK_FIELDS.split(","))
    answers = []
    for start in range(0, len(refs), CHECK_SIZE):  # as many references as a check takes
        answers += greenreg.queries.check(refs[start : start + CHECK_SIZE], as_of).answers(fields)
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE answers (ref TEXT, outcome TEXT, certified INTEGER, unit_id TEXT, "
        "name TEXT, programme TEXT, level TEXT, jurisdiction TEXT, status TEXT, since TEXT, "
        "document_number TEXT, grade TEXT)"
    )
    rows = []
    for answer in answers:
        head = (answer["ref"], answer["outcome"], answer["certified"], answer["unit_id"],
                answer["name"])  # fmt: skip
        designations = answer["designations"] or [None]
        rows += [head + tuple(d[k] for k in FLOOR_DESIGNATION) if d else head + (None,) * 7
                 for d in designations]  # fmt: skip
    marks = ", ".join("?" * 12)
    connection.executemany(f"INSERT INTO answers VALUES ({marks})", rows)  # noqa: S608
    connection.execute("CREATE INDEX answers_ref ON answers (ref)")
    connection.commit()
    connection.close()
    return len(rows)


def floor_app(path: Path) -> FastAPI:
    """The bank check's floor: the answers already resolved, one query per 5,000 references
    over one table, the same dicts, the same encoder."""
    app = FastAPI()
    connection = sqlite3.connect(path, check_same_thread=False)

    @app.post("/check")
    def check(refs: list[str]) -> JSONResponse:
        results: list[dict[str, Any]] = []
        for start in range(0, len(refs), 5_000):
            chunk = refs[start : start + 5_000]
            found: dict[str, dict[str, Any]] = {}
            for row in connection.execute(
                "SELECT * FROM answers WHERE ref IN (SELECT value FROM json_each(?)) "
                "ORDER BY rowid",
                (orjson.dumps(chunk).decode(),),
            ):
                answer = found.get(row[0])
                if answer is None:
                    answer = found[row[0]] = {
                        "ref": row[0], "outcome": row[1], "certified": bool(row[2]),
                        "unit_id": row[3], "name": row[4], "designations": [],
                    }  # fmt: skip
                if row[5] is not None:
                    answer["designations"].append(
                        dict(zip(FLOOR_DESIGNATION, row[5:], strict=True))
                    )
            results += [found.get(ref) or {"ref": ref, "outcome": "invalid_code"} for ref in chunk]
        return JSONBody({"results": results})

    return app


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

    return app


def bank_check_times(  # noqa: PLR0917 (the servers compared)
    api: Server,
    floor: Server,
    every_unit: Server,
    greenreg: Greenreg,
    check_refs: list[str],
    repeat: int,
) -> tuple[dict[str, int], dict[str, list[float]], list[float]]:
    """The check's outcomes, then the times of the floors (the answers asked, and every
    unit's), REST (the same fields and the whole answer) and GraphQL, interleaved, and of the
    replaced object path's query."""
    payload = {"query": CHECK, "variables": {"refs": check_refs, "asOf": AS_OF}}
    rest_body = {"refs": check_refs, "as_of": AS_OF}
    selected = f"/api/v1/certifications?fields={CHECK_FIELDS}"
    body = api.json("POST", "/graphql", payload)
    assert "errors" not in body, body["errors"]
    outcomes = outcomes_of(body["data"]["certifications"]["results"])
    rest = api.json("POST", selected, rest_body)
    assert rest["results"] == floor.json("POST", "/check", check_refs)["results"]
    assert rest["results"] == every_unit.json("POST", "/check", check_refs)["results"]
    assert outcomes_of(rest["results"]) == outcomes
    whole_answer = api.json("POST", "/api/v1/certifications", rest_body)
    assert [r["outcome"] for r in whole_answer["results"]] == [
        r["outcome"] for r in rest["results"]
    ]
    runs: dict[str, list[float]] = {}
    asked = {
        "floor": (floor, "POST", "/check", check_refs),
        "floor_every_unit": (every_unit, "POST", "/check", check_refs),
        "rest": (api, "POST", selected, rest_body),
        "graphql": (api, "POST", "/graphql", payload),
        "whole": (api, "POST", "/api/v1/certifications", rest_body),
    }
    for _ in range(repeat):  # interleaved: a change of load touches every figure
        for name, (server, method, path, sent) in asked.items():
            runs.setdefault(name, []).extend(timed(server, method, path, sent, 1))
            runs.setdefault(f"{name}_cpu", []).append(server.cpu_ms[-1])
    object_ms = []
    for _ in range(repeat):
        started = time.process_time()
        orjson.dumps(object_path(greenreg.queries.store, check_refs,
                                 date.fromisoformat(AS_OF), None))  # fmt: skip
        object_ms.append((time.process_time() - started) * 1000)
    for _ in range(repeat):  # what the first check after a write reads again
        started = time.perf_counter()
        read_coverage(greenreg.queries.store)
        runs.setdefault("coverage", []).append((time.perf_counter() - started) * 1000)
    return outcomes, runs, object_ms


def times(server: Server, asked: list[tuple[str, str, Any]], warm_up: int = 0) -> list[float]:
    """Milliseconds of each request after the first ``warm_up``; every answer must be 200."""
    samples = []
    for status, answer, ms in server.requests(asked)[warm_up:]:
        assert status == 200, answer[:500]
        samples.append(ms)
    return samples


def lookups(server: Server, paths: list[str]) -> list[float]:
    """The milliseconds of each lookup of ``paths``, after up to 100 of them as a warm-up."""
    warm = paths[:100]
    return times(server, [("GET", path, None) for path in warm + paths], warm_up=len(warm))


def timed(server: Server, method: str, path: str, body: Any, repeat: int) -> list[float]:
    return times(server, [(method, path, body)] * repeat)


def graphql_lookups(server: Server, codes: list[str]) -> float:
    """Single-unit GraphQL lookups one after another, after a warm-up: requests per second."""
    asked = [("POST", "/graphql", {"query": LOOKUP, "variables": {"id": c}}) for c in codes]
    answered = server.requests(asked[:50] + asked)[50:]
    for status, answer, _ in answered:
        assert status == 200, answer[:500]
        assert json.loads(answer)["data"]["unit"], answer[:500]
    return len(codes) / sum(ms for *_, ms in answered) * 1000


def outcomes_of(results: list[dict[str, Any]]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for result in results:
        outcome = str(result["outcome"]).lower()
        counted[outcome] = counted.get(outcome, 0) + 1
    return counted


def measure(events: int, lookup_count: int, repeat: int) -> dict[str, Any]:
    """Every figure of this benchmark, on a copy of the cached corpus of ``events`` events."""
    request_logger.disabled = True  # time the API, not the log handler
    rng = random.Random(2026)
    store = cached_sqlite_store(events)
    refs: list[str] = read_manifest(store)["unit_refs"]
    codes = [r for r in refs if len(r) == 18]
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "greenreg.db"
        shutil.copy(store, copy)
        started = time.perf_counter()
        greenreg = open_greenreg(f"sqlite:///{copy}")  # catches the read models up
        catch_up = time.perf_counter() - started
        rows = bare_table(greenreg, Path(scratch) / "bare.db")
        check_refs = bank_refs(refs, rng)
        floor_rows = floor_table(greenreg, list(dict.fromkeys(check_refs)), AS_OF,
                                 Path(scratch) / "floor.db")  # fmt: skip
        every_unit_rows = floor_table(greenreg, list(dict.fromkeys(refs + check_refs)), AS_OF,
                                      Path(scratch) / "every-unit.db")  # fmt: skip
        try:
            sample = [rng.choice(codes) for _ in range(lookup_count)]
            api = Server(create_app(greenreg, quotas=False))
            bare = Server(bare_app(Path(scratch) / "bare.db"))
            floor = Server(floor_app(Path(scratch) / "floor.db"))
            every_unit = Server(floor_app(Path(scratch) / "every-unit.db"))
            settle_collector()  # as greenreg serve does once its app is built
            load_before = os.getloadavg()
            outcomes, runs, object_ms = bank_check_times(
                api, floor, every_unit, greenreg, check_refs, repeat
            )
            load_after = os.getloadavg()
            api_lookup = lookups(api, [f"/api/v1/units/{c}" for c in sample])
            bare_lookup = lookups(bare, [f"/units/{c}" for c in sample])
            graphql_per_s = graphql_lookups(api, sample)
            api.close()
            bare.close()
            floor.close()
            every_unit.close()
        finally:
            greenreg.close()

    def median(key: str) -> float:
        return round(statistics.median(runs[key]), 1)

    return {
        "events": events,
        "units": len(refs),
        "bare_rows": rows,
        "floor_rows": floor_rows,
        "floor_every_unit_rows": every_unit_rows,
        "read_model_catch_up_s": round(catch_up, 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "bank_check": {
            "references": CHECK_SIZE,
            "fields": CHECK_FIELDS,
            "outcomes": outcomes,
            "floor_median_ms": median("floor"),
            "floor_every_unit_median_ms": median("floor_every_unit"),
            "graphql_median_ms": median("graphql"),
            "rest_median_ms": median("rest"),
            "rest_whole_median_ms": median("whole"),
            "floor_cpu_median_ms": median("floor_cpu"),
            "floor_every_unit_cpu_median_ms": median("floor_every_unit_cpu"),
            "graphql_cpu_median_ms": median("graphql_cpu"),
            "rest_cpu_median_ms": median("rest_cpu"),
            "rest_whole_cpu_median_ms": median("whole_cpu"),
            "object_path_query_cpu_median_ms": round(statistics.median(object_ms), 1),
            "coverage_read_median_ms": median("coverage"),
            "runs_ms": {k: [round(x, 1) for x in v] for k, v in runs.items()},
        },
        "lookup": {
            "count": lookup_count,
            "p50_ms": round(percentile(api_lookup, 0.5), 3),
            "p99_ms": round(percentile(api_lookup, 0.99), 3),
            "bare_p50_ms": round(percentile(bare_lookup, 0.5), 3),
            "bare_p99_ms": round(percentile(bare_lookup, 0.99), 3),
            "graphql_lookups_per_s": round(graphql_per_s, 1),
        },
    }


CLOCKS = (("wall", "_median_ms"), ("CPU", "_cpu_median_ms"))
"""Each time's clock, and the suffix of its median in the report."""


def metrics(report: dict[str, Any]) -> list[Metric]:
    """The table's rows: the bank check (GraphQL and REST) beside its floor, the lookup beside
    the bare app."""
    check, lookup = report["bank_check"], report["lookup"]
    units = report["units"]
    checks = [
        metric(
            f"bank check of {CHECK_SIZE:,} codes, {way}, {units:,} units ({clock} ms)",
            check[f"{key}{suffix}"],
            "ms",
            base_name=f"floor ({clock})",
            base_value=check[f"floor{suffix}"],
            target="≤ 3x the floor (goal 2x)",
            met=check[f"{key}{suffix}"] <= 3 * check[f"floor{suffix}"],
        )
        for clock, suffix in CLOCKS
        for way, key in (
            ("GraphQL", "graphql"),
            ("REST, same fields", "rest"),
            ("REST, whole answer", "rest_whole"),
        )
    ]
    floors = [
        metric(
            f"floor over every unit's answer, {units:,} units ({clock} ms)",
            check[f"floor_every_unit{suffix}"],
            "ms",
            base_name=f"floor over the answers asked ({clock})",
            base_value=check[f"floor{suffix}"],
        )
        for clock, suffix in CLOCKS
    ]
    lookups = [
        metric(
            f"REST lookup {pct} (ms)",
            lookup[f"{pct}_ms"],
            "ms",
            base_name=f"bare FastAPI {pct}",
            base_value=lookup[f"bare_{pct}_ms"],
            target=f"≤ {limit} ms",
            met=lookup[f"{pct}_ms"] <= limit,
        )
        for pct, limit in (("p50", 2), ("p99", 10))
    ]
    return [
        *checks,
        *floors,
        *lookups,
        metric(
            "GraphQL single-unit lookups, one after another",
            lookup["graphql_lookups_per_s"],
            "requests/s",
        ),
    ]


def run(quick: bool, events: int | None = None) -> dict[str, Any]:
    """For ``bench.run_all``: quick, the 20,000-event corpus, one repetition; full, the
    1,000,000-event corpus (more than 100,000 units), medians of 3."""
    size = events or (20_000 if quick else 1_000_000)
    report = measure(size, 500 if quick else 2_000, 1 if quick else 3)
    return {"benchmark": "api", "metrics": metrics(report), "details": report}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    report = measure(args.events, args.lookups, args.repeat)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
