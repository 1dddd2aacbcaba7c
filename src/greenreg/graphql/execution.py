"""GraphQL execution with a short path for plain leaves.

graphql-core completes every field the same way: a path, a resolve-info object, the resolver
through strawberry's wrappers, then the value's completion. For a bank check of 10,000
references that is some 70,000 fields, almost all of them plain attributes holding a string,
a date or an enum (``ref``, ``outcome``, ``programme``, ``since``...), and the general path costs
several times what the answer does.

:class:`LeafExecution` gives a plain leaf a short path: a strawberry field without a
resolver, arguments or field extensions, whose type is a scalar or an enum (possibly
non-null), when no resolver middleware is installed (strawberry installs a middleware manager
on every request; it must hold none). Such a field is read with the same resolver strawberry
built for it and coerced as graphql-core coerces it, in place, without a path of its own; the
object's other fields go to graphql-core. A leaf whose value is missing where the schema says
it cannot be, or which fails to read or coerce, takes graphql-core's own path too, which raises
the located error exactly as before. The answers are the same; a test compares them with
strawberry's own execution on every example operation and a bank check.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField


class Leaf(NamedTuple):
    """How to complete one plain leaf field."""

    read: Callable[[Any], Any]
    """The value from the source object, as the field's resolver reads it."""
    type: GraphQLLeafType
    non_null: bool


_NOT_PLAIN = None
_GENERAL = object()
"""Take graphql-core's own path for this field."""
_plans: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Leaf | None]] = WeakKeyDictionary()
"""Each schema's plans, by (type name, field name), made on first use."""


def _plan(field: GraphQLField) -> Leaf | None:
    """The short path for a field, if it is a plain leaf (see the module's docstring)."""
    if field.args or not getattr(field.resolve, "_is_default", False):
        return _NOT_PLAIN
    returned = field.type
    non_null = isinstance(returned, GraphQLNonNull)
    named = returned.of_type if isinstance(returned, GraphQLNonNull) else returned
    resolve = field.resolve
    if not is_leaf_type(named) or resolve is None:
        return _NOT_PLAIN
    definition = field.extensions.get("strawberry-definition")
    if isinstance(definition, StrawberryField) and definition.default_resolver is getattr:
        return Leaf(attrgetter(definition.python_name), named, non_null)  # what it would do
    return Leaf(lambda source: resolve(source, None), named, non_null)


class LeafExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with the short path for plain leaves."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans = _plans.setdefault(self.schema, {})

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's, with plain leaves completed in place (no path made for them)."""
        plain: dict[str, Any] = {}
        others: dict[str, FieldDetailsList] = {}
        for response_name, field_details_list in grouped_field_set.items():
            value = self._plain_leaf(parent_type, source_value, field_details_list)
            if value is _GENERAL:
                others[response_name] = field_details_list
            else:
                plain[response_name] = value
        if not others:
            return plain
        rest = super().execute_fields(parent_type, source_value, path, others, position_context)
        order = list(grouped_field_set)
        if self.is_awaitable(rest):

            async def merged() -> dict[str, Any]:
                return _in_order(order, plain, await rest)

            return merged()
        return _in_order(order, plain, rest)  # type: ignore[arg-type]

    def _plain_leaf(
        self, parent_type: GraphQLObjectType, source: Any, field_details_list: FieldDetailsList
    ) -> Any:
        """The completed value of a plain leaf, or ``_GENERAL`` for graphql-core's own path."""
        manager = self.middleware_manager
        if (manager is not None and manager.middlewares) or len(field_details_list) != 1:
            return _GENERAL
        node = field_details_list[0].node
        leaf = self._leaf(parent_type, node.name.value)
        if leaf is None or node.arguments:
            return _GENERAL
        try:
            value = leaf.read(source)
        except Exception:
            return _GENERAL
        if value is None:
            return _GENERAL if leaf.non_null else None
        try:
            coerced = leaf.type.coerce_output_value(value)
        except Exception:
            return _GENERAL
        return _GENERAL if coerced is Undefined or coerced is None else coerced

    def _leaf(self, parent_type: GraphQLObjectType, name: str) -> Leaf | None:
        plans = self._plans
        key = (parent_type.name, name)
        try:
            return plans[key]
        except KeyError:
            pass
        field = parent_type.fields.get(name)
        leaf = _NOT_PLAIN if field is None else _plan(field)
        plans[key] = leaf
        return leaf


def _in_order(order: list[str], plain: dict[str, Any], rest: dict[str, Any]) -> dict[str, Any]:
    """The fields of both parts, in the order the query asked for them."""
    return {
        name: plain[name] if name in plain else rest[name]
        for name in order
        if name in plain or name in rest
    }
