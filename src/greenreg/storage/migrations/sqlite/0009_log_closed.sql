-- depends: 0008_refold_ready_unit_rows
-- The moment up to which the log is closed, in microseconds since 1970-01-01 UTC: a reader that
-- answers later as known at a moment (a bulk job) closes the log up to it first, and from then
-- on no event recorded at or before it is appended (the act is decided again, later). One row.
CREATE TABLE greenreg_log_closed (moment bigint NOT NULL);
INSERT INTO greenreg_log_closed (moment) VALUES (0);
