"""SQLite: a read-model connection's commit leaves its pages in the write-ahead log up to
``CHECKPOINT_PAGES`` (64 MB), instead of copying them into the database file (and syncing it)
once the log holds 1,000 pages, SQLite's default: a batch of the incremental runner writes about
4,000, so with the default every batch was checkpointed at its commit."""

from __future__ import annotations

from pathlib import Path

from greenreg.projections.database import (
    BULK_CACHE_KIB,
    CHECKPOINT_PAGES,
    READ_CACHE_KIB,
    ReadStore,
)

PAGE = 4096


def test_a_batch_of_some_thousand_pages_stays_in_the_log_at_its_commit(tmp_path: Path) -> None:
    path = tmp_path / "registry.db"
    store = ReadStore({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})
    try:
        store.execute("CREATE TABLE rm_filler (text TEXT)")
        size = path.stat().st_size
        rows = [(f"{number:06d}" + "x" * 3000,) for number in range(3_000)]  # a page each
        with store.transaction() as cursor:
            cursor.executemany("INSERT INTO rm_filler (text) VALUES (?)", rows)

        log = path.with_name(path.name + "-wal").stat().st_size
        assert 3_000 * PAGE < log < CHECKPOINT_PAGES * PAGE
        assert path.stat().st_size == size  # nothing copied into the file yet
        assert store.query("SELECT count(*) FROM rm_filler") == [(3_000,)]
    finally:
        store.close()


def test_a_read_connection_keeps_the_pages_it_reads_past_the_mapped_part(tmp_path: Path) -> None:
    """SQLite copies the pages it reads beyond the part of the file it maps into each
    connection's own cache: a read connection keeps ``READ_CACHE_KIB`` of them (SQLite's
    default is 2 MiB), and again after a rebuild's larger cache."""
    path = tmp_path / "registry.db"
    store = ReadStore({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})
    try:
        assert store.query("PRAGMA cache_size") == [(-READ_CACHE_KIB,)]
        assert READ_CACHE_KIB * 1024 > 4 * 2 * 1024 * 1024
        with store.bulk_load():
            assert store.query("PRAGMA cache_size") == [(-BULK_CACHE_KIB,)]
        assert store.query("PRAGMA cache_size") == [(-READ_CACHE_KIB,)]
    finally:
        store.close()
