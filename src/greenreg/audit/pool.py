"""The worker processes: entries go out in chunks, :class:`~greenreg.audit.prepare.Prepared`
answers come back in log order, while the main process folds the chunks before them.

The main process learns the public keys from the (rare) key events as it reads each chunk and
sends them along, so a worker can check any signature in the chunk. Whether a key was declared
*before* the event that uses it, and was valid for its authority at the time, is the main
process's stateful check.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType

from greenreg.audit.prepare import (
    KEY_EVENTS,
    Opened,
    Prepared,
    Raw,
    declared_keys,
    open_checkpoints,
    prepare_chunk,
)
from greenreg.registry.checkpoints import LogKey
from greenreg.storage.log_tables import LogEntry

CHUNK = 500
NOTES_CHUNK = 2_000


class Pool:
    """A process pool for the stateless work; use as a context manager."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool = ProcessPoolExecutor(max_workers=self.workers)

    def prepared(
        self, entries: Iterable[LogEntry], keys: dict[str, bytes] | None = None
    ) -> Iterator[tuple[LogEntry, Prepared]]:
        """Each entry with what a worker found in it, in order; a few chunks run ahead.
        ``keys``: the public keys declared before the first entry (an incremental audit's)."""
        keys = dict(keys or {})
        ahead: deque[tuple[list[LogEntry], Future[list[Prepared]]]] = deque()
        chunk: list[LogEntry] = []
        for entry in entries:
            chunk.append(entry)
            if len(chunk) >= CHUNK:
                ahead.append(self._send(chunk, keys))
                chunk = []
                if len(ahead) > 2 * self.workers:
                    yield from _answered(*ahead.popleft())
        if chunk:
            ahead.append(self._send(chunk, keys))
        while ahead:
            yield from _answered(*ahead.popleft())

    def _send(
        self, chunk: list[LogEntry], keys: dict[str, bytes]
    ) -> tuple[list[LogEntry], Future[list[Prepared]]]:
        raws: list[Raw] = []
        for entry in chunk:
            if entry.topic is not None and entry.topic.endswith(KEY_EVENTS):
                keys.update(declared_keys(entry.topic, entry.state))
            raw = (entry.originator_id.bytes, entry.originator_version, entry.topic, entry.state)
            raws.append(raw)
        return chunk, self._pool.submit(prepare_chunk, raws, dict(keys))

    def open_checkpoints(
        self, notes: list[tuple[int, str]], keys: list[LogKey]
    ) -> list[Future[list[Opened]]]:
        """Start opening the checkpoint notes; the futures answer in the notes' order."""
        return [
            self._pool.submit(open_checkpoints, notes[i : i + NOTES_CHUNK], keys)
            for i in range(0, len(notes), NOTES_CHUNK)
        ]

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def __enter__(self) -> Pool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _answered(
    chunk: list[LogEntry], future: Future[list[Prepared]]
) -> Iterator[tuple[LogEntry, Prepared]]:
    return zip(chunk, future.result(), strict=True)
