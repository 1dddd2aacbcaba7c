-- The schema of the first release with migrations, exactly as that release and the one before
-- it created it (so a store made by the previous release is at this version already: applying
-- this migration to it changes nothing and records the version).
-- The events table (stored_events) is eventsourcing's own, created by the library; the read
-- models (rm_*) are the projection's own, dropped and rebuilt from the log (see
-- docs/deployment.md).

-- The transparency log, in the events' write transaction (greenreg.storage.log_tables).
CREATE TABLE IF NOT EXISTS greenreg_log_entries (position INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, UNIQUE (originator_id, originator_version));
CREATE TABLE IF NOT EXISTS greenreg_log_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS greenreg_log_checkpoints (tree_size INTEGER PRIMARY KEY, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS greenreg_act_ids (act_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS greenreg_log_keys (key_id TEXT PRIMARY KEY, declaration TEXT NOT NULL);

-- Bulk jobs, in the registry's database beside the events (not read models: a rebuild of the
-- read models leaves them alone).
--   jobs         one row per job: its question (kind, as_of, known_at), the input's hash and
--                counts, the first row errors, its progress (chunks done, outcome counts), the
--                worker's lease, and once done the result's hash and the signed receipt
--   job_inputs   the references still to answer, numbered seq 0, 1, ... in file order (chunk k
--                is seq in [k * CHUNK_ROWS, (k + 1) * CHUNK_ROWS)); deleted when the job is done
--   job_results  one line of the result per line of the file that held a row, keyed by that
--                line number: an answer, or the row's error
CREATE TABLE IF NOT EXISTS jobs (
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
        finished_at TEXT
    );
CREATE INDEX IF NOT EXISTS jobs_waiting ON jobs (status, submitted_at);
CREATE TABLE IF NOT EXISTS job_inputs (
        job_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        line BIGINT NOT NULL,
        as_of TEXT NOT NULL,
        fields TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
    );
CREATE TABLE IF NOT EXISTS job_results (
        job_id TEXT NOT NULL,
        line BIGINT NOT NULL,
        outcome TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (job_id, line)
    );

-- Subscribers. Times are fixed-width UTC text (record_time): they compare as text.
--   greenreg_api_keys           key id -> holder's name, SHA-256 of the key, issued, revoked
--   greenreg_watchlists         a watchlist: its key, endpoint, cursor (next_position), the
--                               notification being delivered (body, signature, attempts, when
--                               to try again) and the lease of the worker delivering it
--   greenreg_watch_entries      (watchlist, entry): a unit id or a credit code, compact
--   greenreg_watch_deliveries   every attempt to deliver: when, the outcome, HTTP status, error
CREATE TABLE IF NOT EXISTS greenreg_api_keys (key_id TEXT PRIMARY KEY, name TEXT NOT NULL, key_hash TEXT NOT NULL, issued_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE IF NOT EXISTS greenreg_watchlists (watchlist_id TEXT PRIMARY KEY, key_id TEXT NOT NULL, url TEXT NOT NULL, created_at TEXT NOT NULL, deleted_at TEXT, entry_count BIGINT NOT NULL, next_position BIGINT NOT NULL, generation BIGINT NOT NULL, pending_position BIGINT, pending_body TEXT, pending_signature TEXT, attempts BIGINT NOT NULL DEFAULT 0, next_attempt_at TEXT, last_error TEXT, lease_owner TEXT, lease_until TEXT);
CREATE INDEX IF NOT EXISTS greenreg_watchlists_key ON greenreg_watchlists (key_id);
CREATE TABLE IF NOT EXISTS greenreg_watch_entries (watchlist_id TEXT NOT NULL, entry TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (watchlist_id, entry));
CREATE TABLE IF NOT EXISTS greenreg_watch_deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT, watchlist_id TEXT NOT NULL, position BIGINT NOT NULL, change TEXT NOT NULL, unit_id TEXT NOT NULL, attempt BIGINT NOT NULL, attempted_at TEXT NOT NULL, outcome TEXT NOT NULL, status_code BIGINT, error TEXT, duration_ms BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS greenreg_watch_deliveries_list ON greenreg_watch_deliveries (watchlist_id, seq);
