"""Read models: rebuild of a large store, and the incremental runner, beside bare decoding.

Targets (the issue): rebuild 1,000,000 events into every read model on SQLite within 60 s;
the incremental runner sustains at least 5,000 events/s. The base of both ratios is bare
eventsourcing reading the same notifications and decoding them with the registry's mapper
(``mapper.to_domain_event``), measured in the same run.

    python -m bench.bench_projections [--events 1000000] [--incremental 100000]
    python -m bench.bench_projections --events 1000000 --rebuild-only [--repeat 3]

``--rebuild-only`` measures the rebuild alone, each round beside a bare decode of the same
store: its wall and CPU time, and how they divide between folding the log (reading, decoding,
folding and inserting the appended rows, page by page) and the end (writing the units' present
rows, the search terms, the digest of the present rows, the index builds and the commit); the
bank check and the incremental runner are left out.

The store is the signed benchmark corpus (``bench.corpus.cached_sqlite_store``, built once and
kept under ``bench/results/corpus/``), copied; its read models are dropped and rebuilt.

Beside each wall time the details keep this process's CPU time for the same work
(``*_cpu_s``): on a shared, loaded machine the wall times of one run wander with the load, the
CPU times much less, so two runs compare by both. A rebuild of a large log writes its rows in
a process beside the fold (``greenreg.projections.bulk_writer``): its CPU time is kept apart
(``rebuild_writer_cpu_s``, ``writer_cpu_s``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from stdnum.cn import uscc

from bench.corpus import cached_sqlite_store
from bench.results_table import metric
from greenreg.projections import schema
from greenreg.projections.database import ReadStore
from greenreg.projections.queries import Queries
from greenreg.projections.runner import INCREMENTAL_PAGE, Projector
from greenreg.registry.application import Registry

RESULTS = Path(__file__).parent / "results"
SEED = 2026
DIVISIONS = ["320505", "320506", "320583", "500112", "310115", "330106"]
BANK_CHECK = 10_000
BANK_CHECK_DAY = date(2021, 6, 30)
CPU_PARTS = ("decode", "rebuild", "rebuild_writer", "incremental")


def plain_env(path: Path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}


# --- the measurements -------------------------------------------------------------------------


def decode_rate(registry: Registry, page: int = 10_000) -> tuple[int, float]:
    """Bare eventsourcing: read every notification in pages and decode it with the mapper."""
    started = time.perf_counter()
    position, count = 0, 0
    to_domain_event = registry.mapper.to_domain_event
    while True:
        notifications = registry.recorder.select_notifications(start=position + 1, limit=page)
        if not notifications:
            break
        for notification in notifications:
            to_domain_event(notification)
        count += len(notifications)
        position = notifications[-1].id
    return count, time.perf_counter() - started


def incremental_rate(registry: Registry, store: ReadStore, events: int) -> tuple[int, float]:
    """The incremental runner from empty read models over the first ``events`` events, in its
    own batches (each one transaction, memos loaded from the tables, tracking written)."""
    projector = Projector(registry, store)
    with store.transaction() as cursor:
        schema.drop_tables(cursor)
    projector.ensure_tables()
    started = time.perf_counter()
    done = 0
    while done < events:
        start = projector.position()
        notifications = registry.recorder.select_notifications(
            start=start + 1, limit=min(INCREMENTAL_PAGE, events - done)
        )
        if not notifications:
            break
        projector.apply(start, notifications)
        done += len(notifications)
    return done, time.perf_counter() - started


def bank_check_refs(store: ReadStore, rng: random.Random) -> list[str]:
    """10,000 references for the bank check: 90 % known units (by id, spread over the whole
    store), 7 % valid credit codes of no unit, 3 % malformed codes."""
    units = [row[0] for row in store.query("SELECT unit_id FROM rm_units ORDER BY unit_id")]
    refs = [units[i * len(units) // BANK_CHECK] for i in range(BANK_CHECK)]
    for i in rng.sample(range(BANK_CHECK), BANK_CHECK // 10):
        refs[i] = unknown_credit_code(rng) if rng.random() < 0.7 else f"91BAD{i:013d}"
    return refs


def unknown_credit_code(rng: random.Random) -> str:
    """A valid unified social credit code (GB 32100) that no unit in this store has."""
    body = "91" + rng.choice(DIVISIONS) + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY")
                                                 for _ in range(9))  # fmt: skip
    return body + uscc.calc_check_digit(body)


def bank_check_ms(store: ReadStore, refs: list[str], repeat: int = 3) -> list[float]:
    """``Queries.certifications`` alone (no HTTP, no GraphQL), as of one day, ``repeat`` times
    after a warm-up."""
    queries = Queries(store)
    queries.certifications(refs, as_of=BANK_CHECK_DAY)
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        queries.certifications(refs, as_of=BANK_CHECK_DAY)
        runs.append((time.perf_counter() - started) * 1000)
    return runs


def children_cpu() -> float:
    """The CPU time of this process's ended children (the rebuild's writer process)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


@dataclass
class Rebuilt:
    """One round: the bare decode and the rebuild after it, wall and CPU seconds (``writer_cpu_s``:
    the CPU time of the rebuild's writer process, beside this one's); the rebuild's end, from
    its last page folded to its commit."""

    events: int
    decode_s: float
    decode_cpu_s: float
    rebuild_s: float
    rebuild_cpu_s: float
    end_s: float
    end_cpu_s: float
    writer_cpu_s: float


def rebuild_round(registry: Registry, projector: Projector) -> Rebuilt:
    """A bare decode of the store, then a rebuild of its read models, timed."""
    began = time.process_time()
    _, decode_s = decode_rate(registry)
    decode_cpu_s = time.process_time() - began
    folded: list[tuple[float, float]] = []

    def progress(done: int, total: int) -> None:
        folded.append((time.perf_counter(), time.process_time()))

    began, started, writer = time.process_time(), time.perf_counter(), children_cpu()
    events = projector.rebuild(progress=progress)
    ended, ended_cpu = time.perf_counter(), time.process_time()
    last, last_cpu = folded[-1] if folded else (started, began)
    return Rebuilt(
        events, decode_s, decode_cpu_s, ended - started, ended_cpu - began, ended - last,
        ended_cpu - last_cpu, children_cpu() - writer,
    )  # fmt: skip


def run_rebuild(events: int, repeat: int = 3, here: bool = False) -> dict[str, Any]:
    """``repeat`` rounds of a bare decode and a rebuild, on a copy of the corpus store
    (``here``: every row written by this process, none beside it)."""
    source = cached_sqlite_store(events)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.db"
        shutil.copy(source, path)
        registry = Registry(env=plain_env(path))
        store = ReadStore(plain_env(path))
        projector = Projector(registry, store)
        if here:
            projector.beside_from = None
        rounds = [rebuild_round(registry, projector) for _ in range(repeat)]
        store.close()
        registry.close()
    rebuild_s = statistics.median(r.rebuild_s for r in rounds)
    decode_s = statistics.median(r.decode_s for r in rounds)
    count = rounds[0].events
    return {
        "benchmark": "projections",
        "metrics": [
            metric(
                f"rebuild of {count:,} events (s, median of {repeat})",
                round(rebuild_s, 1),
                "s",
                base_name="bare decode (s)",
                base_value=round(decode_s, 1),
                target="≤ 60 s for 1,000,000 events",
                met=rebuild_s <= 60 if count >= 1_000_000 else None,
            ),
            metric(
                "rebuild events/s",
                round(count / rebuild_s),
                "events/s",
                base_name="bare decode events/s",
                base_value=round(count / decode_s),
            ),
        ],
        "details": {
            "events": count,
            "rounds": [{k: round(v, 2) for k, v in asdict(r).items()} for r in rounds],
            "load_average": os.getloadavg(),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "store": source.name,
            "written": "here" if projector.beside_from is None else "beside",
        },
    }


def run(
    quick: bool = False, events: int | None = None, incremental: int | None = None
) -> dict[str, Any]:
    events = events or (20_000 if quick else 1_000_000)
    incremental = incremental or (10_000 if quick else 100_000)
    repeat = 1 if quick else 3
    source = cached_sqlite_store(events)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.db"
        shutil.copy(source, path)
        registry = Registry(env=plain_env(path))
        store = ReadStore(plain_env(path))
        projector = Projector(registry, store)
        decodes, rebuilds, increments = [], [], []
        cpu: dict[str, list[float]] = {part: [] for part in CPU_PARTS}
        for _ in range(repeat):  # each rebuild beside a bare decode of the same run
            began = time.process_time()
            count, seconds = decode_rate(registry)
            decodes.append(seconds)
            cpu["decode"].append(time.process_time() - began)
            began, started, writer = time.process_time(), time.perf_counter(), children_cpu()
            rebuilt = projector.rebuild()
            rebuilds.append(time.perf_counter() - started)
            cpu["rebuild"].append(time.process_time() - began)
            cpu["rebuild_writer"].append(children_cpu() - writer)
        refs = bank_check_refs(store, random.Random(SEED))
        check_runs = bank_check_ms(store, refs)
        for _ in range(repeat):
            began = time.process_time()
            folded, seconds = incremental_rate(registry, store, incremental)
            increments.append(seconds)
            cpu["incremental"].append(time.process_time() - began)
        store.close()
        registry.close()
    decode_seconds = statistics.median(decodes)
    rebuild_seconds = statistics.median(rebuilds)
    incremental_seconds = statistics.median(increments)
    decode_per_s = count / decode_seconds
    incremental_per_s = folded / incremental_seconds
    rebuild_per_s = rebuilt / rebuild_seconds
    return {
        "benchmark": "projections",
        "metrics": [
            metric(
                f"rebuild of {rebuilt:,} events (s, median of {repeat})",
                round(rebuild_seconds, 1),
                "s",
                base_name="bare decode (s)",
                base_value=round(decode_seconds, 1),
                target="≤ 60 s for 1,000,000 events",
                met=rebuild_seconds <= 60 * rebuilt / 1_000_000 if rebuilt >= 1_000_000 else None,
            ),
            metric(
                "rebuild events/s",
                round(rebuild_per_s),
                "events/s",
                base_name="bare decode events/s",
                base_value=round(decode_per_s),
            ),
            metric(
                "incremental events/s",
                round(incremental_per_s),
                "events/s",
                base_name="bare decode events/s",
                base_value=round(decode_per_s),
                target="≥ 5,000 events/s",
                met=incremental_per_s >= 5_000,
            ),
            metric(
                f"bank check of {len(refs):,} refs, query alone (ms, median of {len(check_runs)})",
                round(statistics.median(check_runs), 1),
                "ms",
            ),
        ],
        "details": {
            "events": count,
            "decode_seconds": round(decode_seconds, 2),
            "rebuild_seconds": round(rebuild_seconds, 2),
            "rebuild_runs_s": [round(x, 2) for x in rebuilds],
            "decode_runs_s": [round(x, 2) for x in decodes],
            "incremental_runs_s": [round(x, 2) for x in increments],
            "incremental_events": folded,
            "incremental_seconds": round(incremental_seconds, 2),
            "bank_check_runs_ms": [round(x, 1) for x in check_runs],
            **{f"{name}_cpu_s": round(statistics.median(runs), 2) for name, runs in cpu.items()},
            "store": source.name,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--incremental", type=int, default=100_000)
    parser.add_argument(
        "--rebuild-only", action="store_true", help="the rebuild beside the bare decode, alone"
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds of --rebuild-only")
    parser.add_argument(
        "--here", action="store_true", help="--rebuild-only with no writer process beside"
    )
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.rebuild_only:
        result = run_rebuild(args.events, args.repeat, here=args.here)
        print_rebuild(result)
        (RESULTS / "projections-rebuild.json").write_text(json.dumps(result, indent=1))
        return
    result = run(events=args.events, incremental=args.incremental)
    for m in result["metrics"]:
        base = (
            f"  (base {m['base_name']}: {m['base_value']:,}; ratio {m['ratio']})"
            if m["base_name"]
            else ""
        )
        print(
            f"{m['name']}: {m['value']:,} {m['unit']}{base}  target: {m['target']}  met: {m['met']}"
        )
    details = result["details"]
    print(
        "CPU time of this process (s, median): "
        + ", ".join(f"{name} {details[f'{name}_cpu_s']}" for name in CPU_PARTS)
    )
    (RESULTS / "projections.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))


def print_rebuild(result: dict[str, Any]) -> None:
    """Each round of ``--rebuild-only`` on a line, then the medians against the target."""
    details = result["details"]
    for number, r in enumerate(details["rounds"], 1):
        print(
            f"round {number}: bare decode {r['decode_s']:.2f} s (CPU {r['decode_cpu_s']:.2f} s, "
            f"{r['events'] / r['decode_s']:,.0f} events/s); rebuild {r['rebuild_s']:.2f} s "
            f"(CPU {r['rebuild_cpu_s']:.2f} s, {r['rebuild_s'] / r['decode_s']:.2f} x the "
            f"decode's wall, {r['rebuild_cpu_s'] / r['decode_cpu_s']:.2f} x its CPU; its writer "
            f"process CPU {r['writer_cpu_s']:.2f} s), of which the end {r['end_s']:.2f} s "
            f"(CPU {r['end_cpu_s']:.2f} s)"
        )
    for m in result["metrics"]:
        print(
            f"{m['name']}: {m['value']:,} {m['unit']}  (base {m['base_name']}: "
            f"{m['base_value']:,}; ratio {m['ratio']})  target: {m['target']}  met: {m['met']}"
        )
    load = ", ".join(f"{x:.2f}" for x in details["load_average"])
    print(
        f"peak RSS {details['peak_rss_mb']:,} MB; load average at the end {load}; rows written "
        f"{details['written']} (beside: by a writer process)"
    )


if __name__ == "__main__":
    main()
