"""SQLite: a read-model connection's commit leaves its pages in the write-ahead log up to
``CHECKPOINT_PAGES`` (64 MB), instead of copying them into the database file (and syncing it)
once the log holds 1,000 pages, SQLite's default: a batch of the incremental runner writes about
4,000, so with the default every batch was checkpointed at its commit."""

from __future__ import annotations

from pathlib import Path

from greenreg.projections.database import CHECKPOINT_PAGES, ReadStore

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
