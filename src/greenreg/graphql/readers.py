"""One GraphQL request's reads, from one snapshot of the read models.

A GraphQL answer is read in many statements from several resolvers (the data version, the bank
check, its units through the loaders), each in a worker thread, while the projection keeps
committing. REST routes read theirs in one thread, in one snapshot
(:meth:`greenreg.api.reading.Reads.consistent`); a GraphQL request gets a thread of its own for
as long as it runs (:class:`Reader`), where the first read opens the snapshot that every later
read of the request uses, so the answer is the registry at the one moment its data version
states, and a receipt signs nothing else.

The threads are kept (:class:`Readers`, :data:`THREADS` of them): each keeps its connection, as
the server's worker threads do, and a request waits for a free one when all are busy.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import functools
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, asynccontextmanager
from typing import Any, TypeVar

from greenreg.projections.database import ReadStore

T = TypeVar("T")

THREADS = 8
"""GraphQL requests read at once; more wait for a thread (each holds a database connection)."""

WAIT_SECONDS = 0.002
"""How often a request waiting for a thread looks again."""


class Reader:
    """One request's reads: all in one thread, in one snapshot opened by the first."""

    def __init__(self, store: ReadStore, thread: ThreadPoolExecutor) -> None:
        self._store = store
        self._thread = thread
        self._snapshot: ExitStack | None = None

    async def run(self, question: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``question(*args, **kwargs)`` in the request's thread and snapshot (with the
        caller's context variables: the read store a request was routed to)."""
        call = functools.partial(question, *args, **kwargs)
        context = contextvars.copy_context()
        return await _finished(
            asyncio.get_running_loop().run_in_executor(
                self._thread, context.run, self._in_snapshot, call
            )
        )

    def _in_snapshot(self, call: Callable[[], T]) -> T:
        if self._snapshot is None:
            snapshot = ExitStack()
            snapshot.enter_context(self._store.snapshot())
            self._snapshot = snapshot
        return call()

    async def close(self) -> None:
        """End the snapshot, in the thread that holds it."""
        snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None:
            await _finished(
                asyncio.get_running_loop().run_in_executor(self._thread, snapshot.close)
            )


async def _finished(work: asyncio.Future[T]) -> T:
    """``work``'s result, waiting for the thread to finish it even when the request is cancelled
    meanwhile (a deadline): a thread cannot be stopped, and a read left running past its
    request could use a connection the server closes when it stops. The cancellation is given
    on once the work is done (as anyio's worker threads do for Starlette's routes)."""
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(work)
        except asyncio.CancelledError:
            if work.cancelled():
                raise
            cancelled = True
            if not work.done():
                continue
            if work.exception() is not None:
                raise
            result = work.result()
        if cancelled:
            raise asyncio.CancelledError
        return result


class Readers:
    """The kept threads GraphQL requests read in, one request at a time each."""

    def __init__(self, store: ReadStore, threads: int = THREADS) -> None:
        self._store = store
        self._count = threads
        self._free: collections.deque[ThreadPoolExecutor] = collections.deque()
        self._start()

    def _start(self) -> None:
        # taken last in, first out: requests one after another read in one thread, on one
        # connection; more threads (and connections) only while requests overlap. A thread
        # starts when it is first used.
        self._free.extend(
            ThreadPoolExecutor(1, thread_name_prefix="greenreg-graphql") for _ in range(self._count)
        )

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[Reader]:
        """A thread of the request's own until the block ends, and the snapshot it reads in."""
        while True:  # polled, not awaited on a queue: a request cancelled while waiting takes none
            try:
                thread = self._free.pop()
                break
            except IndexError:
                await asyncio.sleep(WAIT_SECONDS)
        reader = Reader(self._store, thread)
        try:
            yield reader
        finally:
            try:
                await asyncio.shield(reader.close())
            finally:
                self._free.append(thread)

    def close(self) -> None:
        """End the threads (when the server stops); fresh ones start if it serves again."""
        threads = list(self._free)
        self._free.clear()
        self._start()
        for thread in threads:
            thread.shutdown(wait=False)
