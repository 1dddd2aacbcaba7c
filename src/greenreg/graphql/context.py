"""The context every resolver receives: the read side's queries, this request's loaders, the
transparency log (checkpoints, proofs, the key that signs receipts) and the registry's clock.

Resolvers read through :meth:`Context.ask`, which first notes the data version the answer is
given at (once per request: the latest signed checkpoint, then the read models' positions),
then runs the query off the event loop. A request refused by a limit never reads anything, not
even the version.
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
    _version_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        super().__init__()

    async def version(self) -> AnsweredAt:
        """The data version of this request's answers, read before the first query."""
        async with self._version_lock:
            if self.data_version is None:
                self.data_version = await run_in_threadpool(
                    answered_at, self.log, self.queries.data_version
                )
            return self.data_version

    def caller(self) -> Caller | None:
        """Who asks, as the app's quotas identified them (None in an app without quotas)."""
        request = getattr(self, "request", None)
        return getattr(request.state, "caller", None) if request is not None else None

    async def ask(self, question: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``question(*args, **kwargs)`` (a :class:`Queries` method) in a worker thread."""
        await self.version()
        return await run_in_threadpool(question, *args, **kwargs)


GreenregInfo = Info[Context, None]
"""What a resolver's ``info`` argument is."""
