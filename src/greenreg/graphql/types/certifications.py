"""The bank check: one answer per credit code or unit id, in the order given."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry

from greenreg.graphql.context import GreenregInfo
from greenreg.graphql.types.enums import Level, Outcome, Programme, Status
from greenreg.graphql.types.lists import Ban
from greenreg.graphql.types.log import Receipt
from greenreg.graphql.types.units import Evidence, Unit
from greenreg.graphql.types.versions import DataVersion
from greenreg.projections.views import Certification as CertificationView
from greenreg.projections.views import InForce


@strawberry.type(description="A designation in force on the day asked.")
class DesignationInForce:
    programme: Programme
    level: Level
    jurisdiction: str
    status: Status
    since: date
    document_number: str
    grade: str | None

    @classmethod
    def of(cls, view: InForce) -> DesignationInForce:
        return cls(
            programme=Programme(view.programme),
            level=Level(view.level),
            jurisdiction=view.jurisdiction,
            status=Status(view.status),
            since=view.since,
            document_number=view.document_number,
            grade=view.grade,
        )


@strawberry.type(description="The answer for one reference.")
class Certification:
    """Its leaves and its designations are plain fields, set once from the view: a check
    answers up to 10,000 of these, and a plain field costs GraphQL less than a resolver."""

    view: strawberry.Private[CertificationView]
    ref: str = strawberry.field(description="The reference as given.")
    outcome: Outcome
    certified: bool = strawberry.field(
        description="Whether the unit could call itself certified that day."
    )
    unit_id: UUID | None
    name: str | None = strawberry.field(description="The unit's name on the day asked.")
    message: str = strawberry.field(description="The answer in words, or why a reference failed.")
    designations: list[DesignationInForce] = strawberry.field(
        description="The designations in force that day."
    )

    @classmethod
    def of(cls, view: CertificationView) -> Certification:
        return cls(
            view=view,
            ref=view.ref,
            outcome=Outcome(view.outcome),
            certified=view.certified,
            unit_id=view.unit_id,
            name=view.name,
            message=view.message,
            designations=[DesignationInForce.of(d) for d in view.designations],
        )

    @strawberry.field(description="The unit as the registry holds it now.")
    async def unit(self, info: GreenregInfo) -> Unit | None:
        if self.view.unit_id is None:
            return None
        view = await info.context.loaders.units.load(self.view.unit_id)
        return None if view is None else Unit(view=view)

    @strawberry.field(description="Reapplication bans running that day.")
    def bans(self) -> list[Ban]:
        return [Ban.of(b) for b in self.view.bans]

    @strawberry.field(description="The events the answer rests on.")
    def evidence(self) -> list[Evidence]:
        return [Evidence.of(e) for e in self.view.evidence]


@strawberry.type(description="A bank check: the question, the data version, the answers.")
class CertificationCheck:
    as_of: date = strawberry.field(description="The day asked about (valid time).")
    known_at: datetime | None = strawberry.field(
        description="The record time asked about; null means as known when answered."
    )
    data_version: DataVersion
    results: list[Certification] = strawberry.field(
        description="One answer per reference, in the order given."
    )
    receipt: Receipt | None = strawberry.field(
        default=None, description="The signed receipt, when asked for with receipt: true."
    )
