"""``greenreg verify`` over a large store, against the Ed25519 budget, measured in the same run.

Target (the issue): verify N events within 1.25 x (N x one Ed25519 verification / cores).

    python -m bench.bench_verify [--events 1000000] [--workers N]

The store is the benchmark corpus (``bench.corpus.cached_sqlite_store``, built once and kept);
the run copies it, declares its log key with the corpus root key, then:

1. times one Ed25519 verification: ``verify_signature`` over a sample of the store's own
   signed acts, serially, in this process;
2. times the **floor**: the stateless part alone, which any audit must do for every entry
   (read the log, hash the leaf, read the JSON, verify the signature), on the same worker
   processes (:class:`greenreg.audit.pool.Pool`) - what is left of the budget for the rules;
3. runs ``greenreg verify`` on the database as the command does: the audit (on ``--workers``
   processes, each holding its share of the units: leaf hashes, entry parsing, signatures and
   the in-memory rule replay; this process reads the log and keeps the Merkle tree; checkpoint
   signatures on the workers too), then the live read models against a rebuild from the log;
   times each part;
4. prints them, the budget and the ratios, and writes ``bench/results/verify.json``.

An export (``greenreg verify --from DIR``) has no read models: its time is the audit's.

``run(quick, events)`` is the same for :mod:`bench.run_all`: 20,000 events quick, 1,000,000 in
full, the verify time beside the budget and the µs per event beside one verification.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

from bench.corpus import cached_sqlite_store, keyring
from bench.corpus.store import log_key_path
from bench.results_table import metric, runs
from greenreg.audit.pool import Pool
from greenreg.audit.prepare import FORGED
from greenreg.audit.read_models import read_model_problems
from greenreg.audit.source import DatabaseSource
from greenreg.audit.verify import Audit
from greenreg.bootstrap import open_read_store, open_registry
from greenreg.events.signing import b64decode, key_id_of, verify_signature
from greenreg.registry.application import Registry
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables

RESULTS = Path(__file__).parent / "results"


def one_verification(recorder: LogTables, sample: int) -> float:
    """Seconds per Ed25519 verification, over ``sample`` of the store's signed acts."""
    keys: dict[str, bytes] = {}
    jobs = []
    registry_mapper = Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    for entry in recorder.log_entries(0, None):
        assert entry.topic is not None
        assert entry.state is not None
        event = registry_mapper.to_domain_event(
            StoredEvent(entry.originator_id, entry.originator_version, entry.topic, entry.state)
        )
        state = vars(event)
        if "root_public_key" in state:
            key = b64decode(state["root_public_key"], "key")
            keys[key_id_of(key)] = key
        if "new_key_id" in state:
            key = b64decode(state["public_key"], "key")
            keys[key_id_of(key)] = key
        jobs.append(
            (
                keys[state["key_id"]],
                state["signed_act"].encode("utf-8"),
                b64decode(state["signature"], "signature"),
            )
        )
        if len(jobs) >= sample:
            break
    started = time.perf_counter()
    for public_key, message, signature in jobs:
        verify_signature(public_key, message, signature)
    return (time.perf_counter() - started) / len(jobs)


def floor(recorder: LogTables, workers: int) -> float:
    """Seconds for the stateless part of an audit alone, over the whole log: each entry read,
    its leaf hashed, its JSON read and its signature verified, on ``workers`` processes."""
    started = time.perf_counter()
    with Pool(workers) as pool:
        for entry, prepared in pool.prepared(recorder.log_entries()):
            assert prepared.signature_status != FORGED, entry.position
            assert not prepared.error, (entry.position, prepared.error)
    return time.perf_counter() - started


def measure(
    events: int, workers: int | None = None, sample: int = 5_000, repeat: int = 1
) -> dict[str, Any]:
    """``repeat`` audits of the ``events``-event corpus, each beside one Ed25519 verification
    timed in the same run; the medians, the budget and the ratio."""
    workers = workers or os.cpu_count() or 1
    store = cached_sqlite_store(events)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store.db"
        shutil.copy(store, copy)
        # The key that signed the store's checkpoints while it was built, beside the copy.
        shutil.copy(log_key_path(store), log_key_path(copy))
        registry = open_registry(f"sqlite:///{copy}")
        ring = keyring()
        declare(registry, ring.root.signer, ring.founded)
        recorder = registry.recorder
        assert isinstance(recorder, LogTables)

        cores = os.cpu_count() or 1
        load = os.getloadavg()[0]
        verifications: list[float] = []
        floors: list[float] = []
        audits: list[float] = []
        comparisons: list[float] = []
        for _ in range(repeat):
            verifications.append(one_verification(recorder, sample))
            floors.append(floor(recorder, workers))
            started = time.perf_counter()
            audit = Audit(DatabaseSource(recorder), ring.root.signer.public_key, workers=workers)
            report = audit.run()
            audits.append(time.perf_counter() - started)
            started = time.perf_counter()
            read_store = open_read_store(f"sqlite:///{copy}")
            try:
                report.problems.extend(read_model_problems(registry, read_store))
            finally:
                read_store.close()
            comparisons.append(time.perf_counter() - started)
        registry.close()
    per_verify = statistics.median(verifications)
    totals = [a + c for a, c in zip(audits, comparisons, strict=True)]
    elapsed = statistics.median(totals)

    counted = report.events
    budget = 1.25 * counted * per_verify / cores
    return {
        "events": counted,
        "cores": cores,
        "workers": workers,
        **runs("one_verification", "us", [x * 1e6 for x in verifications], 1),
        **runs("verify", "s", totals),
        **runs("audit", "s", audits),
        **runs("read_models", "s", comparisons),
        **runs("floor", "s", floors),
        "budget_s": round(budget, 2),
        "ratio_to_budget": round(elapsed / budget, 2),
        "floor_ratio_to_budget": round(statistics.median(floors) / budget, 2),
        "us_per_event": round(elapsed / counted * 1e6, 1),
        "ok": report.ok,
        "problems": len(report.problems),
        "first_problems": [str(problem) for problem in report.problems[:10]],
        "load_average_1min": round(load, 2),
        "store": store.name,
    }


def run(quick: bool = False, events: int | None = None) -> dict[str, Any]:
    """The benchmark for ``bench.run_all``: 20,000 events once quick, 1,000,000 in full, medians
    of 3."""
    result = measure(events or (20_000 if quick else 1_000_000), repeat=1 if quick else 3)
    counted = result["events"]
    return {
        "benchmark": "verify",
        "metrics": [
            metric(
                f"verify of {counted:,} events (s, median of {len(result['verify_runs_s'])})",
                result["verify_s"],
                "s",
                base_name="Ed25519 budget (s)",
                base_value=result["budget_s"],
                target="≤ 1.25 × N × one Ed25519 verification ÷ cores",
                met=result["verify_s"] <= result["budget_s"],
            ),
            metric(
                "µs per event",
                result["us_per_event"],
                "µs",
                base_name="one Ed25519 verification (µs)",
                base_value=result["one_verification_us"],
            ),
            metric("of which the audit: log, signatures, rules (s)", result["audit_s"], "s"),
            metric("of which the read models against a rebuild (s)", result["read_models_s"], "s"),
            metric(
                "floor: read, hash, parse, verify signatures only (s)",
                result["floor_s"],
                "s",
                base_name="Ed25519 budget (s)",
                base_value=result["budget_s"],
            ),
        ],
        "details": result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=5_000)
    args = parser.parse_args()

    result = measure(args.events, args.workers, args.sample)
    problems = result.pop("first_problems")
    print(json.dumps(result, indent=2))
    for problem in problems:
        print(problem)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "verify.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
