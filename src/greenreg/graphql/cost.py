"""What a GraphQL operation asks for, measured on its document once fragments are expanded, in
time linear in the document's size.

A fragment may be spread many times, and fragments spread fragments: expanded, a document of 800
characters can select a million fields (``F0 { ...F1 ...F1 }``, ``F1 { ...F2 ...F2 }``...).
Each fragment is measured once, when first spread, and its measure reused at every later spread
(what a spread adds does not depend on where it is: a fragment's fields are read on its own type
condition, and the variables are the request's). The numbers are those of the expansion, not of
the walk: the bomb above measures a million fields after twenty fragment visits.

An operation's :class:`Measure`:

- ``depth``: how many fields deep it goes (introspection fields, ``__...``, are not counted);
- ``aliases``: the fields written with an alias, a fragment's counted at each spread;
- ``fields``: the field selections of the expanded document (the work of collecting them);
- ``refs``: the references asked about by every bank check (``certifications(refs:)``) it
  holds, added up: each alias and each spread asks again;
- ``cost``: an estimate of the values in its answer. A field is 1, plus its selection's cost
  times the number of items it stands for: the size argument of a sized field (``refs`` of
  ``certifications``, ``first`` of ``units``, ``designations``, ``search``), taken from the
  literal, the variable or the default; 1 for the list a sized field's page holds (its
  ``results``, ``nodes`` or ``edges``: already counted by the size); :data:`LIST_ESTIMATE` for any
  other list of objects, whose length the query cannot bound (a unit's predecessors, a
  certification's evidence...). A list of leaves is one value.

``@skip`` and ``@include`` are ignored (the measure is of what the query may ask), and fields that
graphql-core would merge are counted once per selection: the measure is an upper bound. The
document must have passed validation (graphql-core's ``NoFragmentCyclesRule`` refuses a cycle
before; a cycle met here adds nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    value_from_ast_untyped,
)
from graphql.pyutils import Undefined
from graphql.utilities import type_from_ast

LIST_ESTIMATE = 5
"""The items counted for a list of objects whose length the query does not give."""

SIZED: Mapping[tuple[str, str], str] = {
    ("Query", "certifications"): "refs",
    ("Query", "match"): "queries",
    ("Query", "units"): "first",
    ("Query", "designations"): "first",
    ("Query", "search"): "first",
}
"""Fields whose answer holds as many items as one of their arguments says: (type, field) to the
argument (a list: its length; an integer: its value)."""

PAGES: frozenset[tuple[str, str]] = frozenset(
    {
        ("CertificationCheck", "results"),
        ("MatchAnswer", "results"),
        ("UnitConnection", "nodes"),
        ("UnitConnection", "edges"),
        ("DesignationConnection", "nodes"),
    }
)
"""The lists a sized field's answer holds, counted by the sized field already."""

BATCHES: frozenset[tuple[str, str]] = frozenset({("Query", "certifications"), ("Query", "match")})
"""Sized fields whose size is a number of references asked about (``Measure.refs``)."""


@dataclass(frozen=True)
class Measure:
    depth: int = 0
    aliases: int = 0
    fields: int = 0
    refs: int = 0
    cost: int = 0

    def beside(self, other: Measure) -> Measure:
        """Two selections of one selection set."""
        return Measure(
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.fields + other.fields,
            self.refs + other.refs,
            self.cost + other.cost,
        )


NOTHING = Measure()


class Measurer:
    """Measures one operation of a validated document with the request's variables.

    ``visited`` lists the fragments measured, in order: each appears once however often it is
    spread.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any] | None,
    ) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = {
            d.variable.name.value: value_from_ast_untyped(d.default_value)
            for d in operation.variable_definitions or ()
            if d.default_value is not None
        }
        self.variables.update(variables or {})
        self.operation = operation
        self.visited: list[str] = []
        self._measured: dict[str, Measure] = {}

    def measure(self) -> Measure:
        root = self.schema.get_root_type(self.operation.operation)
        if root is None:
            return NOTHING
        return self._selection_set(self.operation.selection_set, root)

    def _selection_set(self, selection_set: SelectionSetNode, parent: GraphQLNamedType) -> Measure:
        total = NOTHING
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total = total.beside(self._field(selection, parent))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                named = parent if condition is None else type_from_ast(self.schema, condition)
                if isinstance(named, GraphQLNamedType):
                    total = total.beside(self._selection_set(selection.selection_set, named))
            elif isinstance(selection, FragmentSpreadNode):
                total = total.beside(self._fragment(selection.name.value))
        return total

    def _fragment(self, name: str) -> Measure:
        measured = self._measured.get(name)
        if measured is not None:
            return measured
        fragment = self.fragments.get(name)
        self._measured[name] = NOTHING  # a cycle (refused by validation) adds nothing
        if fragment is None:
            return NOTHING
        self.visited.append(name)
        condition = type_from_ast(self.schema, fragment.type_condition)
        measured = (
            self._selection_set(fragment.selection_set, condition)
            if isinstance(condition, GraphQLNamedType)
            else NOTHING
        )
        self._measured[name] = measured
        return measured

    def _field(self, node: FieldNode, parent: GraphQLNamedType) -> Measure:
        name = node.name.value
        if name.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return NOTHING
        definition = parent.fields.get(name)
        if definition is None:
            return NOTHING
        inner = (
            NOTHING
            if node.selection_set is None
            else self._selection_set(node.selection_set, get_named_type(definition.type))
        )
        key = (parent.name, name)
        items = 1
        if key in SIZED:
            items = self._size(node, SIZED[key], definition.args[SIZED[key]].default_value)
        elif key not in PAGES and node.selection_set is not None and _is_list(definition.type):
            items = LIST_ESTIMATE
        return Measure(
            depth=1 + inner.depth,
            aliases=inner.aliases + (node.alias is not None),
            fields=1 + inner.fields,
            refs=inner.refs + (items if key in BATCHES else 0),
            cost=1 + items * inner.cost,
        )

    def _size(self, node: FieldNode, argument: str, default: Any) -> int:
        """The items a sized field stands for: its argument's list length or integer value."""
        value = default
        for given in node.arguments or ():
            if given.name.value == argument:
                value = self._value(given.value)
        if isinstance(value, list | tuple):
            return len(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return max(value, 0)
        return 0 if value is None or value is Undefined else 1  # one value stands for a list

    def _value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, ListValueNode):
            return node.values  # only its length matters
        return value_from_ast_untyped(node, self.variables)


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def measure_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> tuple[OperationDefinitionNode, Measure] | None:
    """The operation the request executes and its measure (None when the document names none:
    execution will say so)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    return operation, Measurer(schema, document, operation, variables).measure()
