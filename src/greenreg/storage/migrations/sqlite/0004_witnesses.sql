-- depends: 0003_job_threshold
-- Witnesses (C2SP tlog-witness): the cosignature lines each witness returned for a checkpoint,
-- and the size each witness last cosigned (the old size of the next request to it).
CREATE TABLE greenreg_log_cosignatures (tree_size INTEGER NOT NULL, witness TEXT NOT NULL,
    line TEXT NOT NULL, PRIMARY KEY (tree_size, witness));
CREATE TABLE greenreg_log_witnessed (witness TEXT PRIMARY KEY, tree_size INTEGER NOT NULL);
