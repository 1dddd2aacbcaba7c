"""Filling a registry with the corpus, and keeping built SQLite stores for reuse.

:func:`populate` submits each announcement as one ``submit_batch`` (one transaction) to the
registry of the same :class:`~greenreg.bootstrap.Greenreg` the CLI and API use, with the
registry's clock set to the announcement's recording time, and builds the read models once at the
end (a rebuild gives what catching up after every batch gives, in about a sixth less time).
:func:`cached_sqlite_store` builds a store of a given size once, under ``bench/results/corpus/``,
with a manifest (the figures of the build and every registered unit's reference) and its log key
(derived from the seed: ``keyring(seed).log_signer()``) beside it. Copy all three
(``<store>``, ``<store>.log-key``) to write to a copy under the same key.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpus.announcements import DEFAULT_SEED, DEFAULT_YEARS, corpus, keyring
from greenreg.bootstrap import open_greenreg, persistence_env, refold_dropped
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.storage.schema_version import migrate, schema_state

CORPUS_VERSION = 2  # bump when the generator changes what it generates
CACHE = Path(__file__).resolve().parent.parent / "results" / "corpus"

Progress = Callable[[int, int], None]
"""Called after each batch with (events stored so far, events wanted)."""


@dataclass
class Stats:
    """What a populate run stored, and how fast."""

    url: str
    seed: int
    years: int
    events: int = 0
    acts: int = 0
    announcements: int = 0
    largest_announcement: int = 0
    seconds: float = 0.0
    acts_by_type: dict[str, int] = field(default_factory=dict)
    flags_by_code: dict[str, int] = field(default_factory=dict)
    first_recorded: str = ""
    last_recorded: str = ""
    unit_refs: list[str] = field(default_factory=list)  # credit code, or id for parks without

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        """Everything but the unit references."""
        data = asdict(self)
        data.pop("unit_refs")
        data["units"] = len(self.unit_refs)
        data["events_per_s"] = round(self.events_per_s, 1)
        data["seconds"] = round(self.seconds, 2)
        return data


class Clock:
    """The registry's clock, set to each announcement's recording time."""

    def __init__(self) -> None:
        self.now = datetime(2000, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def populate(
    url: str,
    events: int,
    seed: int = DEFAULT_SEED,
    years: int = DEFAULT_YEARS,
    progress: Progress | None = None,
) -> Stats:
    """Fill an empty store at ``url`` with a corpus of exactly ``events`` events."""
    clock = Clock()
    greenreg = open_greenreg(url, clock=clock)
    stats = Stats(url=url, seed=seed, years=years)
    by_type: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    try:
        started = time.perf_counter()
        for announcement in corpus(events, seed, years):
            clock.now = announcement.recorded_at
            receipts = greenreg.registry.submit_batch(announcement.acts)
            for act, receipt in zip(announcement.acts, receipts, strict=True):
                kind = act["act"]["type"]
                by_type[kind] += 1
                if kind == "register_unit":
                    body = act["act"]
                    stats.unit_refs.append(body["credit_code"] or str(receipt.subject_id))
                stats.events += len(receipt.events)
                flags.update(f["code"] for f in receipt.flags)
            stats.acts += len(announcement)
            stats.announcements += 1
            stats.largest_announcement = max(stats.largest_announcement, len(announcement))
            stats.first_recorded = stats.first_recorded or announcement.recorded_at.isoformat()
            stats.last_recorded = announcement.recorded_at.isoformat()
            if progress is not None:
                progress(stats.events, events)
        greenreg.projector.rebuild()
        stats.seconds = time.perf_counter() - started
        stored = greenreg.registry.event_count()
    finally:
        greenreg.close()
    if stored != stats.events or stats.events != events:
        raise RuntimeError(f"{stored} events stored, {stats.events} receipted, {events} wanted")
    stats.acts_by_type = dict(sorted(by_type.items()))
    stats.flags_by_code = dict(sorted(flags.items()))
    return stats


def cache_path(events: int, seed: int = DEFAULT_SEED, years: int = DEFAULT_YEARS) -> Path:
    return CACHE / f"corpus-v{CORPUS_VERSION}-{events}-seed{seed}-{years}y.db"


def manifest_path(store: Path) -> Path:
    return store.with_suffix(".json")


def read_manifest(store: Path) -> dict[str, Any]:
    """The figures of a cached store's build, with ``unit_refs``: every registered unit."""
    data: dict[str, Any] = json.loads(manifest_path(store).read_text(encoding="utf-8"))
    return data


def cached_sqlite_store(
    events: int,
    seed: int = DEFAULT_SEED,
    years: int = DEFAULT_YEARS,
    progress: Progress | None = None,
) -> Path:
    """A SQLite store holding the corpus of ``events`` events, built once and kept.

    Treat it as read-only (copy it to write). Concurrent callers wait for one build.
    """
    store = cache_path(events, seed, years)
    if store.exists() and manifest_path(store).exists():
        return _migrated(store)
    CACHE.mkdir(parents=True, exist_ok=True)
    ignore = CACHE / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# built benchmark stores; see bench/corpus/store.py\n*\n")
    with (CACHE / f"{store.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if store.exists() and manifest_path(store).exists():
            return _migrated(store)
        building = store.with_name(store.name + ".building")
        for leftover in CACHE.glob(building.name + "*"):
            leftover.unlink()
        # The log key the registry finds beside a SQLite file: derived from the seed, so the
        # whole store (checkpoints included) is the same on every build.
        write_log_key(log_key_path(building), keyring(seed, years).log_signer())
        stats = populate(f"sqlite:///{building}", events, seed, years, progress)
        with sqlite3.connect(building) as connection:  # one self-contained file
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA journal_mode=DELETE")
        manifest = {
            "corpus_version": CORPUS_VERSION,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **stats.summary(),
            "url": None,
            "unit_refs": stats.unit_refs,
        }
        manifest_path(store).write_text(
            json.dumps(manifest, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.replace(log_key_path(building), log_key_path(store))
        os.replace(building, store)
    return store


def _migrated(store: Path) -> Path:
    """The kept store at this release's schema version. The kept file itself is never changed:
    a release with migrations it lacks gets a migrated copy beside it, named by the last
    migration, so checkouts at other schema versions keep reading theirs. As ``greenreg
    migrate`` does, read models a migration dropped are rebuilt in the copy (not folded again,
    event by event, by every bench's copy of it, into a layout no rebuilt store has)."""
    env = persistence_env(f"sqlite:///{store}")
    state = schema_state(env)
    if state.state != "behind":
        return store
    copy = store.with_name(f"{store.stem}.at-{state.known[-1]}{store.suffix}")
    with (CACHE / f"{copy.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not copy.exists():
            building = copy.with_name(copy.name + ".building")
            shutil.copy(store, building)
            shutil.copy(log_key_path(store), log_key_path(building))
            migrate(persistence_env(f"sqlite:///{building}"))
            _refold(building)
            os.replace(log_key_path(building), log_key_path(copy))
            os.replace(building, copy)
        if not manifest_path(copy).exists():
            shutil.copy(manifest_path(store), manifest_path(copy))
    return copy


def _refold(store: Path) -> None:
    """Rebuild the read models of ``store`` if a migration dropped them, and leave it one
    self-contained file."""
    refold_dropped(f"sqlite:///{store}")
    with sqlite3.connect(store) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")


def on_disk(path: Path) -> None:
    """Wait until the file is on the disk (``fsync``), before a timed step reads or writes a
    store or a state copied or changed just now: what a copy leaves to be written back is not
    the step's work.

    A copy of a large store is first dirty memory that the kernel writes back over the next
    tens of seconds. Writing a page back takes it from every process that maps it (each mapping
    is made clean, its processors' address caches flushed), so an audit whose workers read the
    copy memory mapped meanwhile pays for the copy's writeback: at 1,000,000 events, 4 s more
    kernel time and 9 s more user time a worker, a tenth of the audit. A step that commits to a
    copy (which syncs it) would write the rest of the copy itself."""
    with path.open("rb+") as file:
        os.fsync(file.fileno())


def log_key_path(store: Path) -> Path:
    """Where the registry looks for a SQLite store's log key (greenreg.storage.log_key)."""
    return store.with_name(store.name + ".log-key")


def write_log_key(path: Path, signer: Ed25519Signer) -> None:
    path.touch(mode=0o600)
    path.write_text(b64encode(signer.seed) + "\n", encoding="ascii")
