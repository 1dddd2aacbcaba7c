-- depends: 0004_witnesses
-- A job whose answering fails again and again is stopped: the attempts that failed, and the
-- last failure in words, shown in its status; after too many it is "failed" for good.
ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN failure TEXT;
