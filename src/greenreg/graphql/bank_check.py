"""The bank check's results in GraphQL: answered by the database for the selection asked.

The ``certifications`` resolver gives its ``results`` as :class:`CheckAnswers`, a question not
yet answered. The execution (:class:`~greenreg.graphql.execution.PlainExecution`) completes it
with :func:`selection`: the fields the query selects on ``Certification`` and on its lists
(fragments, aliases, ``@skip`` and ``@include`` applied by graphql-core), under their response
names, enums spelled as GraphQL names. The set-based check
(:mod:`greenreg.projections.bank_check`) writes exactly those as JSON text, and the results go
into the response as that text (an ``orjson.Fragment``: the response is written by orjson), not
as 10,000 objects completed field by field; a field it does not write (the ``unit`` resolver,
``__typename``) or an incremental directive makes the whole list take strawberry's ordinary
path over the answers as views, with the same values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLOutputType
from graphql.execution.collect_fields import FieldDetailsList
from strawberry.types.field import StrawberryField

from greenreg.graphql.types.enums import Level, Outcome, Programme, Status
from greenreg.projections.bank_check import Check
from greenreg.projections.selection import FIELDS, LISTS, Field, Fields
from greenreg.projections.views import Certification

ENUM_NAMES: dict[str, dict[str, str]] = {
    field: {member.value: member.name for member in enum}
    for field, enum in (
        ("outcome", Outcome),
        ("programme", Programme),
        ("level", Level),
        ("status", Status),
    )
}
"""Each enum field's GraphQL names, by value."""
INCREMENTAL = frozenset({"defer", "stream"})

Collect = Callable[[GraphQLObjectType, FieldDetailsList], Any]
"""graphql-core's ``collect_subfields`` of the execution."""


@dataclass(frozen=True)
class CheckAnswers:
    """The results of a bank check, to be written for the query's selection."""

    check: Check

    def written(self, fields: Fields) -> orjson.Fragment:
        """The results as the JSON text the database wrote, placed in the response as it is
        (orjson writes the response)."""
        return orjson.Fragment(self.check.text(fields, ENUM_NAMES))

    def __iter__(self) -> Iterator[Certification]:
        """The answers as views, for an execution without the short path (strawberry's own:
        the tests compare both)."""
        return iter(self.check.views())


def selection(
    collect: Collect, return_type: GraphQLOutputType, details: FieldDetailsList
) -> Fields | None:
    """The fields selected on the results (a list of ``Certification``), or None when the
    set-based check does not write the whole selection."""
    return _fields(collect, _object(return_type), details, FIELDS)


def _object(type_: GraphQLOutputType) -> GraphQLObjectType:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    if not isinstance(type_, GraphQLObjectType):
        raise TypeError(f"{type_} is not an object type")
    return type_


def _fields(
    collect: Collect,
    object_type: GraphQLObjectType,
    details: FieldDetailsList,
    allowed: tuple[str, ...],
) -> Fields | None:
    collected = collect(object_type, details)
    if collected.new_defer_usages or collected.forbidden_directive_instances:
        return None
    fields: list[Field] = []
    for key, field_details in collected.grouped_field_set.items():
        nodes = [detail.node for detail in field_details]
        if any(d.name.value in INCREMENTAL for node in nodes for d in node.directives or ()):
            return None
        definition = object_type.fields.get(nodes[0].name.value)
        strawberry_field = (
            None if definition is None else definition.extensions.get("strawberry-definition")
        )
        if definition is None or not isinstance(strawberry_field, StrawberryField):
            return None  # __typename, or a field strawberry did not make
        name = strawberry_field.python_name
        if name not in allowed or definition.args:
            return None
        inner = _parts_of(name, allowed)
        if inner:
            parts = _fields(collect, _object(definition.type), field_details, inner)
            if parts is None:
                return None
            fields.append(Field(key, name, parts))
        else:
            fields.append(Field(key, name))
    return tuple(fields)


def _parts_of(name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The parts a field of the answer (or of a list's element) is made of, if any."""
    if allowed is FIELDS:
        return LISTS.get(name, ())
    return LISTS["evidence"] if name == "evidence" else ()
