"""The GraphQL schema: the root query, the limits, error codes, and the data version.

``make_schema()`` builds it; ``schema.graphql`` beside this module is its printed form, kept in
step by a test (regenerate with ``python -m greenreg.graphql.schema > schema.graphql``).
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import FieldNode, GraphQLError, Node, Visitor, visit
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext

from greenreg.graphql.context import Context
from greenreg.graphql.documents import Preparation
from greenreg.graphql.errors import tag
from greenreg.graphql.execution import PlainExecution
from greenreg.graphql.limits import limit_extensions
from greenreg.graphql.query import Query
from greenreg.storage.queries import DATA_VERSION_HEADER, NOT_STORED, AnsweredAt


class GreenregSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Give every error its code; unexpected ones are logged by :func:`tag`, not echoed."""
        tag(errors)


class DataVersionExtension(SchemaExtension):
    """State the data version of the answer in the response's ``extensions``: the latest signed
    checkpoint's ``logSize`` and ``rootHash`` (hex), then the store's and read models' positions.

    Resolvers note it before their first query (:meth:`Context.ask`); an answer that read
    nothing (``__typename`` only) reads it here; a refused request states none."""

    async def on_execute(self) -> Any:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        answered = result is not None and getattr(result, "data", None) is not None
        if isinstance(context, Context) and answered:
            await context.version()

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        version = context.data_version if isinstance(context, Context) else None
        if version is None:
            return {}
        self._state_in_headers(context, version)
        data = version.data
        return {
            "dataVersion": {
                "logSize": version.log_size,
                "rootHash": version.root_hash,
                "eventCount": data.event_count,
                "lastPosition": data.last_position,
                "projectedPosition": data.projected_position,
                "behind": data.behind,
            }
        }

    def _state_in_headers(self, context: Context, version: AnsweredAt) -> None:
        """Over HTTP, state the version as REST does (the ``Greenreg-Data-Version`` header, from
        which a ``GET`` answer is tagged for caches, :mod:`greenreg.api.caching`); an answer
        that selects a receipt (signed anew each time) is never stored."""
        response = context.response
        if response is None:
            return
        response.headers[DATA_VERSION_HEADER] = version.header()
        document = self.execution_context.graphql_document
        if document is not None and _selects(document, "receipt"):
            response.headers["Cache-Control"] = NOT_STORED


def _selects(node: Node, name: str) -> bool:
    """Whether the document selects a field called ``name`` anywhere (fragments included)."""
    found = False

    class Finder(Visitor):
        def enter_field(self, field: FieldNode, *_: Any) -> None:
            nonlocal found
            found = found or field.name.value == name

    visit(node, Finder())
    return found


def make_schema(
    execution_context_class: type[StrawberryGraphQLCoreExecutionContext] = PlainExecution,
) -> strawberry.Schema:
    """The schema with its limits first (a text over a limit is refused before it is parsed or
    cached), then the cached parse and validation (off the event loop for a long text), then the
    data version. It executes with
    :class:`~greenreg.graphql.execution.PlainExecution` (a test compares it with strawberry's
    own execution context)."""
    return GreenregSchema(
        query=Query,
        execution_context_class=execution_context_class,
        extensions=[
            *limit_extensions(),
            Preparation,
            DataVersionExtension,
        ],
    )


def printed_schema() -> str:
    return make_schema().as_str() + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(printed_schema(), end="")
