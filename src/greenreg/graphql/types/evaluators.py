"""Third-party evaluators as records: sanctions, evaluations and the yearly cap (003 art. 24).

Each type mirrors a view of :mod:`greenreg.projections.views` (see
:mod:`greenreg.graphql.types.mirror`), except :class:`EvaluatorRecord`, whose id is resolved.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import strawberry

from greenreg.graphql.types.enums import Level, Programme
from greenreg.graphql.types.lists import Flag
from greenreg.graphql.types.mirror import mirror
from greenreg.graphql.types.units import Evidence
from greenreg.projections.views import EvaluatorView


@strawberry.type(
    description="A sanction of an evaluator: lists governed by `source` within `area` do not "
    "accept its results from firstDay through lastDay (both included; null: no end)."
)
class EvaluatorSanction:
    rule: str = strawberry.field(description="The article: 003 art. 24 or 001 art. 22.")
    source: str = strawberry.field(description="The text whose lists refuse its results.")
    area: str = strawberry.field(description="CN, or the GB/T 2260 code of the area.")
    first_day: date
    last_day: date | None
    ground: str
    document_number: str
    evidence: Evidence


@strawberry.type(
    description="A designation naming the evaluator (the evaluation it rests on), in the order "
    "recorded. countedBy is the rule that counts it toward the legal representative's yearly "
    "cap (003 art. 24: a provincial list under 003), place its place in that year's count; a "
    "later removal or correction does not undo the evaluation."
)
class Evaluation:
    unit_id: UUID
    unit_name: str = strawberry.field(description="The unit's name now.")
    programme: Programme
    level: Level
    jurisdiction: str
    effective_date: date
    counted_by: str | None
    place: int | None
    flags: list[Flag] = strawberry.field(
        description="evaluation_cap_exceeded on the 11th and later evaluation of a year."
    )
    evidence: Evidence


@strawberry.type(
    description="The provincial evaluations of one calendar year (by the designations' "
    "effective dates) by every evaluator with this legal representative, against the cap."
)
class YearlyEvaluations:
    legal_representative: str
    year: int
    count: int
    by_this_evaluator: int
    cap: int
    rule: str
    exceeded: bool = strawberry.field(description="Whether the count is over the cap.")


@strawberry.type(
    description="A third-party evaluator (第三方评价机构): who it is, its sanctions, the "
    "designations that name it, and its legal representative's yearly evaluations."
)
class EvaluatorRecord:
    view: strawberry.Private[EvaluatorView]

    @strawberry.field(description="The evaluator's id, derived from its credit code.")
    def id(self) -> UUID:
        return self.view.id

    @strawberry.field
    def name(self) -> str:
        return self.view.name

    @strawberry.field(description="Its Unified Social Credit Code.")
    def credit_code(self) -> str:
        return self.view.credit_code

    @strawberry.field(description="Its legal representative (法定代表人), as registered.")
    def legal_representative(self) -> str:
        return self.view.legal_representative

    @strawberry.field
    def registered_on(self) -> date:
        return self.view.registered_on

    @strawberry.field
    def sanctions(self) -> list[EvaluatorSanction]:
        return [mirror(EvaluatorSanction, s) for s in self.view.sanctions]

    @strawberry.field(description="The designations naming it, in the order recorded.")
    def evaluations(self) -> list[Evaluation]:
        return [mirror(Evaluation, e) for e in self.view.evaluations]

    @strawberry.field(description="Its legal representative's yearly counts (003 art. 24).")
    def yearly_counts(self) -> list[YearlyEvaluations]:
        return [mirror(YearlyEvaluations, y) for y in self.view.yearly_counts]

    @strawberry.field(description="The event that registered it.")
    def evidence(self) -> Evidence:
        return mirror(Evidence, self.view.evidence)
