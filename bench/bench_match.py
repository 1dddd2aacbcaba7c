"""Bulk matching: 10,000 borrower names against every unit of a corpus, beside rapidfuzz's
``process.extract`` over the same names.

On a copy of a cached corpus store (``bench.corpus``; ``--events``, default 20,000; the
1,000,000-event corpus holds about 155,000 units), its read models rebuilt (the search table
keeps the matching features) before timing:

- **queries**: 10,000 names of random units, each written as a loan book might (a wrong
  character, traditional characters, another legal form, a bracketed region added), seeded;
- **match**: one ``POST /api/v1/match`` of the 10,000 (server time, as ``bench.bench_api``
  measures it), median of ``--repeat``, after a first request that builds the name index
  (reported on its own); and how often the best candidate is the unit the name came from;
- **name index**: built from every name (what the first request does), and brought up to date
  after one write (the names of the unit the last event touched reloaded and replaced, what a
  request after a write does), median of ``--repeat``;
- **peer**: ``rapidfuzz.process.extract`` (``fuzz.ratio`` on the normalised names, the best 3)
  over every unit's name, for ``--peer-sample`` of the same queries (the whole 10,000 would take
  minutes on 155,000 units): per-query time, scaled to 10,000, and its accuracy on the sample.

A query counts as answered right when the best candidate is the unit the name came from or a
unit of the very same (normalised) name: the corpus gives some units the same name, and no
name matcher can tell those apart. Both sides are scored so, on the same sample.

    python -m bench.bench_match [--events 20000] [--repeat 3] [--peer-sample 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import zhconv
from rapidfuzz import fuzz, process

from bench.bench_api import Server
from bench.corpus import cached_sqlite_store
from bench.results_table import Metric, metric
from greenreg.api import create_app
from greenreg.api.request_log import logger as request_logger
from greenreg.api.server import settle_collector
from greenreg.bootstrap import open_greenreg
from greenreg.matching.normalise import normalise, parse
from greenreg.projections.database import ReadStore
from greenreg.projections.name_index import NameIndex, index_entries, updated_index

RESULTS = Path(__file__).parent / "results" / "match.json"
QUERIES = 10_000
AS_OF = "2024-06-30"
REPLACEMENTS = "甲乙丙丁戊己庚辛壬癸"


def variant(name: str, rng: random.Random) -> str:
    """The name as a loan book might write it."""
    way = rng.randrange(4)
    core = parse(name).core
    if way == 0 and len(core) >= 6 and core in name:
        at = name.index(core) + rng.randrange(1, len(core))
        return name[:at] + rng.choice(REPLACEMENTS) + name[at + 1 :]
    if way == 1:
        return str(zhconv.convert(name, "zh-hk"))
    if way == 2 and name.endswith("有限公司"):
        return name.removesuffix("有限公司") + "有限责任公司"
    return f"{name}（{rng.choice(('江苏', '浙江', '广东'))}）"


def measure(events: int, repeat: int, peer_sample: int) -> dict[str, Any]:
    request_logger.disabled = True
    rng = random.Random(2026)
    store = cached_sqlite_store(events)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "greenreg.db"
        shutil.copy(store, copy)
        greenreg = open_greenreg(f"sqlite:///{copy}")
        try:
            started = time.perf_counter()
            greenreg.projector.rebuild()
            rebuild_s = time.perf_counter() - started
            units = greenreg.queries.store.query("SELECT unit_id, name FROM rm_units")
            chosen = [rng.choice(units) for _ in range(QUERIES)]
            names = [variant(name, rng) for _, name in chosen]
            body = {"queries": [{"name": n} for n in names], "as_of": AS_OF}
            api = Server(create_app(greenreg, quotas=False))
            settle_collector()
            started = time.perf_counter()
            first = api.json("POST", "/api/v1/match", body)
            cold_ms = (time.perf_counter() - started) * 1000
            runs = [api.requests([("POST", "/api/v1/match", body)])[0][2] for _ in range(repeat)]
            api.close()
            build_s, update_ms = index_costs(greenreg.queries.store, repeat)
        finally:
            greenreg.close()
    # Right: the best candidate is the unit the name came from, or (the corpus repeats names)
    # a unit of the very same name, which no name matcher can tell apart from it.
    ours_right = [
        bool(result["candidates"])
        and (
            result["candidates"][0]["unit_id"] == unit
            or normalise(result["candidates"][0]["name"]) == normalise(name)
        )
        for (unit, name), result in zip(chosen, first["results"], strict=True)
    ]
    matched = sum(1 for r in first["results"] if r["match"])
    # The peer: rapidfuzz over the same names, normalised the same way.
    ids = [unit for unit, _ in units]
    norms = [normalise(name) for _, name in units]
    sample = list(range(min(peer_sample, QUERIES)))
    started = time.perf_counter()
    best = [process.extract(normalise(names[i]), norms, scorer=fuzz.ratio, limit=3) for i in sample]
    peer_s = time.perf_counter() - started
    peer_right = [
        ids[top[0][2]] == chosen[i][0] or norms[top[0][2]] == normalise(chosen[i][1])
        for i, top in zip(sample, best, strict=True)
    ]
    return {
        "events": events,
        "units": len(units),
        "rebuild_s": round(rebuild_s, 1),
        "queries": QUERIES,
        "match": {
            "first_request_ms": round(cold_ms, 1),
            "median_ms": round(statistics.median(runs), 1),
            "runs_ms": [round(x, 1) for x in runs],
            "best_is_source": round(sum(ours_right) / QUERIES, 4),
            "best_is_source_on_peer_sample": round(
                sum(ours_right[i] for i in sample) / len(sample), 4
            ),
            "matched_at_threshold": round(matched / QUERIES, 4),
        },
        "name_index": {"build_s": round(build_s, 2), "update_after_one_write_ms": update_ms},
        "peer": {
            "sample": len(sample),
            "seconds": round(peer_s, 2),
            "ms_per_query": round(peer_s * 1000 / len(sample), 3),
            "scaled_to_10000_ms": round(peer_s * 1000 / len(sample) * QUERIES, 1),
            "best_is_source": round(sum(peer_right) / len(sample), 4),
        },
    }


def index_costs(store: ReadStore, repeat: int) -> tuple[float, float]:
    """Seconds to build the name index from every name; milliseconds (median) to bring it up
    to date after the last event (its unit's names reloaded and replaced)."""
    started = time.perf_counter()
    index = NameIndex(index_entries(store))
    build_s = time.perf_counter() - started
    last = int(store.query("SELECT MAX(position) FROM rm_history")[0][0])
    updates = []
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        updated = updated_index(store, last - 1, index)
        updates.append((time.perf_counter() - started) * 1000)
        if updated is None or updated is index:
            raise RuntimeError("the name index was not updated from the last event")
    return build_s, round(statistics.median(updates), 2)


def metrics(report: dict[str, Any]) -> list[Metric]:
    ours, peer = report["match"], report["peer"]
    units = report["units"]
    return [
        metric(
            f"match of {QUERIES:,} names against {units:,} units (ms)",
            ours["median_ms"],
            "ms",
            base_name="rapidfuzz process.extract, scaled",
            base_value=peer["scaled_to_10000_ms"],
        ),
        metric("first match request, name index built (ms)", ours["first_request_ms"], "ms"),
        metric(
            "best candidate is the source unit (or one of the same name), on the peer's sample",
            ours["best_is_source_on_peer_sample"] * 100,
            "%",
            base_name="rapidfuzz process.extract",
            base_value=peer["best_is_source"] * 100,
        ),
        metric("matched at the default threshold", ours["matched_at_threshold"] * 100, "%"),
        metric(
            "name index brought up to date after one write (ms)",
            report["name_index"]["update_after_one_write_ms"],
            "ms",
            base_name="built from every name (ms)",
            base_value=round(report["name_index"]["build_s"] * 1000, 1),
        ),
    ]


def run(quick: bool, events: int | None = None) -> dict[str, Any]:
    """For ``bench.run_all``: quick, the 20,000-event corpus, one repetition; full, the
    1,000,000-event corpus (about 155,000 units), medians of 3."""
    size = events or (20_000 if quick else 1_000_000)
    report = measure(size, 1 if quick else 3, 200 if quick else 1_000)
    return {"benchmark": "match", "metrics": metrics(report), "details": report}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-sample", type=int, default=1_000)
    args = parser.parse_args(argv)
    report = measure(args.events, args.repeat, args.peer_sample)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
