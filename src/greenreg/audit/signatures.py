"""Every event's Ed25519 signature, checked on all cores.

The main process knows which public key each event names (it folds the key events in order);
it sends ``(position, public key, signed bytes, signature)`` in chunks to a process pool, which
answers with the positions whose signature does not verify.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from uuid import UUID

from greenreg.errors import SignatureError
from greenreg.events.signing import verify_signature

Job = tuple[int, UUID, int, bytes, bytes, bytes]
"""(position, originator id, version, public key, signed bytes, signature)"""
Failure = tuple[int, UUID, int]
CHUNK = 1_000


def check_chunk(jobs: list[Job]) -> list[Failure]:
    """The events in ``jobs`` whose signature is not the key's over the bytes."""
    bad = []
    for position, originator_id, version, public_key, message, signature in jobs:
        try:
            verify_signature(public_key, message, signature)
        except SignatureError:
            bad.append((position, originator_id, version))
    return bad


class SignatureChecker:
    """Feed jobs with :meth:`check`; :meth:`failures` waits for all and names the bad ones."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool = ProcessPoolExecutor(max_workers=self.workers)
        self._chunk: list[Job] = []
        self._futures: list[Future[list[Failure]]] = []
        self._failed: list[Failure] = []
        self.checked = 0

    def check(self, job: Job) -> None:
        self._chunk.append(job)
        if len(self._chunk) >= CHUNK:
            self._send()

    def _send(self) -> None:
        if self._chunk:
            self._futures.append(self._pool.submit(check_chunk, self._chunk))
            self.checked += len(self._chunk)
            self._chunk = []
        while len(self._futures) > 4 * self.workers:  # keep memory bounded
            self._failed.extend(self._futures.pop(0).result())

    def failures(self) -> list[Failure]:
        self._send()
        for future in self._futures:
            self._failed.extend(future.result())
        self._futures = []
        return sorted(self._failed)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def __enter__(self) -> SignatureChecker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
