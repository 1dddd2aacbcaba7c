-- depends: 0005_job_failures
-- The digest of the read models the projection commits each time it has folded up to a log size
-- (projections/digest.py): 'greenreg verify --since' compares it with its own instead of
-- rebuilding the read models, where the two agree. notification_id is the read models' tracking
-- position at that size, from which the next digest is computed.
CREATE TABLE greenreg_read_model_digests (log_size INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL, digest TEXT NOT NULL);
CREATE INDEX greenreg_read_model_digests_notification
    ON greenreg_read_model_digests (notification_id);
