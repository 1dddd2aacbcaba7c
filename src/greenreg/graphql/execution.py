"""GraphQL execution with a short path for plain leaves.

graphql-core completes every field the same way: a path, a resolve-info object, the resolver
through strawberry's wrappers, then the value's completion. For a bank check of 10,000
references that is some 70,000 fields, almost all of them plain attributes holding a string,
a date or an enum (``ref``, ``outcome``, ``programme``, ``since``...), and the general path costs
several times what the answer does.

:class:`LeafExecution` gives such a field (a strawberry field without a resolver, arguments or
field extensions, whose type is a scalar or an enum, possibly non-null, with no resolver
middleware) a short path: the same resolver strawberry built for it, then the same output
coercion graphql-core applies (strawberry installs a middleware manager on every request; it
must hold no middleware). Anything else, and any leaf whose value is missing where the
schema says it cannot be, or which fails to coerce, takes graphql-core's own path, which
raises the located error exactly as before. The answers are the same; a test compares them
with the standard execution on every example operation.
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
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, Undefined, UndefinedType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField


class Leaf(NamedTuple):
    """How to complete one plain leaf field."""

    read: Callable[[Any], Any]
    """The value from the source object, as the field's resolver reads it."""
    type: GraphQLLeafType
    non_null: bool


_NOT_PLAIN = None
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

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        manager = self.middleware_manager
        if (manager is None or not manager.middlewares) and len(field_details_list) == 1:
            node = field_details_list[0].node
            leaf = self._leaf(parent_type, node.name.value)
            if leaf is not None and not node.arguments:
                try:
                    value = leaf.read(source)
                    if value is None:
                        if not leaf.non_null:
                            return None
                    else:
                        coerced = leaf.type.coerce_output_value(value)
                        if coerced is not Undefined and coerced is not None:
                            return coerced
                except Exception:  # noqa: S110 (the general path below reports it)
                    pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

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
