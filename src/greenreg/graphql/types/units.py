"""Units and their designations."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry

from greenreg.graphql.context import GreenregInfo
from greenreg.graphql.ids import global_id
from greenreg.graphql.types.enums import Level, MatchKind, Programme, Status, UnitKind
from greenreg.graphql.types.mirror import mirror
from greenreg.projections.views import (
    DesignationView,
    Page,
    UnitView,
)
from greenreg.projections.views import (
    FormerName as FormerNameView,
)
from greenreg.projections.views import (
    LookupHit as LookupHitView,
)


@strawberry.interface(description="An object with a global id, fetched again with node(id:).")
class Node:
    @strawberry.field(description="The global id (opaque).")
    def id(self) -> strawberry.ID:
        raise NotImplementedError


@strawberry.type(description="Where an answer comes from: a signed event and its log position.")
class Evidence:
    event_id: str = strawberry.field(description="'{aggregate uuid}/{version}'.")
    position: int = strawberry.field(description="The event's position in the registry's log.")


@strawberry.type(
    description="A third-party evaluator (第三方评价机构) whose report a designation rests on."
)
class Evaluator:
    id: UUID = strawberry.field(description="The evaluator's id, derived from its credit code.")
    name: str
    credit_code: str = strawberry.field(description="Its Unified Social Credit Code.")


@strawberry.type(description="A name the unit had, from validFrom through validUntil.")
class FormerName:
    name: str
    valid_from: date
    valid_until: date

    @classmethod
    def of(cls, view: FormerNameView) -> FormerName:
        return cls(name=view.name, valid_from=view.valid_from, valid_until=view.valid_until)


@strawberry.type(description="A park or an enterprise as the registry holds it now.")
class Unit(Node):
    view: strawberry.Private[UnitView]

    @strawberry.field(description="The global id (opaque).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Unit", self.view.id))

    @strawberry.field(description="The unit's registry id (a UUID).")
    def unit_id(self) -> UUID:
        return self.view.id

    @strawberry.field
    def kind(self) -> UnitKind:
        return UnitKind(self.view.kind)

    @strawberry.field(description="The current name.")
    def name(self) -> str:
        return self.view.name

    @strawberry.field(description="The Unified Social Credit Code, if it has one.")
    def credit_code(self) -> str | None:
        return self.view.credit_code

    @strawberry.field(description="GB/T 2260 division code of its location.")
    def division(self) -> str:
        return self.view.division

    @strawberry.field(description="GB/T 2260 code of its province (xx0000).")
    def province(self) -> str:
        return self.view.province

    @strawberry.field
    def registered_on(self) -> date:
        return self.view.registered_on

    @strawberry.field(description="Since when it bears its current name.")
    def named_since(self) -> date:
        return self.view.named_since

    @strawberry.field(description="Whether it ceased in a reorganisation.")
    def ceased(self) -> bool:
        return self.view.ceased

    @strawberry.field
    def former_names(self) -> list[FormerName]:
        return [FormerName.of(f) for f in self.view.former_names]

    @strawberry.field(description="Units it came from in a reorganisation.")
    async def predecessors(self, info: GreenregInfo) -> list[Unit]:
        return await units_of(info, self.view.predecessors)

    @strawberry.field(description="Units that carried on from it after a reorganisation.")
    async def successors(self, info: GreenregInfo) -> list[Unit]:
        return await units_of(info, self.view.successors)

    @strawberry.field(
        description="Its designations (any status), as of a day (default: today) as known at a "
        "time (default: now)."
    )
    async def designations(
        self, info: GreenregInfo, as_of: date | None = None, known_at: datetime | None = None
    ) -> list[Designation]:
        views = await info.context.loaders.designations.load((self.view.id, as_of, known_at))
        return [Designation.of(v) for v in views]


async def units_of(info: GreenregInfo, unit_ids: tuple[UUID, ...] | list[UUID]) -> list[Unit]:
    if not unit_ids:
        return []
    views = await info.context.loaders.units.load_many(list(unit_ids))
    return [Unit(view=v) for v in views if v is not None]


@strawberry.type(description="A unit's place on one list (programme × issuing jurisdiction).")
class Designation:
    view: strawberry.Private[DesignationView]

    @strawberry.field
    async def unit(self, info: GreenregInfo) -> Unit | None:
        view = await info.context.loaders.units.load(self.view.unit_id)
        return None if view is None else Unit(view=view)

    @strawberry.field
    def unit_id(self) -> UUID:
        return self.view.unit_id

    @strawberry.field(description="The unit's name now.")
    def unit_name(self) -> str:
        return self.view.unit_name

    @strawberry.field
    def programme(self) -> Programme:
        return Programme(self.view.programme)

    @strawberry.field
    def level(self) -> Level:
        return Level(self.view.level)

    @strawberry.field(description="CN, or the GB/T 2260 code of the issuing jurisdiction.")
    def jurisdiction(self) -> str:
        return self.view.jurisdiction

    @strawberry.field
    def status(self) -> Status:
        return Status(self.view.status)

    @strawberry.field(
        description="Whether the unit may use the title (LISTED). A WARNED or SUSPENDED "
        "designation stays on the list, not in force, until the warning is lifted."
    )
    def in_force(self) -> bool:
        return self.view.in_force

    @strawberry.field(description="The day it was designated.")
    def since(self) -> date:
        return self.view.since

    @strawberry.field(description="The day of its last change of status.")
    def changed_on(self) -> date:
        return self.view.changed_on

    @strawberry.field
    def batch(self) -> str | None:
        return self.view.batch

    @strawberry.field(description="The number (文号) of the designating document.")
    def document_number(self) -> str:
        return self.view.document_number

    @strawberry.field(description="The grade (A, B, C) where the list grades.")
    def grade(self) -> str | None:
        return self.view.grade

    @strawberry.field
    def rectify_by(self) -> date | None:
        return self.view.rectify_by

    @strawberry.field(description="The event that gave this status.")
    def evidence(self) -> Evidence:
        return mirror(Evidence, self.view.evidence)

    @strawberry.field(description="The third-party evaluator the designation names, if any.")
    def evaluator(self) -> Evaluator | None:
        ref = self.view.evaluator
        if ref is None:
            return None
        return Evaluator(id=ref.id, name=ref.name, credit_code=ref.credit_code)

    @classmethod
    def of(cls, view: DesignationView) -> Designation:
        return cls(view=view)


@strawberry.type(description="Where a page ends; pass endCursor as 'after' for the next page.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="One unit of a page.")
class UnitEdge:
    node: Unit


@strawberry.type(description="A page of units.")
class UnitConnection:
    edges: list[UnitEdge]
    page_info: PageInfo

    @strawberry.field(description="The units of the page, without edges.")
    def nodes(self) -> list[Unit]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(cls, page: Page[UnitView]) -> UnitConnection:
        return cls(
            edges=[UnitEdge(node=Unit(view=v)) for v in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )


@strawberry.type(description="A page of designations.")
class DesignationConnection:
    nodes: list[Designation]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[DesignationView]) -> DesignationConnection:
        return cls(
            nodes=[Designation.of(v) for v in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )


@strawberry.type(
    description="A unit found by a search, what matched, and its titles as they stand now."
)
class SearchHit:
    unit: Unit
    score: float
    matched: MatchKind
    matched_text: str
    explanation: str
    titles: list[Designation] = strawberry.field(
        description="Every list the unit is or was on, with its status now (listed, warned, "
        "suspended, removed...)."
    )
    certified: bool = strawberry.field(
        description="Whether one of its titles may be used now (a LISTED designation)."
    )

    @classmethod
    def of(cls, hit: LookupHitView) -> SearchHit:
        return cls(
            unit=Unit(view=hit.unit),
            score=hit.score,
            matched=MatchKind(hit.matched),
            matched_text=hit.matched_text,
            explanation=hit.explanation,
            titles=[Designation(view=v) for v in hit.titles],
            certified=hit.certified,
        )
