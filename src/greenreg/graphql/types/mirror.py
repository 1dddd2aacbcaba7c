"""GraphQL types answered straight from the read model's views.

Some GraphQL types have exactly the fields of a view of ``greenreg.projections.views``, with
the same names, an enum where the view holds its value, and parts that are views of the same
kind: :class:`~greenreg.graphql.types.units.Evidence`,
:class:`~greenreg.graphql.types.lists.Ban`, :class:`~greenreg.graphql.types.lists.HistoryEntry`,
:class:`~greenreg.graphql.types.lists.Rule`,
:class:`~greenreg.graphql.types.certifications.DesignationInForce`,
:class:`~greenreg.graphql.types.certifications.RestrictedDesignation`,
:class:`~greenreg.graphql.types.certifications.Certification`, and the evaluator's parts in
:mod:`greenreg.graphql.types.evaluators`. The view itself is then the
type's source: strawberry reads a plain field as an attribute and a GraphQL enum coerces a
value as it coerces its member, so nothing is copied into a second object (a bank check answers
10,000 of them). A test keeps each type and its view in step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar, cast

T = TypeVar("T")


def mirror(graphql_type: type[T], view: object) -> T:
    """``view`` as the source of ``graphql_type``, whose fields it has."""
    del graphql_type  # names the type for the reader and the type checker
    return cast("T", view)


def mirrors(graphql_type: type[T], views: Sequence[object]) -> list[T]:
    """Each of ``views`` as a source of ``graphql_type``."""
    del graphql_type
    return cast("list[T]", views if isinstance(views, list) else list(views))
