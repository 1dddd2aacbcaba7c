"""The jobs' tables, in the registry's database beside the events (not read models: a rebuild
of the read models leaves them alone).

``jobs``         one row per job: its question (kind, as_of, known_at, a match job's threshold),
                 the input's hash and
                 counts, the first row errors, its progress (chunks done, outcome counts), the
                 worker's lease, and once done the result's hash and the signed receipt
``job_inputs``   the references still to answer, numbered ``seq`` 0, 1, ... in file order
                 (chunk ``k`` is ``seq`` in ``[k * CHUNK_ROWS, (k + 1) * CHUNK_ROWS)``);
                 deleted when the job is done
``job_results``  one line of the result per line of the file that held a row, keyed by that
                 line number: an answer, or the row's error
"""

from __future__ import annotations

from typing import Any

from greenreg.projections.database import ReadStore

STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS jobs (
        job_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        as_of TEXT NOT NULL,
        known_at TEXT NOT NULL,
        input_format TEXT NOT NULL,
        input_sha256 TEXT NOT NULL,
        input_bytes BIGINT NOT NULL,
        rows_total BIGINT NOT NULL,
        references_total BIGINT NOT NULL,
        row_errors BIGINT NOT NULL,
        errors_sample TEXT NOT NULL,
        chunks_total BIGINT NOT NULL,
        chunks_done BIGINT NOT NULL,
        references_done BIGINT NOT NULL,
        counts TEXT NOT NULL,
        data_version TEXT NOT NULL,
        checkpoint_note TEXT,
        leased_by TEXT,
        lease_until DOUBLE PRECISION,
        result_sha256 TEXT,
        receipt TEXT,
        receipt_key_id TEXT,
        finished_at TEXT,
        threshold DOUBLE PRECISION
    )""",
    "CREATE INDEX IF NOT EXISTS jobs_waiting ON jobs (status, submitted_at)",
    """CREATE TABLE IF NOT EXISTS job_inputs (
        job_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        line BIGINT NOT NULL,
        as_of TEXT NOT NULL,
        fields TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
    )""",
    """CREATE TABLE IF NOT EXISTS job_results (
        job_id TEXT NOT NULL,
        line BIGINT NOT NULL,
        outcome TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (job_id, line)
    )""",
)


ADDED_COLUMNS = (("jobs", "threshold", "DOUBLE PRECISION"),)
"""Columns added after the tables were first shipped: added where a database lacks them."""


def create_job_tables(store: ReadStore) -> None:
    """Create the tables where they are missing, and the columns added since (idempotent; two
    processes may race)."""
    with store.transaction() as cursor:
        if store.has_table(cursor, "job_results") and all(
            _has_column(store, cursor, table, column) for table, column, _ in ADDED_COLUMNS
        ):
            return
        if store.dialect == "postgres":  # one creator at a time; the others then see them
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('greenreg.jobs.schema'))")
        for statement in STATEMENTS:
            cursor.execute(statement)
        for table, column, sql_type in ADDED_COLUMNS:
            if not _has_column(store, cursor, table, column):
                cursor.execute(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")


def _has_column(store: ReadStore, cursor: Any, table: str, column: str) -> bool:
    if store.dialect == "sqlite":
        cursor.execute("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", (table, column))
    else:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = %s AND column_name = %s",
            (store.schema, table, column),
        )
    return cursor.fetchone() is not None
