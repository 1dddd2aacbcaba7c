"""``greenreg verify`` over a large store, against the Ed25519 budget, measured in the same run.

Target (the issue): verify N events within 1.25 x (N x one Ed25519 verification / cores).

    python -m bench.bench_verify [--events 1000000] [--workers N]

The store is the benchmark corpus (``bench.corpus.cached_sqlite_store``, built once and kept);
the run copies it, declares its log key with the corpus root key, then:

1. times one Ed25519 verification: ``verify_signature`` over a sample of the store's own
   signed acts, serially, in this process;
2. runs the full audit (leaf hashes, entry parsing and signatures on ``--workers`` processes
   ahead of the in-memory rule replay in this process, the Merkle root against every
   checkpoint, checkpoint signatures in the pool) and times it;
3. prints both, the budget and the ratio, and writes ``bench/results/verify.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.corpus import cached_sqlite_store, keyring
from bench.corpus.store import log_key_path
from greenreg.audit.source import DatabaseSource
from greenreg.audit.verify import Audit
from greenreg.bootstrap import open_registry
from greenreg.events.signing import b64decode, key_id_of, verify_signature
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables

RESULTS = Path(__file__).parent / "results"


def one_verification(recorder: LogTables, sample: int) -> float:
    """Seconds per Ed25519 verification, over ``sample`` of the store's signed acts."""
    keys: dict[str, bytes] = {}
    jobs = []
    registry_mapper = None
    from greenreg.registry.application import Registry

    registry_mapper = Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    for entry in recorder.log_entries(0, None):
        assert entry.topic is not None
        assert entry.state is not None
        from eventsourcing.persistence import StoredEvent

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=5_000)
    args = parser.parse_args()

    store = cached_sqlite_store(args.events)
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

        per_verify = one_verification(recorder, args.sample)
        cores = os.cpu_count() or 1
        started = time.perf_counter()
        report = Audit(
            DatabaseSource(recorder), ring.root.signer.public_key, workers=args.workers
        ).run()
        elapsed = time.perf_counter() - started
        registry.close()

    events = report.events
    budget = 1.25 * events * per_verify / cores
    result = {
        "events": events,
        "cores": cores,
        "workers": args.workers,
        "one_verification_us": round(per_verify * 1e6, 1),
        "verify_s": round(elapsed, 2),
        "budget_s": round(budget, 2),
        "ratio_to_budget": round(elapsed / budget, 2),
        "us_per_event": round(elapsed / events * 1e6, 1),
        "ok": report.ok,
        "problems": len(report.problems),
    }
    print(json.dumps(result, indent=2))
    for problem in report.problems[:10]:
        print(problem)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "verify.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
