"""A rebuild's writing, in a process of its own beside the fold.

About half of a rebuild is folding the log (reading, decoding and folding events: Python, one
core) and the rest is writing what it folded: hashing each row for the digest, inserting the
rows, building the indexes, committing. With a second core the two run at once: the projector
folds, and hands each page's rows to a writer process (:func:`main`, started as
``python -m greenreg.projections.bulk_writer``), which has its own connection to the database and
holds the rebuild's one transaction from the start: it drops the old read models, hashes and
inserts each page's rows while the next page is folded, builds the indexes of the tables that
only grow while the projector gathers the units' present rows, writes those, the search terms
and the other indexes, and commits only when told to, with the digest and the tracking position.

Nothing else changes: the same statements in the same order on the same tables, so the same
rows, and one transaction, so readers see the old read models until the new ones are complete.
If the projector fails, or dies, the writer finds its input closed before the word to commit
and rolls back; if the writer fails, or dies, nothing is committed and the projector raises
with the writer's error (:class:`WriterFailed`). If the writer cannot be started at all
(:class:`WriterNotStarted`), the projector writes the rows itself.

Messages are framed (a kind byte, a length, the body) and hold only rows, text and numbers,
written with :mod:`marshal` (three times as fast as :mod:`pickle` for rows: no memo), or
:mod:`pickle` for anything :mod:`marshal` refuses. Both ends are this interpreter, and the pipe
is the projector's own.
"""

from __future__ import annotations

import marshal
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import IO, Any

from greenreg.errors import one_line
from greenreg.projections import schema as t
from greenreg.projections.database import ReadStore
from greenreg.projections.digest import MODULUS, DigestCommits, table_sum
from greenreg.projections.search_table import write_terms

HEADER = struct.Struct("<cQ")
MARSHAL, PICKLE = b"m", b"p"
QUEUED = 4
"""How many framed messages the projector may hold ready for a writer that is busy (a message
is a page of rows, or one table's present rows)."""
STOP_SECONDS = 120


class WriterFailed(Exception):  # noqa: N818 (the writer's own error, named by it)
    """The writer process failed (its error, in one line) or ended without answering."""


class WriterNotStarted(Exception):  # noqa: N818 (a reason to write here, not a failure)
    """The writer process, or the thread that feeds it, could not be started (no process or
    thread left, no memory, the interpreter not found): nothing was written, and the rebuild
    can write its rows itself."""


def frame(message: Any) -> bytes:
    try:
        kind, body = MARSHAL, marshal.dumps(message, 2)
    except ValueError:  # a value marshal cannot write (it has none of the rows' types)
        kind, body = PICKLE, pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(kind, len(body)) + body


def read_frame(stream: IO[bytes]) -> Any:
    """The next message, or ``None`` when the stream ends."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    kind, size = HEADER.unpack(header)
    body = stream.read(size)
    if len(body) < size:
        return None
    if kind == MARSHAL:
        return marshal.loads(body)  # noqa: S302 (written by this process's parent, over its own pipe)
    return pickle.loads(body)  # noqa: S301 (written by this process's parent, over its own pipe)


# --- the projector's side -----------------------------------------------------------------------


class BesideWriter:
    """The projector's handle on a writer process: messages are framed in the calling thread
    and written by a thread of their own, so the fold never waits on a writer that is busy
    (unless :data:`QUEUED` messages are already waiting)."""

    def __init__(self, store: ReadStore) -> None:
        """Start the writer process and the thread that feeds it; raises
        :class:`WriterNotStarted`, leaving nothing running, if either cannot start."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "greenreg.projections.bulk_writer"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
        except OSError as error:  # fork or exec refused: nothing started
            raise WriterNotStarted(
                f"the rebuild's writer process could not start: {error}"
            ) from error
        self._queue: queue.Queue[bytes | None] = queue.Queue(QUEUED)
        self._broken: BaseException | None = None
        self._sender = threading.Thread(target=self._send_all, name="rebuild-writer-feed")
        try:
            self._sender.start()
        except RuntimeError as error:  # no thread left: end the process, which has no input yet
            self._stop()
            raise WriterNotStarted(f"the rebuild's writer could not be fed: {error}") from error
        self.send(("begin", store.env))

    def _send_all(self) -> None:
        stdin = self.process.stdin
        if stdin is None:  # pragma: no cover (always a pipe)
            return
        try:
            while (data := self._queue.get()) is not None:
                if self._broken is None:
                    stdin.write(data)
                    stdin.flush()  # a short message (the word to build indexes) goes now
            stdin.close()
        except (BrokenPipeError, OSError) as error:  # the writer ended: finish() says why
            self._broken = error
            while self._queue.get() is not None:  # let the projector go on to finish()
                pass

    def send(self, message: Any) -> None:
        """Queue a message for the writer (framed here)."""
        if self._broken is not None:
            raise self._failure()
        self._queue.put(frame(message))

    def append(self, rows: Mapping[str, Sequence[Sequence[Any]]]) -> None:
        """A page's appended rows, table by table (not the search terms)."""
        self.send(("append", dict(rows)))

    def folded(self) -> None:
        """Every page is sent: the tables that only grow are complete."""
        self.send(("folded",))

    def present(self, table: str, rows: Sequence[Sequence[Any]]) -> None:
        self.send(("present", table, rows))

    def terms(self, rows: Sequence[Sequence[Any]]) -> None:
        self.send(("terms", rows))

    def finish(self, position: int, log_size: int, digest: int) -> int:
        """Commit, with the tracking position and the digest of the rows the projector hashed
        (the writer adds those it hashed); return the read models' digest."""
        self.send(("finish", position, log_size, digest % MODULUS))
        self._close_input()
        answer = self._answer()
        if not answer or answer[0] != "done":
            raise self._failure(answer)
        return int(answer[1])

    def close(self) -> None:
        """End the writer (rolling back, if it did not commit) and wait for it."""
        self._close_input()
        self._stop()

    def _stop(self) -> None:
        """Close the writer's input, wait for it to end (killing it if it will not), and close
        its output."""
        if self.process.stdin is not None and not self._sender.is_alive():
            with suppress(OSError):
                self.process.stdin.close()  # a writer never fed ends on its own
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def _close_input(self) -> None:
        if self._sender.is_alive():
            self._queue.put(None)
            self._sender.join()

    def _answer(self) -> Any:
        stdout = self.process.stdout
        if stdout is None:  # pragma: no cover (always a pipe)
            return None
        try:
            return read_frame(stdout)
        except (OSError, EOFError, ValueError):
            return None

    def _failure(self, answer: Any = None) -> WriterFailed:
        if answer is None:
            self._close_input()
            answer = self._answer()
        if answer and answer[0] == "failed":
            return WriterFailed(str(answer[1]))
        code = self.process.poll()
        return WriterFailed(f"the rebuild's writer process ended without committing (exit {code})")

    def __enter__(self) -> BesideWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- the writer process ---------------------------------------------------------------------------


def serve(source: IO[bytes], answers: IO[bytes]) -> None:
    """Read the projector's messages and do what they say, in one transaction (see the module's
    docstring); answer ``("done", digest)`` once committed, or ``("failed", error)``."""
    from greenreg.projections.runner import collector_paused  # noqa: PLC0415 (cycle)

    opening = read_frame(source)
    if not opening or opening[0] != "begin":
        return
    store = ReadStore(opening[1])
    try:
        with collector_paused(), store.bulk_load(), store.transaction() as cursor:
            answer: tuple[str, Any] | None = _write(store, cursor, source)
    except _Ended:
        answer = None  # rolled back
    except Exception as error:  # told to the projector, which raises it
        answer = ("failed", one_line(error))
    finally:
        store.close()
    if answer is not None:  # None: the projector went away; nothing to tell
        answers.write(frame(answer))
        answers.flush()


class _Ended(Exception):  # noqa: N818 (a signal, not an error)
    """The projector closed the pipe before the word to commit: roll back."""


def _write(store: ReadStore, cursor: Any, source: IO[bytes]) -> tuple[str, int]:
    t.drop_tables(cursor)
    t.create_tables(store, cursor, with_indexes=False)
    digest = 0
    inserts = {table.name: table.insert(store) for table in t.ALL}
    while True:
        message = read_frame(source)
        if message is None:
            raise _Ended
        kind = message[0]
        if kind == "append":
            for name, rows in message[1].items():
                digest += table_sum(name, rows)
                cursor.executemany(inserts[name], rows)
        elif kind == "folded":
            t.create_indexes(store, cursor, t.APPEND_ONLY)
        elif kind == "present":
            if message[2]:
                cursor.executemany(inserts[message[1]], message[2])
        elif kind == "terms":
            write_terms(store, cursor, message[1])
        elif kind == "finish":
            _, position, log_size, hashed = message
            t.create_indexes(store, cursor, tuple(x for x in t.ALL if x not in t.APPEND_ONLY))
            digest = (digest + hashed) % MODULUS
            _track(store, cursor, position)
            DigestCommits(store).restart(cursor, log_size, position, digest)
            return ("done", digest)
        else:
            raise ValueError(f"unknown message {kind!r}")


def _track(store: ReadStore, cursor: Any, position: int) -> None:
    cursor.execute(store.sql("DELETE FROM rm_tracking WHERE projection = ?"), (t.PROJECTION,))
    cursor.execute(
        store.sql("INSERT INTO rm_tracking (projection, position) VALUES (?, ?)"),
        (t.PROJECTION, position),
    )


def main() -> None:
    serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
