"""A query text parsed and validated: both cached, and done in a worker thread when the text is
long, so that the event loop keeps serving other requests meanwhile.

A document at the token limit takes graphql-core about 0.3 s to parse and as long again to
validate; on the event loop that would stall every other request of the process (``/healthz``
included). A short text (most are a few hundred characters, and a bank or a page sends the same
few texts again) is parsed and validated in place, where a thread would cost more than the work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import lru_cache
from typing import Any, TypeVar

from graphql import parse
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

T = TypeVar("T")

DOCUMENT_CACHE = 256
"""Query texts whose parsed and validated documents are kept (a bank or a page sends the same
few texts with different variables; parsing and validating one costs several milliseconds)."""

OFF_LOOP_CHARS = 2_000
"""Query texts longer than this are parsed, validated and measured in a worker thread."""

_parse = lru_cache(maxsize=DOCUMENT_CACHE)(parse)
_validate = lru_cache(maxsize=DOCUMENT_CACHE)(validate_document)


async def off_loop_if_long(query: str | None, work: Callable[..., T], *args: Any, **kw: Any) -> T:
    """``work(*args, **kw)``, in a worker thread when ``query`` is long."""
    if len(query or "") > OFF_LOOP_CHARS:
        return await run_in_threadpool(work, *args, **kw)
    return work(*args, **kw)


class Preparation(SchemaExtension):
    """Parse and validate with caches, off the event loop for a long text (in place of
    strawberry's ``ParserCache`` and ``ValidationCache``, which work on the loop)."""

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        context.graphql_document = await off_loop_if_long(
            context.query, _parse, context.query, **context.parse_options
        )
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        context.pre_execution_errors = await off_loop_if_long(
            context.query,
            _validate,
            context.schema._schema,
            context.graphql_document,
            context.validation_rules,
        )
        yield
