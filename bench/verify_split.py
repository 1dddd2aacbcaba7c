"""Where ``greenreg verify``'s CPU goes: each step of the audit's workers, and the main process.

    python -m bench.verify_split [--events 1000000] [--workers N]

Runs the audit as :mod:`bench.bench_verify` does (a live copy of the corpus, its read models
checked), with the workers' steps wrapped in thread-CPU timers (set before the workers are
forked, so each worker times itself): reading their slices from the database (``query``),
reading the entries (leaf hashes, JSON, the signed act: ``read``), verifying the signatures
(``verify``), deciding each act again and comparing it with the stored event (``decide``),
folding the event into read-model rows (``fold``), hashing the rows appended (``flush``) and,
at the end, the rows held (``digest``), opening the checkpoints (``checkpoints``), and what is
left of a slice (``other``: the loops, building entries, the answer). The main process gives
its CPU and its live rows' hash thread. Every figure is also given per event in units of one
Ed25519 verification's CPU time (the median of three samples, one before verify and two after
it, as the benchmark times it): the terms of the ratio the target is about. The timers cost a
little themselves (about 0.2 µs a call).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_verify import Clock, live_copy, one_verification, verify_copy
from bench.corpus import cached_sqlite_store
from greenreg.audit import partition
from greenreg.audit.read_models import FoldedRows, ReadModelCheck
from greenreg.storage.log_slices import SliceReader
from greenreg.storage.log_tables import LogTables

STEPS = ("query", "read", "verify", "decide", "fold", "flush", "digest", "checkpoints", "other")


class Timers:
    """Thread-CPU seconds by step, in the process that runs the wrapped calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, owner: Any, name: str, step: str) -> None:
        """Time every call of ``owner.name`` under ``step``."""
        inner: Callable[..., Any] = getattr(owner, name)
        seconds, calls, clock = self.seconds, self.calls, time.thread_time

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = clock()
            try:
                return inner(*args, **kwargs)
            finally:
                seconds[step] = seconds.get(step, 0.0) + clock() - started
                calls[step] = calls.get(step, 0) + 1

        setattr(owner, name, timed)


def instrument(timers: Timers, out: Path) -> None:
    """Wrap the workers' steps; each worker writes its timers to ``out`` when asked for its
    rows' digest (the audit's last message to it)."""
    timers.wrap(SliceReader, "owned", "query")
    timers.wrap(SliceReader, "at", "query")
    timers.wrap(partition._Worker, "_read", "read")
    timers.wrap(partition, "signature_status", "verify")
    timers.wrap(partition._Worker, "_replay", "decide")
    timers.wrap(FoldedRows, "apply", "fold")
    timers.wrap(FoldedRows, "flush", "flush")
    timers.wrap(partition._Worker, "slice", "slice")
    handover = partition._Worker.handover

    def answer(worker: Any, message: tuple[Any, ...]) -> Any:
        started = time.thread_time()
        answered = handover(worker, message)
        if message[0] == "digest":
            spent = time.thread_time() - started
            timers.seconds["digest"] = timers.seconds.get("digest", 0.0) + spent
            (out / f"worker-{os.getpid()}.json").write_text(json.dumps(timers.seconds))
        return answered

    partition._Worker.handover = answer  # type: ignore[method-assign,assignment]
    timers.wrap(partition, "open_checkpoints", "checkpoints")


def split(timers: list[dict[str, float]]) -> dict[str, float]:
    """The workers' seconds by step, summed; ``decide`` without the fold it calls, ``other``
    what a slice took beyond its steps."""
    total: dict[str, float] = {}
    for worker in timers:
        for step, seconds in worker.items():
            total[step] = total.get(step, 0.0) + seconds
    for step in (*STEPS, "slice"):
        total.setdefault(step, 0.0)
    total["decide"] -= total["fold"]
    total["other"] = total.pop("slice", 0.0) - sum(
        total[step] for step in ("query", "read", "verify", "decide", "fold", "flush")
    )
    return {step: total[step] for step in STEPS}


def measure(events: int, workers: int) -> dict[str, Any]:
    store = cached_sqlite_store(events)
    with (
        live_copy(store) as (copy, registry, root_public_key),
        tempfile.TemporaryDirectory() as out,
    ):
        recorder = registry.recorder
        assert isinstance(recorder, LogTables)
        samples = [one_verification(recorder, 5_000)[1]]
        main_timers = Timers()
        instrument(main_timers, Path(out))
        main_timers.wrap(ReadModelCheck, "_hash_live", "live rows")
        load = os.getloadavg()[0]
        clock = Clock()
        main_started = time.process_time()
        report, _ = verify_copy(copy, registry, root_public_key, workers)
        wall, cpu = clock.lap()
        main_cpu = time.process_time() - main_started
        workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        steps = split([json.loads(p.read_text()) for p in sorted(Path(out).glob("worker-*"))])
        samples += [one_verification(recorder, 5_000)[1] for _ in range(2)]
    per_verification = statistics.median(samples)
    counted = report.events
    unit = counted * per_verification
    parts = {
        **{f"workers: {step}": seconds for step, seconds in steps.items()},
        "main: live rows' hash (thread)": main_timers.seconds.get("live rows", 0.0),
        "main: the rest": main_cpu - main_timers.seconds.get("live rows", 0.0),
    }
    return {
        "events": counted,
        "workers": workers,
        "ok": report.ok,
        "one_verification_cpu_us": round(per_verification * 1e6, 1),
        "one_verification_cpu_runs_us": [round(sample * 1e6, 1) for sample in samples],
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "workers_cpu_s_rusage": round(workers_cpu.ru_utime + workers_cpu.ru_stime, 2),
        "cpu_ratio_to_signatures": round(cpu / unit, 3),
        "steps_s": {name: round(seconds, 2) for name, seconds in parts.items()},
        "steps_per_event_in_verifications": {
            name: round(seconds / unit, 3) for name, seconds in parts.items()
        },
        "load_average_1min": round(load, 2),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(json.dumps(measure(args.events, args.workers), indent=2))


if __name__ == "__main__":
    main()
