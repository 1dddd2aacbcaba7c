"""Bulk jobs: a whole loan book checked (or matched) asynchronously, up to 1,000,000 rows.

A client submits a file (CSV with a header ``ref`` and optional ``as_of``, or JSON lines
``{"ref": ..., "as_of": ...}``; a ``match`` job reads ``name``, ``credit_code``, ``region``,
``kind`` and ``programme`` instead of ``ref``); the registry stores it, records each broken row
as an error of its own line (the rest of the file still counts), and answers at once with the
job's id. A
worker (a thread of ``greenreg serve``, or ``greenreg jobs run``) answers the references in
chunks of :data:`~greenreg.jobs.store.CHUNK_ROWS`, in order; each chunk's results and the job's
progress commit in one transaction, so a worker killed at any instant resumes from the last
committed chunk and a chunk is never written twice. ``as_of`` and ``known_at`` are fixed when
the job is submitted (``known_at`` defaults to that moment), so a restart never changes an
answer. When the last chunk is in, the result's JSON lines are hashed (SHA-256) and one receipt,
signed by the log key at the checkpoint of the submission, states that hash.

    schema.py   the tables (``jobs``, ``job_inputs``, ``job_results``), beside the events
    intake.py   reading a submitted file into rows and per-row errors
    kinds.py    what a job does with a chunk of rows: ``check`` (the bank check), pluggable
    matches.py  the ``match`` kind: borrowers by name and/or credit code, as the bulk match
    store.py    submitting, claiming, committing chunks, finishing, reading results
    results.py  the result as JSON lines and CSV, and its hash
    worker.py   the loop that runs jobs, as a thread or a process
"""

from greenreg.jobs import matches as _matches  # noqa: F401 (registers the match kind)
