"""Append per announcement batch: the corpus's announcements, each in one transaction.

For each backend (SQLite file, PostgreSQL schema) and repeat, on a fresh store:

- **greenreg**: the first ``--events`` events of the benchmark corpus (:mod:`bench.corpus`),
  one ``Greenreg.submit_batch`` per announcement, through the facade the CLI and API use (so
  whatever follows a write there, such as the transparency log or read models, is included),
  with the registry's clock at each announcement's recording time. Signing is done before.
- **bare**: the same acts as plain ``eventsourcing`` events, one aggregate per unit (or
  authority), created by its first act and appended to by the others, each announcement saved
  in one ``Application.save`` call: the same number of events and transactions, no signature,
  no rules, no log.

Reports events/s, batches/s and batch latency p50/p99, medians over the repeats.

    python -m bench.bench_batches [--events 20000] [--repeat 3] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from rich.console import Console

from bench.bench_append import fresh_database
from bench.corpus import Announcement, corpus
from bench.corpus.store import Clock
from bench.results_table import metric
from greenreg.bootstrap import open_greenreg, persistence_env
from greenreg.registry.authority import authority_id_for
from greenreg.registry.unit import unit_id_for_act, unit_id_for_credit_code

RESULTS = Path(__file__).resolve().parent / "results" / "batches.json"


class BareRecord(Aggregate):
    """A unit or authority as a plain aggregate: the first act creates it, others append."""

    @event("Created")
    def __init__(self, *, act: dict[str, Any]) -> None:
        self.acts = 1

    @event("Recorded")
    def record(self, *, act: dict[str, Any]) -> None:
        self.acts += 1


def subject_of(act: dict[str, Any]) -> UUID:
    """Which aggregate an act is about, as greenreg would name it."""
    if act["type"] == "register_unit":
        code = act.get("credit_code")
        return unit_id_for_credit_code(code) if code else unit_id_for_act(UUID(act["act_id"]))
    reference = act.get("unit") or act.get("for_authority") or act.get("code") or "root"
    try:
        return UUID(reference)
    except ValueError:
        pass
    if len(reference) == 18:
        return unit_id_for_credit_code(reference)
    return authority_id_for(reference)


class BareRecords(Application[UUID]):
    name = "barerecords"

    def save_batch(self, acts: list[dict[str, Any]]) -> int:
        pending: dict[UUID, BareRecord] = {}
        for act in acts:
            subject = subject_of(act)
            aggregate = pending.get(subject)
            if aggregate is None:
                try:
                    aggregate = self.repository.get(subject)
                except AggregateNotFoundError:
                    aggregate = None
            if aggregate is None:
                aggregate = BareRecord._create(BareRecord.Created, id=subject, act=act)
            else:
                aggregate.record(act=act)
            pending[subject] = aggregate
        self.save(*pending.values())
        return len(acts)


@dataclass(frozen=True)
class Run:
    seconds: float
    events: int
    latencies: list[float]

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        return {
            "seconds": round(self.seconds, 3),
            "events": self.events,
            "batches": len(ordered),
            "events_per_s": round(self.events / self.seconds, 1),
            "batches_per_s": round(len(ordered) / self.seconds, 1),
            "batch_p50_ms": round(ordered[len(ordered) // 2] * 1e3, 2),
            "batch_p99_ms": round(
                ordered[min(len(ordered) - 1, len(ordered) * 99 // 100)] * 1e3, 2
            ),
        }


def run_greenreg(url: str, announcements: list[Announcement]) -> Run:
    clock = Clock()
    greenreg = open_greenreg(url, clock=clock)
    latencies, events = [], 0
    try:
        started = time.perf_counter()
        for announcement in announcements:
            clock.now = announcement.recorded_at
            t = time.perf_counter()
            events += sum(len(r.events) for r in greenreg.submit_batch(announcement.acts))
            latencies.append(time.perf_counter() - t)
        seconds = time.perf_counter() - started
    finally:
        greenreg.close()
    return Run(seconds, events, latencies)


def run_bare(url: str, announcements: list[Announcement]) -> Run:
    app = BareRecords(env=persistence_env(url))
    bodies = [[a["act"] for a in announcement.acts] for announcement in announcements]
    latencies, events = [], 0
    try:
        started = time.perf_counter()
        for acts in bodies:
            t = time.perf_counter()
            events += app.save_batch(acts)
            latencies.append(time.perf_counter() - t)
        seconds = time.perf_counter() - started
    finally:
        app.close()
    return Run(seconds, events, latencies)


def median_of(runs: list[Run]) -> dict[str, float]:
    summaries = [r.summary() for r in runs]
    return {key: statistics.median(s[key] for s in summaries) for key in summaries[0]}


def measure_all(events: int, repeat: int, backends: list[str]) -> dict[str, Any]:
    console = Console(log_path=False)
    started = time.perf_counter()
    announcements = list(corpus(events))
    console.log(
        f"generated and signed {events} events in {len(announcements)} announcements "
        f"in {time.perf_counter() - started:.1f} s (untimed)"
    )
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="greenreg-batches-") as workdir:
        for backend in backends:
            runs: dict[str, list[Run]] = {"greenreg": [], "bare": []}
            for r in range(repeat):
                order = ("greenreg", "bare") if r % 2 == 0 else ("bare", "greenreg")
                for system in order:
                    with fresh_database(backend, f"batch_{system}_{r}", Path(workdir)) as url:
                        run = (run_greenreg if system == "greenreg" else run_bare)(
                            url, announcements
                        )
                    runs[system].append(run)
                    console.log(f"{backend} {system} repeat {r + 1}: {run.summary()}")
            out[backend] = {
                "greenreg": median_of(runs["greenreg"]),
                "bare": median_of(runs["bare"]),
                "runs": {k: [r.summary() for r in v] for k, v in runs.items()},
            }
    return {
        "benchmark": "batches",
        "events": events,
        "announcements": len(announcements),
        "mean_batch": round(events / len(announcements), 2),
        "repeat": repeat,
        "backends": out,
    }


def metrics_of(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for backend, result in report["backends"].items():
        green, bare = result["greenreg"], result["bare"]
        rows.append(
            metric(
                f"append per announcement batch, {backend} (mean {report['mean_batch']} acts)",
                green["events_per_s"],
                "events/s",
                base_name="bare eventsourcing",
                base_value=bare["events_per_s"],
            )
        )
        rows.append(
            metric(
                f"batch latency p50 / p99, {backend}",
                green["batch_p50_ms"],
                f"ms p50 / {green['batch_p99_ms']} ms p99",
                base_name="bare p50",
                base_value=bare["batch_p50_ms"],
            )
        )
    return rows


def run(quick: bool) -> dict[str, Any]:
    """For ``python -m bench.run_all`` (quick: 3,000 events, 1 repeat)."""
    events, repeat = (3_000, 1) if quick else (20_000, 3)
    report = measure_all(events, repeat, ["sqlite", "postgres"])
    return {"benchmark": "batches", "metrics": metrics_of(report), "details": report}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    report = measure_all(args.events, args.repeat, backends)
    for row in metrics_of(report):
        print(row)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
