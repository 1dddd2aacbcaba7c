"""``greenreg verify`` over a large store, against the Ed25519 floor, measured in the same run.

Target (the issue): a full ``greenreg verify`` of N events (the audit and the read models'
check, what the command does) within 2 x the signatures-only floor, N x one Ed25519
verification / cores.

    python -m bench.bench_verify [--events 1000000] [--workers N]

The store is the benchmark corpus (``bench.corpus.cached_sqlite_store``, built once and kept);
the run copies it, declares its log key with the corpus root key (and folds that one event into
the read models, so they are at the log's end as on a live registry), then:

1. times one Ed25519 verification: ``verify_signature`` over a sample of the store's own
   signed acts, serially, in this process; three times a run (before the stateless floor,
   before verify and after it), the median taken: a sample is half a second, and on a shared
   host one moment's can be a tenth off the next (88 and 102 µs on the same host within
   minutes), which moves the ratio by as much. Beside it, the bare verification (OpenSSL's
   call alone, each key read once, no check of the signature's form): 1-4 µs less, and the
   CPU ratio against it is given too;
2. times the **stateless floor**: the stateless part alone, which any audit must do for every
   entry (read the log, hash the leaf, read the JSON, verify the signature), on the same
   number of worker processes (:class:`greenreg.audit.pool.Pool`);
3. runs ``greenreg verify`` on the database as the command does: the audit (on ``--workers``
   processes, each holding its share of the units: leaf hashes, entry parsing, signatures, the
   in-memory rule replay and the read-model rows folded from the replayed events; this process
   reads the log, keeps the Merkle tree and hashes the live read-model rows on a thread), then
   the read models' check (:class:`greenreg.audit.read_models.ReadModelCheck`: the digests
   compared, a rebuild only if they differ); times each part;
4. prints them, the floor (N x one verification / cores) and the ratios, and writes
   ``bench/results/verify.json``.

On a shared machine wall-clock ratios move with the load (printed beside them), so the run
also gives the CPU seconds each part took in every process (this one and its worker processes)
against N x one verification's CPU time: the ratio the wall-clock one comes to on idle cores.

An export (``greenreg verify --from DIR``) has no read models: its time is the audit's.

``run(quick, events)`` is the same for :mod:`bench.run_all`: 20,000 events quick, 1,000,000 in
full, the verify time beside the budget and the µs per event beside one verification.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import StoredEvent

from bench.corpus import cached_sqlite_store, keyring
from bench.corpus.store import log_key_path, on_disk
from bench.results_table import metric, runs
from greenreg.audit.pool import Pool
from greenreg.audit.prepare import FORGED
from greenreg.audit.read_models import ReadModelCheck
from greenreg.audit.report import Report
from greenreg.audit.source import DatabaseSource
from greenreg.audit.verify import Audit
from greenreg.bootstrap import open_read_store, open_registry
from greenreg.events.signing import b64decode, key_id_of, verify_signature
from greenreg.projections.runner import Projector
from greenreg.registry.application import Registry
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables

RESULTS = Path(__file__).parent / "results"


@contextmanager
def live_copy(store: Path) -> Iterator[tuple[Path, Registry, bytes]]:
    """A copy of the corpus ``store`` as a live registry holds it: its log key declared with
    the corpus root key, that one event folded into the read models (they are at the log's
    end): the copy's path, its registry, the root public key. Removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store.db"
        shutil.copy(store, copy)
        # The key that signed the store's checkpoints while it was built, beside the copy.
        shutil.copy(log_key_path(store), log_key_path(copy))
        registry = open_registry(f"sqlite:///{copy}")
        try:
            ring = keyring()
            declare(registry, ring.root.signer, ring.founded)
            read_store = open_read_store(f"sqlite:///{copy}")
            try:
                Projector(registry, read_store).catch_up()  # the declaration, as a live registry
            finally:
                read_store.close()
            on_disk(copy)  # the copy and the declaration, written back before anything is timed
            yield copy, registry, ring.root.signer.public_key
        finally:
            registry.close()


def verify_copy(
    copy: Path,
    registry: Registry,
    root_public_key: bytes,
    workers: int,
    audited: Callable[[], object] = lambda: None,
) -> tuple[Report, ReadModelCheck]:
    """``greenreg verify`` of a :func:`live_copy` as the command runs it: the audit (its
    workers fold the read-model rows while this process hashes the live ones), ``audited()``,
    then the read models' check; the report and the check."""
    recorder = registry.recorder
    assert isinstance(recorder, LogTables)
    read_store = open_read_store(f"sqlite:///{copy}")
    try:
        check = ReadModelCheck(read_store)
        audit = Audit(DatabaseSource(recorder), root_public_key, workers=workers)
        audit.read_models = check
        report = audit.run()
        audited()
        report.problems.extend(check.problems(registry)[0])
    finally:
        read_store.close()
    return report, check


def _lapped(laps: list[tuple[float, float]], clock: Clock) -> None:
    laps.append(clock.lap())


def one_verification(recorder: LogTables, sample: int) -> tuple[float, float, float]:
    """Seconds per Ed25519 verification, over ``sample`` of the store's signed acts: wall
    clock and CPU time of ``verify_signature`` (the key read from its bytes and the
    signature's form checked each time, as the registry checks an act it is sent), and the
    CPU time of the bare verification alone (OpenSSL's, each key read once: the least any
    verifier can spend)."""
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
    started, cpu = time.perf_counter(), time.process_time()
    for public_key, message, signature in jobs:
        verify_signature(public_key, message, signature)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    loaded = {key: Ed25519PublicKey.from_public_bytes(key) for key, _, _ in jobs}
    bare = time.process_time()
    for public_key, message, signature in jobs:
        loaded[public_key].verify(signature, message)
    bare = time.process_time() - bare
    return wall / len(jobs), cpu / len(jobs), bare / len(jobs)


class Clock:
    """Wall-clock and CPU seconds (this process and its ended worker processes) since made."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), _cpu()

    def lap(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, _cpu() - self.cpu


def _cpu() -> float:
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def floor(recorder: LogTables, workers: int) -> tuple[float, float]:
    """Seconds (wall, CPU) for the stateless part of an audit alone, over the whole log: each
    entry read, its leaf hashed, its JSON read and its signature verified, on ``workers``
    processes."""
    clock = Clock()
    with Pool(workers) as pool:
        for entry, prepared in pool.prepared(recorder.log_entries()):
            assert prepared.signature_status != FORGED, entry.position
            assert not prepared.error, (entry.position, prepared.error)
    return clock.lap()


def measure(
    events: int, workers: int | None = None, sample: int = 5_000, repeat: int = 1
) -> dict[str, Any]:
    """``repeat`` runs of ``greenreg verify`` on the ``events``-event corpus, each beside one
    Ed25519 verification and the stateless floor timed in the same run; the medians, the
    floor and the ratios."""
    workers = workers or os.cpu_count() or 1
    store = cached_sqlite_store(events)
    with live_copy(store) as (copy, registry, root_public_key):
        recorder = registry.recorder
        assert isinstance(recorder, LogTables)
        cores = os.cpu_count() or 1
        load = os.getloadavg()[0]
        verifications: list[tuple[float, float, float]] = []
        floors: list[tuple[float, float]] = []
        audits: list[tuple[float, float]] = []
        totals: list[tuple[float, float]] = []
        for _ in range(repeat):
            verifications.append(one_verification(recorder, sample))
            floors.append(floor(recorder, workers))
            verifications.append(one_verification(recorder, sample))
            clock = Clock()
            report, check = verify_copy(
                copy, registry, root_public_key, workers, partial(_lapped, audits, clock)
            )
            totals.append(clock.lap())
            verifications.append(one_verification(recorder, sample))
            by_digest = check.folded is not None and check.live is not None
            by_digest = by_digest and check.folded[1] == check.live[1]  # type: ignore[index]
    per_verify = statistics.median(v[0] for v in verifications)
    per_verify_cpu = statistics.median(v[1] for v in verifications)
    bare_cpu = statistics.median(v[2] for v in verifications)
    counted = report.events
    signatures_floor = counted * per_verify / cores
    elapsed = statistics.median(t[0] for t in totals)
    cpu = statistics.median(t[1] for t in totals)
    return {
        "events": counted,
        "cores": cores,
        "workers": workers,
        **runs("one_verification", "us", [v[0] * 1e6 for v in verifications], 1),
        **runs("one_verification_cpu", "us", [v[1] * 1e6 for v in verifications], 1),
        **runs("verify", "s", [t[0] for t in totals]),
        **runs("audit", "s", [a[0] for a in audits]),
        **runs("read_models", "s", [t[0] - a[0] for t, a in zip(totals, audits, strict=True)]),
        **runs("stateless_floor", "s", [f[0] for f in floors]),
        "signatures_floor_s": round(signatures_floor, 2),
        "target_s": round(2 * signatures_floor, 2),
        "ratio_to_signatures_floor": round(elapsed / signatures_floor, 2),
        "ratio_runs": _each_run(totals, verifications, counted, cores),
        "stateless_floor_ratio": round(
            statistics.median(f[0] for f in floors) / signatures_floor, 2
        ),
        "verify_cpu_s": round(cpu, 1),
        "cpu_ratio_to_signatures": round(cpu / (counted * per_verify_cpu), 2),
        **runs("one_verification_bare_cpu", "us", [v[2] * 1e6 for v in verifications], 1),
        "cpu_ratio_to_bare_signatures": round(cpu / (counted * bare_cpu), 2),
        "stateless_floor_cpu_ratio": round(
            statistics.median(f[1] for f in floors) / (counted * per_verify_cpu), 2
        ),
        "us_per_event": round(elapsed / counted * 1e6, 1),
        "read_models_by_digest": by_digest,
        "ok": report.ok,
        "problems": len(report.problems),
        "first_problems": [str(problem) for problem in report.problems[:10]],
        "load_average_1min": round(load, 2),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "store": store.name,
    }


def _each_run(
    totals: list[tuple[float, float]],
    verifications: list[tuple[float, float, float]],
    events: int,
    cores: int,
) -> list[float]:
    """Each run's verify against the floor of its own three samples of one verification (the
    host may be slower in one run than in the others: the medians of all runs hide it)."""
    ratios = []
    for at, (wall, _) in enumerate(totals):
        per_verify = statistics.median(v[0] for v in verifications[3 * at : 3 * at + 3])
        ratios.append(round(wall / (events * per_verify / cores), 2))
    return ratios


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
                base_name="signatures-only floor: N × one Ed25519 verification ÷ cores (s)",
                base_value=result["signatures_floor_s"],
                target="≤ 2 × N × one Ed25519 verification ÷ cores",
                met=result["verify_s"] <= result["target_s"],
            ),
            metric(
                "µs per event",
                result["us_per_event"],
                "µs",
                base_name="one Ed25519 verification (µs)",
                base_value=result["one_verification_us"],
            ),
            metric("of which the audit: log, signatures, rules, rows (s)", result["audit_s"], "s"),
            metric("of which the read models' check after it (s)", result["read_models_s"], "s"),
            metric(
                "stateless floor: read, hash, parse, verify signatures only (s)",
                result["stateless_floor_s"],
                "s",
                base_name="signatures-only floor (s)",
                base_value=result["signatures_floor_s"],
            ),
            metric(
                "CPU seconds of verify ÷ N × one verification's CPU",
                result["cpu_ratio_to_signatures"],
                "×",
            ),
            metric(
                "CPU seconds of verify ÷ N × one bare verification's CPU (each key read once)",
                result["cpu_ratio_to_bare_signatures"],
                "×",
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
