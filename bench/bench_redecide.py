"""The audit's replay alone: each act decided again and its event compared with the stored one,
per event, against one Ed25519 verification, measured in the same run.

    python -m bench.bench_redecide [--events 100000] [--repeat 3]

A worker of ``greenreg verify`` reads each entry (leaf hash, stored JSON, the signed act's
parse: :func:`greenreg.audit.prepare.read_entry`), verifies its signature, then hands it to
:meth:`greenreg.audit.replay.Replay.fold`: the act decided again
(:meth:`greenreg.registry.application.Registry.redecide`: the act's parse and text rules, the
signer's keys, the command and its rulebooks, the aggregate's event) and the decided event
compared with the stored one. This times that fold, in one process holding every unit, over the
whole corpus (a copy of the cached store: ``bench.corpus``), the entries read beforehand and not
timed; then the comparison alone, over the same decided events again. Processor time (this
process), so that a loaded machine moves the figures less than it moves the wall clock; one
verification is timed the same way, over 5,000 of the store's signed acts, so the ratios are of
one run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.bench_verify import RESULTS, one_verification
from bench.corpus import cached_sqlite_store
from greenreg.audit.prepare import Prepared, read_entry
from greenreg.audit.replay import Replay
from greenreg.audit.report import Problem
from greenreg.bootstrap import open_registry
from greenreg.events.vocabulary import RegistryEvent
from greenreg.storage.log_tables import LogEntry, LogTables


class _Kept(Replay):
    """A replay that keeps each decided event with its entry and stored JSON."""

    def __init__(self) -> None:
        super().__init__(_no_decode, _no_history, _raise)
        self.kept: list[tuple[RegistryEvent, LogEntry]] = []

    def _as_stored(self, decided: RegistryEvent, entry: LogEntry) -> bool:
        self.kept.append((decided, entry))
        return super()._as_stored(decided, entry)


def _no_decode(entry: LogEntry) -> RegistryEvent:
    raise AssertionError(f"position {entry.position} differs from its decision")


def _no_history(originator_id: UUID, upto: int) -> list[LogEntry]:
    raise AssertionError(f"{originator_id} would be rebuilt")


def _raise(problem: Problem) -> None:
    raise AssertionError(str(problem))


def read(recorder: LogTables) -> list[tuple[LogEntry, Prepared]]:
    """Every entry of the log, read as a worker reads it (not timed)."""
    entries = []
    for entry in recorder.log_entries():
        assert entry.topic is not None
        assert entry.state is not None
        prepared = read_entry(
            entry.originator_id, entry.originator_version, entry.topic, entry.state
        )
        entries.append((entry, prepared))
    return entries


def fold(entries: list[tuple[LogEntry, Prepared]]) -> tuple[float, float]:
    """CPU seconds of the replay's fold over ``entries``, and of the comparisons alone."""
    replay = _Kept()
    started = time.process_time()
    for entry, prepared in entries:
        assert replay.fold(entry, prepared) is not None, entry.position
    replay.finish(entries[-1][0])
    folded = time.process_time() - started
    kept = replay.kept
    plain = Replay(_no_decode, _no_history, _raise)
    started = time.process_time()
    for decided, entry in kept:
        assert plain._as_stored(decided, entry), entry.position
    return folded, time.process_time() - started


def measure(events: int, repeat: int = 3, sample: int = 5_000) -> dict[str, Any]:
    store = cached_sqlite_store(events)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store.db"
        shutil.copy(store, copy)
        registry = open_registry(f"sqlite:///{copy}")
        recorder = registry.recorder
        assert isinstance(recorder, LogTables)
        load = os.getloadavg()[0]
        entries = read(recorder)
        gc.collect()
        gc.disable()  # as in the audit's workers (no reference cycles in the replay)
        verifications, folds, compares = [], [], []
        try:
            for _ in range(repeat):
                verifications.append(one_verification(recorder, sample)[1])
                folded, compared = fold(entries)
                folds.append(folded)
                compares.append(compared)
        finally:
            gc.enable()
        registry.close()
    count = len(entries)
    verification = statistics.median(verifications)
    per_fold = statistics.median(folds) / count
    per_compare = statistics.median(compares) / count
    return {
        "events": count,
        "repeat": repeat,
        "one_verification_cpu_us": round(verification * 1e6, 1),
        "one_verification_cpu_runs_us": [round(v * 1e6, 1) for v in verifications],
        "fold_cpu_us_per_event": round(per_fold * 1e6, 1),
        "fold_cpu_runs_us_per_event": [round(f / count * 1e6, 1) for f in folds],
        "compare_cpu_us_per_event": round(per_compare * 1e6, 1),
        "fold_in_verifications": round(per_fold / verification, 3),
        "redecide_in_verifications": round((per_fold - per_compare) / verification, 3),
        "compare_in_verifications": round(per_compare / verification, 3),
        "load_average_1min": round(load, 2),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "store": store.name,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = measure(args.events, args.repeat)
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "redecide.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
