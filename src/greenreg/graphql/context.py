"""The context every resolver receives: the read side's queries, this request's loaders, the
transparency log (checkpoints, proofs, the key that signs receipts) and the registry's clock.

Resolvers read through :meth:`Context.ask`, which first notes the data version the answer is
given at (once per request: the latest signed checkpoint, then the read models' positions),
then runs the query off the event loop: in the request's :class:`~greenreg.graphql.readers.
Reader` as served, whose one snapshot every read of the request shares. A request refused by a
limit never reads anything, not even the version.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from greenreg.graphql.loaders import Loaders
from greenreg.graphql.readers import Reader
from greenreg.projections.queries import Queries
from greenreg.storage.queries import AnsweredAt, TransparencyLog, answered_at
from greenreg.subscribers.access import Caller

T = TypeVar("T")


@dataclass
class Context(BaseContext):
    queries: Queries
    loaders: Loaders
    log: TransparencyLog | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    data_version: AnsweredAt | None = field(default=None)
    reader: Reader | None = field(default=None)
    _version_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        super().__init__()

    async def version(self) -> AnsweredAt:
        """The data version of this request's answers, read before the first query."""
        async with self._version_lock:
            if self.data_version is None:
                self.data_version = await self.run(answered_at, self.log, self.queries.data_version)
            return self.data_version

    def caller(self) -> Caller | None:
        """Who asks, as the app's quotas identified them (None in an app without quotas)."""
        request = getattr(self, "request", None)
        return getattr(request.state, "caller", None) if request is not None else None

    async def ask(self, question: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``question(*args, **kwargs)`` (a :class:`Queries` method) in a worker thread."""
        await self.version()
        return await self.run(question, *args, **kwargs)

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``work(*args, **kwargs)`` off the event loop: in the request's reader (its thread
        and snapshot), or a worker thread without one."""
        if self.reader is not None:
            return await self.reader.run(work, *args, **kwargs)
        return await run_in_threadpool(work, *args, **kwargs)


GreenregInfo = Info[Context, None]
"""What a resolver's ``info`` argument is."""
