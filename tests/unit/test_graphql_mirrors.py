"""The GraphQL types answered straight from a view (``greenreg.graphql.types.mirror``) have no
plain field their view lacks; a renamed view field fails here, not in a bank's answer."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
from strawberry.types.base import get_object_definition

from greenreg.graphql.types.certifications import (
    Certification,
    DesignationInForce,
    RestrictedDesignation,
)
from greenreg.graphql.types.evaluators import Evaluation, EvaluatorSanction, YearlyEvaluations
from greenreg.graphql.types.lists import Ban, Flag, HistoryEntry, Rule
from greenreg.graphql.types.units import Evidence
from greenreg.projections import views

MIRRORED = [
    (Evidence, views.Evidence),
    (Ban, views.BanView),
    (HistoryEntry, views.HistoryEntry),
    (Rule, views.RuleView),
    (DesignationInForce, views.InForce),
    (RestrictedDesignation, views.RestrictedDesignation),
    (Certification, views.Certification),
    (Flag, views.Flag),
    (EvaluatorSanction, views.EvaluatorSanctionView),
    (Evaluation, views.EvaluationView),
    (YearlyEvaluations, views.YearlyEvaluations),
]


@pytest.mark.parametrize(("graphql_type", "view"), MIRRORED, ids=lambda t: t.__name__)
def test_each_plain_field_is_a_field_of_the_view(graphql_type: Any, view: Any) -> None:
    definition = get_object_definition(graphql_type, strict=True)
    plain = {f.python_name for f in definition.fields if f.base_resolver is None}
    assert plain, graphql_type
    assert plain <= {f.name for f in fields(view)}
