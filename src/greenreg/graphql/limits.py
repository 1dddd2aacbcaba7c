"""What one GraphQL request may ask for, and the refusal (with ``extensions.code``) beyond it.

Checked before anything is read: the query's size in characters and in tokens (at parse), its
depth and its number of aliases, fragments included (at validation). Page sizes and the bank
check's batch size are checked by the resolvers, before they query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.extensions.max_aliases import count_fields_with_alias

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_QUERY_CHARS = 300_000  # a bank check of 10,000 codes written inline in the query fits
MAX_TOKENS = 25_000
MAX_PAGE = 100
MAX_SEARCH = 100
MAX_CERTIFICATIONS = 10_000


class Refusal(GraphQLError):  # noqa: N818 (a GraphQL error, named for what it says)
    """A limit refused the request: a GraphQL error with a stable ``extensions.code``."""

    def __init__(self, code: str, message: str, nodes: list[Node] | None = None) -> None:
        super().__init__(message, nodes, extensions={"code": code})


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


def _depth(
    node: FieldNode | InlineFragmentNode | FragmentDefinitionNode | OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    visited: frozenset[str],
) -> int:
    """How many fields deep ``node``'s selection goes; introspection fields do not count."""
    if node.selection_set is None:
        return 0
    deepest = 0
    for selection in node.selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue
            deepest = max(deepest, 1 + _depth(selection, fragments, visited))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection, fragments, visited))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in visited:
                deepest = max(deepest, _depth(fragment, fragments, visited | {name}))
    return deepest


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in context.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def _operations(context: ValidationContext) -> Iterator[OperationDefinitionNode]:
    return (d for d in context.document.definitions if isinstance(d, OperationDefinitionNode))


class DepthLimit(ValidationRule):
    """Refuse an operation nested deeper than :data:`MAX_DEPTH` fields (through fragments)."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        fragments = _fragments(context)
        for operation in _operations(context):
            depth = _depth(operation, fragments, frozenset())
            if depth > MAX_DEPTH:
                name = operation.name.value if operation.name else "the operation"
                context.report_error(
                    Refusal(
                        "QUERY_TOO_DEEP",
                        f"{name} is {depth} fields deep; at most {MAX_DEPTH} are allowed",
                        [operation],
                    )
                )


class AliasLimit(ValidationRule):
    """Refuse a document with more than :data:`MAX_ALIASES` aliases, counting those inside
    fragments once per use (strawberry's counter, which closed the fragment bypass)."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        fragments = _fragments(context)
        total = sum(count_fields_with_alias(op, fragments) for op in _operations(context))
        if total > MAX_ALIASES:
            context.report_error(
                Refusal(
                    "TOO_MANY_ALIASES",
                    f"the query uses {total} aliases; at most {MAX_ALIASES} are allowed",
                )
            )


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
        lambda: AddValidationRules([DepthLimit, AliasLimit]),
    ]
