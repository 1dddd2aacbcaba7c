"""What one GraphQL request may ask for, and the refusal (with ``extensions.code``) beyond it.

Checked before anything is read: the query's size in characters and in tokens (at parse); then,
once it has validated, the operation's measure with the request's variables
(:mod:`greenreg.graphql.cost`, linear in the document however its fragments nest): its depth,
its aliases, its fields once fragments are expanded, the references of all its bank checks
together (:data:`MAX_CERTIFICATIONS` a request: thirty aliases of a 10,000-code check are
refused, one is allowed) and the estimated size of its answer (:data:`MAX_COST`, which bounds
the memory the answer takes). Page sizes and each bank check's batch size are checked again by
the resolvers, before they query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

from graphql import GraphQLError, Node, OperationDefinitionNode
from strawberry.extensions import MaxTokensLimiter, SchemaExtension

from greenreg.graphql.cost import LIST_ESTIMATE, Measure, measure_operation
from greenreg.graphql.documents import off_loop_if_long

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_QUERY_CHARS = 300_000  # a bank check of 10,000 codes written inline in the query fits
MAX_TOKENS = 25_000
MAX_PAGE = 100
MAX_SEARCH = 100
MAX_CERTIFICATIONS = 10_000
"""References a request may ask about, across all its bank checks."""
MAX_FIELDS = 5_000
"""Field selections once fragments are expanded (the bank check example has 30)."""
MAX_COST = 2_500_000
"""Values the answer may hold, estimated (:mod:`greenreg.graphql.cost`): the bank check example
over 10,000 codes is 850,001. It bounds the memory an answer takes while it is built."""


class Refusal(GraphQLError):  # noqa: N818 (a GraphQL error, named for what it says)
    """A limit refused the request: a GraphQL error with a stable ``extensions.code``."""

    def __init__(self, code: str, message: str, nodes: list[Node] | None = None) -> None:
        super().__init__(message, nodes, extensions={"code": code})


def check_access(refusal: str | None) -> None:
    """Refuse a question the caller may not ask without an API key
    (:mod:`greenreg.subscribers.access`)."""
    if refusal is not None:
        raise Refusal("API_KEY_REQUIRED", refusal)


def check_page_size(first: int, limit: int = MAX_PAGE, argument: str = "first") -> int:
    if first < 1 or first > limit:
        raise Refusal(
            "PAGE_TOO_LARGE" if first > limit else "BAD_USER_INPUT",
            f"{argument} must be between 1 and {limit}, not {first}; page through the rest "
            "with 'after'",
        )
    return first


def check_batch_size(count: int) -> None:
    if count > MAX_CERTIFICATIONS:
        raise Refusal(
            "BATCH_TOO_LARGE",
            f"a certification check takes at most {MAX_CERTIFICATIONS:,} codes or unit ids, "
            f"not {count:,}; split it into several requests",
        )


def check_measure(operation: OperationDefinitionNode, measure: Measure) -> None:
    """Refuse an operation whose measure (:mod:`greenreg.graphql.cost`) passes a limit: depth,
    aliases, fields once fragments are expanded, references across bank checks, then the
    answer's estimated size."""
    name = operation.name.value if operation.name else "the operation"
    if measure.depth > MAX_DEPTH:
        raise Refusal(
            "QUERY_TOO_DEEP",
            f"{name} is {measure.depth} fields deep; at most {MAX_DEPTH} are allowed",
            [operation],
        )
    if measure.aliases > MAX_ALIASES:
        raise Refusal(
            "TOO_MANY_ALIASES",
            f"the query uses {measure.aliases} aliases; at most {MAX_ALIASES} are allowed",
            [operation],
        )
    if measure.fields > MAX_FIELDS:
        raise Refusal(
            "QUERY_TOO_COMPLEX",
            f"the query selects {measure.fields:,} fields once its fragments are expanded "
            f"(each spread counts); at most {MAX_FIELDS:,} are allowed",
            [operation],
        )
    if measure.refs > MAX_CERTIFICATIONS:
        raise Refusal(
            "BATCH_TOO_LARGE",
            f"the query asks about {measure.refs:,} codes or unit ids across its certification "
            f"checks (each alias or spread asks again); a request takes at most "
            f"{MAX_CERTIFICATIONS:,} in all; split it into several requests",
            [operation],
        )
    if measure.cost > MAX_COST:
        raise Refusal(
            "QUERY_TOO_COSTLY",
            f"the answer would hold about {measure.cost:,} values (a page or a bank check "
            f"counts each of its items, any other list {LIST_ESTIMATE}); at most {MAX_COST:,} "
            "are allowed; ask for fewer fields, a smaller page or fewer codes",
            [operation],
        )


class QueryCost(SchemaExtension):
    """Measure the operation once it has validated, with the request's variables, and refuse
    it before execution when it passes a limit. A long query is measured in a worker thread."""

    async def on_validate(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors or document is None:
            return
        arguments = (context.schema._schema, document, context.operation_name, context.variables)
        measured = await off_loop_if_long(context.query, measure_operation, *arguments)
        if measured is not None:
            check_measure(*measured)


class QuerySizeLimit(SchemaExtension):
    """Refuse a query text longer than :data:`MAX_QUERY_CHARS` before parsing it."""

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query or ""
        if len(query) > MAX_QUERY_CHARS:
            raise Refusal(
                "QUERY_TOO_LARGE",
                f"the query is {len(query):,} characters long; at most {MAX_QUERY_CHARS:,} are "
                "allowed (pass long lists as variables)",
            )
        yield


def limit_extensions() -> list[Callable[[], SchemaExtension]]:
    """The limits as extension factories (a fresh extension for each request)."""
    return [
        QuerySizeLimit,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        QueryCost,
    ]
