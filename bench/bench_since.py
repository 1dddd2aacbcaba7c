"""``greenreg verify --since``: the audit of the newest entries of a large store, from a state.

Target (issue 15): ``greenreg verify --since`` over 10,000 new events on a 1,000,000-event log in
at most 5 s.

    python -m bench.bench_since [--events 1000000] [--new 10000] [--workers N] [--repeat 3]
                                [--keep DIR]

Setup, timed and reported but not against the target:

1. the corpus store (``bench.corpus``; the kept one is never written: the run works on a copy,
   with its log key), migrated to this release; its log key declared with the corpus root key
   (one more entry); the read models caught up, which commits their first digest (the first
   catch-up after migration 0006 hashes every row once);
2. the audit state at ``P``, the largest checkpoint at least ``new`` entries before the end of
   the log: the whole audit of the log's first ``P`` entries on the fast path, as ``greenreg
   verify --save-state`` runs it, and the read models' rows folded up to ``P``.

Then, ``repeat`` times, each from a fresh copy of that state, the command itself in a process of
its own: ``greenreg verify --since STATE --database ... --root-public-key ...`` (wall clock,
Python's start-up included), beside ``greenreg --version`` (the start-up alone), and the processor
time the command and its workers took (user and system), which a loaded machine changes less
than the wall clock: on ``c`` idle cores the wall clock is at least the processor time over
``c``. With ``--keep DIR`` the store and the state are set up in ``DIR`` the first time and
reused by later runs (the state is copied for each run; the store is only read). The command
checks everything ``--since`` checks: the state, the consistency proof, the new entries' leaves,
signatures and rules, the new checkpoints, the read models by their committed digest.

``run(quick, events)`` is the same for :mod:`bench.run_all`: 2,000 new events of 20,000 quick;
in full 10,000 new (a tenth of a smaller corpus), judged at 1,000,000.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.corpus import cached_sqlite_store, keyring
from bench.corpus.store import cache_path, log_key_path, manifest_path, on_disk
from bench.results_table import metric, runs
from greenreg.audit.replay import stored_event
from greenreg.audit.report import Problem
from greenreg.audit.source import DatabaseSource
from greenreg.audit.state import Position, StateWriter
from greenreg.audit.verify import Audit
from greenreg.bootstrap import open_read_store, open_registry, persistence_env
from greenreg.events.signing import b64encode
from greenreg.projections.digest import MODULUS, full_sum, rows_sum
from greenreg.projections.fold import Fold
from greenreg.projections.runner import Projector
from greenreg.registry.application import Registry
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogEntry, LogTables, UnloggedEvent
from greenreg.storage.schema_version import migrate, schema_state

RESULTS = Path(__file__).parent / "results"
TARGET_S = 5.0
FOLD_PAGE = 10_000


class Prefix:
    """The log's first ``size`` entries, as an audit source (what the log was at ``size``)."""

    def __init__(self, source: DatabaseSource, size: int) -> None:
        self.source, self.limit = source, size

    def size(self) -> int:
        return self.limit

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[LogEntry]:
        return self.source.entries(start, self.limit if stop is None else min(stop, self.limit))

    def history(self, originator_id: UUID, upto: int) -> list[LogEntry]:
        return self.source.history(originator_id, min(upto, self.limit - 1))

    def unlogged(self, after: int = 0) -> list[UnloggedEvent]:
        return []

    def checkpoints(self, since: int = 0) -> list[tuple[int, str]]:
        return [(s, note) for s, note in self.source.checkpoints(since) if s <= self.limit]

    def log_keys(self) -> list[dict[str, Any]]:
        return self.source.log_keys()

    def problems(self) -> list[Problem]:
        return []


def corpus_copy(events: int, directory: Path) -> Path:
    """A copy of the kept corpus store (and its log key) in ``directory``, migrated."""
    kept = cache_path(events)
    if not kept.exists() or not manifest_path(kept).exists():
        kept = cached_sqlite_store(events)  # built once (a kept one is not migrated here)
    copy = directory / "store.db"
    shutil.copy(kept, copy)
    shutil.copy(log_key_path(kept), log_key_path(copy))
    env = persistence_env(f"sqlite:///{copy}")
    if schema_state(env).state == "behind":
        migrate(env)
    return copy


def state_at(
    recorder: LogTables, size: int, root_public_key: bytes, workers: int, path: Path
) -> None:
    """The audit state of the log's first ``size`` entries: the whole audit's aggregates (fast
    path) and the read models' rows folded to ``size``."""
    writer = StateWriter(path)
    kept: list[Position] = []

    def keep(position: Position, aggregates: Iterator[tuple[UUID, bytes]]) -> None:
        writer.aggregates(aggregates)
        kept.append(position)

    audit = Audit(Prefix(DatabaseSource(recorder), size), root_public_key, workers=workers)
    audit.keep = keep
    report = audit.run()
    if not report.ok or not kept:
        writer.discard()
        raise SystemExit(f"the audit of the first {size} entries failed: {report.problems[:3]}")
    mapper = Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    fold, digest = Fold(), 0
    for entry in recorder.log_entries(0, size):
        fold.apply(mapper.to_domain_event(stored_event(entry)), entry.position)
        if entry.position % FOLD_PAGE == FOLD_PAGE - 1:
            digest += rows_sum(fold.appended)  # the appended rows, a page at a time
            for rows in fold.appended.values():
                rows.clear()
    digest += full_sum(fold)
    writer.memos(fold.memos.values())
    position = kept[0]
    position.read_models = digest % MODULUS
    writer.commit(position)


def timed(command: list[str]) -> tuple[float, float, str]:
    """The command's wall clock time, the processor time it and its worker processes took
    (user and system: what a loaded machine changes least), and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu, done.stdout


def setup(events: int, new: int, workers: int, directory: Path) -> dict[str, Any]:
    """The store and the state in ``directory`` (see the module), and how long they took;
    kept there as ``setup.json`` for another run with ``--keep``."""
    done = directory / "setup.json"
    if done.exists():
        kept: dict[str, Any] = json.loads(done.read_text())
        if kept["events"] == events and kept["new"] == new:
            return kept
    ring = keyring()
    store = corpus_copy(events, directory)
    url = f"sqlite:///{store}"
    started = time.perf_counter()
    registry = open_registry(url)
    declare(registry, ring.root.signer, ring.founded)
    read_store = open_read_store(url)
    Projector(registry, read_store).catch_up()
    first_digest = time.perf_counter() - started
    read_store.close()
    recorder = registry.recorder
    assert isinstance(recorder, LogTables)
    size = recorder.log_size()
    start = max(s for s, _ in recorder.checkpoint_notes(upto=size - new))
    root = directory / "root.pub"
    root.write_text(b64encode(ring.root.signer.public_key) + "\n")
    saved = directory / "audit.state"
    started = time.perf_counter()
    state_at(recorder, start, ring.root.signer.public_key, workers, saved)
    state_s = time.perf_counter() - started
    registry.close()
    result = {
        "events": events,
        "new": new,
        "size": size,
        "start": start,
        "url": url,
        "root": str(root),
        "saved": str(saved),
        "setup_state_s": round(state_s, 1),
        "setup_first_digest_s": round(first_digest, 1),
    }
    done.write_text(json.dumps(result, indent=2) + "\n")
    return result


def measure(
    events: int,
    new: int = 10_000,
    workers: int | None = None,
    repeat: int = 3,
    keep: Path | None = None,
) -> dict[str, Any]:
    """``keep``: the directory for the store and the state, set up there once and reused
    (a temporary one otherwise)."""
    workers = workers or os.cpu_count() or 1
    greenreg = [sys.executable, "-m", "greenreg"]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) if keep is None else keep
        directory.mkdir(parents=True, exist_ok=True)
        made = setup(events, new, workers, directory)
        size, start, url, root = made["size"], made["start"], made["url"], made["root"]
        saved = Path(made["saved"])

        startup, startup_cpu, _ = timed([*greenreg, "--version"])
        samples: list[float] = []
        cpus: list[float] = []
        output = ""
        for _ in range(repeat):
            state = Path(tmp) / "since.state"
            shutil.copy(saved, state)
            on_disk(state)
            elapsed, cpu, output = timed(
                [*greenreg, "verify", "--since", str(state), "--database", url,
                 "--root-public-key", str(root), "--workers", str(workers)]
            )  # fmt: skip
            samples.append(elapsed)
            cpus.append(cpu)
        state_mb = saved.stat().st_size / 1e6
    verified = int(output.split(" events,", 1)[0].rsplit("\n", 1)[-1])
    return {
        "events": size,
        "state_size": start,
        "new_events": verified,
        "workers": workers,
        "cores": os.cpu_count() or 1,
        **runs("since", "s", samples),
        **runs("since_cpu", "s", cpus),
        "startup_s": round(startup, 2),
        "startup_cpu_s": round(startup_cpu, 2),
        "target_s": TARGET_S,
        "state_mb": round(state_mb, 1),
        "setup_state_s": made["setup_state_s"],
        "setup_first_digest_s": made["setup_first_digest_s"],
        "notes": [line for line in output.splitlines() if line.startswith("note:")],
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def run(quick: bool = False, events: int | None = None) -> dict[str, Any]:
    """The benchmark for ``bench.run_all`` (see the module)."""
    events = events or (20_000 if quick else 1_000_000)
    new = 2_000 if quick else min(10_000, events // 10)
    result = measure(events, new, repeat=1 if quick else 3)
    return {
        "benchmark": "since",
        "metrics": [
            metric(
                f"verify --since over {result['new_events']:,} new of {result['events']:,} "
                f"events (s, median of {len(result['since_runs_s'])})",
                result["since_s"],
                "s",
                base_name="greenreg --version (s)",
                base_value=result["startup_s"],
                target=f"≤ {TARGET_S} s for 10,000 new events on 1,000,000",
                met=result["since_s"] <= TARGET_S if result["events"] >= 1_000_000 else None,
            ),
            metric(
                "processor time of verify --since, its workers included (s, median)",
                result["since_cpu_s"],
                "s",
                base_name="of greenreg --version (s)",
                base_value=result["startup_cpu_s"],
            ),
            metric("audit state on disk (MB)", result["state_mb"], "MB"),
        ],
        "details": result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--keep",
        type=Path,
        help="set the store and the state up in this directory once, and reuse them",
    )
    args = parser.parse_args()
    result = measure(args.events, args.new, args.workers, args.repeat, args.keep)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "since.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
