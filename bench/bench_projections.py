"""Read models: rebuild of a large store, and the incremental runner, beside bare decoding.

Targets (the issue): rebuild 1,000,000 events into every read model on SQLite within 60 s;
the incremental runner sustains at least 5,000 events/s. The base of both ratios is bare
eventsourcing reading the same notifications and decoding them with the registry's mapper
(``mapper.to_domain_event``), measured in the same run.

    python -m bench.bench_projections [--events 1000000] [--incremental 100000]

The store: the signed benchmark corpus (``bench.corpus``) takes about as long to build as its
events take to sign and check, so for a million events this benchmark builds its own store,
once, under ``bench/results/``: unit aggregates are made in memory with realistic lives
(registration, designations on one to three lists, renames, yearly reports, warnings, lifted
warnings, removals with bans) and saved through a plain eventsourcing recorder, with
placeholder signatures (the read side never checks them; the write side's benchmarks do).
The events are the registry's own event classes, decoded by the registry's own mapper.
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from stdnum.cn import uscc

from bench.results_table import metric
from greenreg.events.vocabulary import (
    Designated,
    Removed,
    Renamed,
    ReportFiled,
    UnitRegistered,
    Warned,
    WarningLifted,
)
from greenreg.projections import schema
from greenreg.projections.database import ReadStore
from greenreg.projections.queries import Queries
from greenreg.projections.runner import INCREMENTAL_PAGE, Projector
from greenreg.registry.application import Registry
from greenreg.registry.authority import authority_id_for
from greenreg.registry.unit import Unit, unit_id_for_act

RESULTS = Path(__file__).parent / "results"
STORE_VERSION = 1
SEED = 2026
LISTS = [  # (authority, programme, jurisdiction)
    ("miit", "green_factory", "CN"),
    ("miit", "green_park", "CN"),
    ("js-eit", "green_factory", "320000"),
    ("sz-eit", "green_supply_chain", "320500"),
    ("cq-eit", "green_park", "500000"),
]
DIVISIONS = ["320505", "320506", "320583", "500112", "310115", "330106"]
BANK_CHECK = 10_000
BANK_CHECK_DAY = date(2021, 6, 30)
SIGNED_ACT = json.dumps({"padding": "x" * 420})  # about the size of a real signed act


def plain_env(path: Path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}


# --- the store --------------------------------------------------------------------------------


class Life:
    """Records one unit's events with placeholder provenance."""

    def __init__(self, rng: random.Random, recorded: datetime) -> None:
        self.rng = rng
        self.recorded = recorded

    def common(self, authority: str, effective: date) -> dict[str, Any]:
        self.recorded += timedelta(seconds=self.rng.randint(0, 90))
        return {
            "act_id": uuid4(),
            "authority_id": authority_id_for(authority),
            "signed_at": self.recorded,
            "effective_date": effective,
            "document_number": f"文号〔{effective.year}〕{self.rng.randint(1, 999)}号",
            "document_sha256": None,
            "signed_act": SIGNED_ACT,
            "signature": "s" * 86,
            "key_id": "k" * 32,
            "flags": [],
            "timestamp": self.recorded,
        }

    def unit(self, number: int) -> Unit:
        rng = self.rng
        day = date(2016, 1, 1) + timedelta(days=rng.randint(0, 800))
        common = self.common("js-eit", day)
        unit = Unit._create(
            UnitRegistered,
            id=unit_id_for_act(common["act_id"]),
            kind="park",
            name=f"示例绿色园区{number}号（苏州）",
            credit_code=None,
            division=rng.choice(DIVISIONS),
            **common,
        )
        for authority, programme, jurisdiction in rng.sample(LISTS, rng.randint(1, 2)):
            day += timedelta(days=rng.randint(30, 300))
            listing = {"programme": programme, "jurisdiction": jurisdiction}
            unit.record(Designated, batch="第一批", grade=None, **listing,
                        **self.common(authority, day))  # fmt: skip
            for year in range(day.year, min(day.year + rng.randint(0, 3), 2026)):
                filed = date(year + 1, 4, rng.randint(1, 20))
                unit.record(ReportFiled, report="dynamic_management_form", year=year,
                            filed_on=filed, **self.common(authority, filed))  # fmt: skip
            if rng.random() < 0.3:
                day += timedelta(days=rng.randint(30, 300))
                unit.record(Warned, ground="rectification_required",
                            rectify_by=day + timedelta(days=180), **listing,
                            **self.common(authority, day))  # fmt: skip
                day += timedelta(days=rng.randint(10, 170))
                if rng.random() < 0.5:
                    unit.record(WarningLifted, **listing, **self.common(authority, day))
                else:
                    ban = {"programmes": [programme], "jurisdictions": [jurisdiction],
                           "first_day": day.isoformat(),
                           "last_day": day.replace(year=day.year + 3).isoformat()
                           if not (day.month == 2 and day.day == 29)
                           else date(day.year + 3, 2, 28).isoformat(),
                           "rule": "003 art. 17(3): 3 years",
                           "ground": "not_operating"}  # fmt: skip
                    unit.record(Removed, ground="not_operating",
                                ended=[f"{programme}@{jurisdiction}"], bans=[ban], **listing,
                                **self.common(authority, day))  # fmt: skip
            if rng.random() < 0.3:
                day += timedelta(days=rng.randint(1, 200))
                unit.record(Renamed, new_name=f"示例低碳园区{number}号", reported_on=day,
                            **self.common("js-eit", day))  # fmt: skip
        return unit


def build_store(events: int) -> Path:
    """A SQLite store of about ``events`` events, built once and kept under bench/results."""
    path = RESULTS / f"projections-v{STORE_VERSION}-{events}-seed{SEED}.db"
    if path.exists():
        return path
    RESULTS.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    registry = Registry(env=plain_env(building))
    life = Life(random.Random(SEED), datetime(2026, 1, 1, tzinfo=UTC))
    stored, number = 0, 0
    while stored < events:
        batch = []
        while stored < events and len(batch) < 1_000:
            unit = life.unit(number)
            number += 1
            stored += len(unit.pending_events)
            batch.append(unit)
        registry.save(*batch)
    print(f"store: {stored:,} events")
    registry.close()
    with sqlite3.connect(building) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    building.rename(path)
    return path


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


def run(
    quick: bool = False, events: int | None = None, incremental: int | None = None
) -> dict[str, Any]:
    events = events or (20_000 if quick else 1_000_000)
    incremental = incremental or (10_000 if quick else 100_000)
    source = build_store(events)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.db"
        shutil.copy(source, path)
        registry = Registry(env=plain_env(path))
        store = ReadStore(plain_env(path))
        count, decode_seconds = decode_rate(registry)
        projector = Projector(registry, store)
        started = time.perf_counter()
        rebuilt = projector.rebuild()
        rebuild_seconds = time.perf_counter() - started
        refs = bank_check_refs(store, random.Random(SEED))
        check_runs = bank_check_ms(store, refs)
        folded, incremental_seconds = incremental_rate(registry, store, incremental)
        store.close()
        registry.close()
    decode_per_s = count / decode_seconds
    incremental_per_s = folded / incremental_seconds
    rebuild_per_s = rebuilt / rebuild_seconds
    return {
        "benchmark": "projections",
        "metrics": [
            metric(
                f"rebuild of {rebuilt:,} events (s)",
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
                target="well under 150 ms",
                met=statistics.median(check_runs) < 150,
            ),
        ],
        "details": {
            "events": count,
            "decode_seconds": round(decode_seconds, 2),
            "rebuild_seconds": round(rebuild_seconds, 2),
            "incremental_events": folded,
            "incremental_seconds": round(incremental_seconds, 2),
            "bank_check_runs_ms": [round(x, 1) for x in check_runs],
            "store": source.name,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--incremental", type=int, default=100_000)
    args = parser.parse_args()
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
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "projections.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
