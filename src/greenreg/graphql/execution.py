"""GraphQL execution with a short path for plain fields.

graphql-core completes every field the same way: a path, a resolve-info object, the resolver
through strawberry's wrappers, then the value's completion. For a bank check of 10,000
references that is some 70,000 fields, almost all of them plain attributes holding a string,
a date or an enum (``ref``, ``outcome``, ``programme``, ``since``...), and the general path costs
several times what the answer does.

A *plain* field is a strawberry field without a resolver, arguments or field extensions (it
reads one attribute of its source), when no resolver middleware is installed (strawberry
installs a middleware manager on every request; it must hold none). :class:`PlainExecution`
gives plain fields two short paths:

- **a plain subtree**: when a field's value is an object, or a list of them, whose selection
  is made only of plain fields (leaves, or objects and lists whose own selections are plain),
  its answer is built in one pass by a completer compiled once per request for that selection
  (the same fields graphql-core would collect, ``@skip``/``@include`` applied);
- **a plain leaf** of any other object: read and coerced in place, without a path of its own;
  the object's other fields go to graphql-core.

The bank check's results (:class:`~greenreg.graphql.bank_check.CheckAnswers`) are completed
apart: the database writes them for the selection (:mod:`greenreg.graphql.bank_check`).

Both short paths read a field with the same resolver strawberry built for it and coerce a leaf as
graphql-core coerces it. Anything unusual takes graphql-core's own path, which raises located
errors exactly as before: a selection with ``@defer``/``@stream``, an abstract type or an
``is_type_of`` check, a value missing where the schema says it cannot be, a value that fails to
read or coerce, a list that is not a list or tuple. A subtree that meets one of these on any
value is done again by graphql-core from its top (the reads have no side effects). The answers
are the same; a test compares them with strawberry's own execution on every example operation,
a bank check, and broken values.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import EnumMeta
from operator import attrgetter
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from greenreg.graphql.bank_check import CheckAnswers, selection

Read = Callable[[Any], Any]
"""A field's value from its source object, as the field's resolver reads it."""
Complete = Callable[[Any], Any]
"""A value completed as graphql-core completes it, or :class:`General` raised."""


class General(Exception):  # noqa: N818 - a signal, not an error
    """This value takes graphql-core's own path."""


_GENERAL = object()
"""Take graphql-core's own path for this leaf."""
_INCREMENTAL = frozenset({"defer", "stream"})
_reads: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Read | None]] = WeakKeyDictionary()
"""Each schema's plain-field readers, by (type name, field name), made on first use."""
_leaves: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], tuple[Read, Complete] | None]] = (
    WeakKeyDictionary()
)
"""Each schema's plain leaf fields: how to read and complete each, made on first use."""


def plain_read(field: GraphQLField) -> Read | None:
    """How a plain field reads its source, or None when it is not plain."""
    resolve = field.resolve
    if field.args or resolve is None or not getattr(resolve, "_is_default", False):
        return None
    definition = field.extensions.get("strawberry-definition")
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None  # a resolver, or extensions that must run
    if definition.default_resolver is getattr:
        return attrgetter(definition.python_name)  # what the resolver would do
    return lambda source: resolve(source, None)


class PlainExecution(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with the short paths for plain fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reads = _reads.setdefault(self.schema, {})
        self._leaves = _leaves.setdefault(self.schema, {})
        self._completers: dict[tuple[GraphQLOutputType, int], tuple[Any, Complete | None]] = {}
        """This request's compiled subtrees, by type and selection (kept alive with it, as
        graphql-core keeps its collected subfields, so that the id is not reused)."""

    def complete_value(  # noqa: PLR0917 - graphql-core's signature
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """graphql-core's, with a plain subtree completed in one pass, and a bank check's
        results written by the database."""
        if isinstance(result, CheckAnswers):
            return self._complete_check(
                return_type, field_details_list, info, path, result, position_context
            )
        if not isinstance(result, Exception):
            complete = self._completer(return_type, field_details_list)
            if complete is not None:
                try:
                    return complete(result)
                except Exception:  # noqa: S110 - graphql-core's path raises it properly
                    pass
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    async def _complete_check(  # noqa: PLR0917 - complete_value's
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: CheckAnswers,
        position_context: Any,
    ) -> Any:
        """The answers written for the selection, or completed from views as any list is."""
        ask = info.context.ask
        fields = selection(self.collect_subfields, return_type, field_details_list)
        if fields is not None:
            return await ask(result.written, fields)
        views = await ask(result.check.views)
        completed = self.complete_value(
            return_type, field_details_list, info, path, views, position_context
        )
        return await completed if self.is_awaitable(completed) else completed

    def _completer(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        """The compiled completion of a plain object or list selection, or None."""
        key = (return_type, id(field_details_list))
        cached = self._completers.get(key)
        if cached is not None:
            return cached[1]
        complete = None
        manager = self.middleware_manager
        if not is_leaf_type(_named(return_type)) and not (manager and manager.middlewares):
            complete = self._compile(return_type, field_details_list)
        self._completers[key] = (field_details_list, complete)
        return complete

    def _compile(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        non_null: bool = False,
    ) -> Complete | None:
        """The completer of a value of ``return_type`` (``non_null``: inside a non-null)."""
        if isinstance(return_type, GraphQLNonNull):
            return self._compile(return_type.of_type, field_details_list, non_null=True)
        if isinstance(return_type, GraphQLList):
            inner = self._compile(return_type.of_type, field_details_list)
            return None if inner is None else _listed(inner, non_null)
        if is_leaf_type(return_type):
            return _leaf(return_type, non_null)
        if isinstance(return_type, GraphQLObjectType) and return_type.is_type_of is None:
            return self._compile_object(return_type, field_details_list, non_null)
        return None  # an interface or a union: graphql-core resolves its type

    def _compile_object(
        self,
        object_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        non_null: bool,
    ) -> Complete | None:
        collected = self.collect_subfields(object_type, field_details_list)
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            return None
        fields: list[tuple[str, Read, Complete]] = []
        for response_name, details in collected.grouped_field_set.items():
            nodes = [detail.node for detail in details]
            if any(d.name.value in _INCREMENTAL for node in nodes for d in node.directives or ()):
                return None
            name = nodes[0].name.value
            if name == "__typename":
                fields.append((response_name, _constant(object_type.name), _same))
                continue
            field = object_type.fields.get(name)
            read = None if field is None else self._read(object_type, name, field)
            if field is None or read is None:
                return None
            complete = self._compile(field.type, details)
            if complete is None:
                return None
            fields.append((response_name, read, complete))
        return _object(fields, non_null)

    def _read(self, parent_type: GraphQLObjectType, name: str, field: GraphQLField) -> Read | None:
        key = (parent_type.name, name)
        try:
            return self._reads[key]
        except KeyError:
            read = self._reads[key] = plain_read(field)
            return read

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
        key = (parent_type.name, field_details_list[0].node.name.value)
        try:
            leaf = self._leaves[key]
        except KeyError:
            leaf = self._leaves[key] = self._leaf(parent_type, key[1])
        if leaf is None:
            return _GENERAL
        read, complete = leaf
        try:
            return complete(read(source))
        except Exception:
            return _GENERAL

    def _leaf(self, parent_type: GraphQLObjectType, name: str) -> tuple[Read, Complete] | None:
        """How to read and complete a plain field whose values are leaves (or lists of them)."""
        field = parent_type.fields.get(name)
        if field is None or not is_leaf_type(_named(field.type)):
            return None
        read = self._read(parent_type, name, field)
        complete = self._compile(field.type, [])  # a leaf's completion needs no selection
        return None if read is None or complete is None else (read, complete)


def _named(type_: GraphQLOutputType) -> GraphQLOutputType:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _missing(non_null: bool) -> None:
    """A null value: null, or graphql-core's path where it may not be null."""
    if non_null:
        raise General


def _listed(inner: Complete, non_null: bool) -> Complete:
    def complete(value: Any) -> Any:
        if value is None:
            return _missing(non_null)
        if not isinstance(value, list | tuple):
            raise General  # an iterable of another kind, or not one: graphql-core decides
        return [inner(item) for item in value]

    return complete


def _leaf(leaf_type: GraphQLLeafType, non_null: bool) -> Complete:
    coerce = leaf_type.coerce_output_value

    def general(value: Any) -> Any:
        if value is None:
            return _missing(non_null)
        if isinstance(value, Exception):
            raise General  # graphql-core raises it as the field's error
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise General
        return coerced

    if leaf_type is GraphQLString:

        def text(value: Any) -> Any:
            if type(value) is str:
                return value  # what String's coercion gives a str
            return general(value)

        return text
    names = _enum_names(leaf_type)
    if not names:
        return general

    def named(value: Any) -> Any:
        kind = type(value)
        if kind in names:
            return names[kind][value]
        return general(value)

    return named


def _enum_names(leaf_type: GraphQLLeafType) -> dict[type, dict[Any, Any]]:
    """For a strawberry enum, each member's name and each member value's name, by their
    Python types, as the enum's own coercion gives them (it compares every member's value in
    turn; a read model's view holds the value)."""
    wrapped = getattr(leaf_type, "wrapped_cls", None)
    if not isinstance(leaf_type, GraphQLEnumType) or not isinstance(wrapped, EnumMeta):
        return {}
    names: dict[type, dict[Any, Any]] = {}
    members: list[Any] = list(wrapped)
    for member in members:
        for value in (member, member.value):
            names.setdefault(type(value), {})[value] = leaf_type.coerce_output_value(value)
    return names


def _object(fields: list[tuple[str, Read, Complete]], non_null: bool) -> Complete:
    def complete(value: Any) -> Any:
        if value is None:
            return _missing(non_null)
        if isinstance(value, Exception):
            raise General  # graphql-core raises it as the field's error
        return {name: finish(read(value)) for name, read, finish in fields}

    return complete


def _constant(value: str) -> Read:
    return lambda _source: value


def _same(value: Any) -> Any:
    return value


def _in_order(order: list[str], plain: dict[str, Any], rest: dict[str, Any]) -> dict[str, Any]:
    """The fields of both parts, in the order the query asked for them."""
    return {
        name: plain[name] if name in plain else rest[name]
        for name in order
        if name in plain or name in rest
    }
