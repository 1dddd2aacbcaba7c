-- depends: 0002_refold_read_models
-- A match job keeps the threshold its submitter asked for (NULL: the default), shown in its
-- status, every result line and its receipt.
ALTER TABLE jobs ADD COLUMN threshold DOUBLE PRECISION;
