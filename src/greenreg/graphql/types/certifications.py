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


@strawberry.type(
    description="A designation in force on the day asked: its title may be used (LISTED)."
)
class DesignationInForce:
    programme: Programme
    level: Level
    jurisdiction: str
    status: Status
    since: date
    document_number: str
    grade: str | None


@strawberry.type(
    description="A designation held on the day asked whose title may not be used that day: "
    "the unit is under a warning (WARNED) or an eco-park exit warning (SUSPENDED) and must "
    "rectify by rectifyBy (004 art. 26)."
)
class RestrictedDesignation:
    programme: Programme
    level: Level
    jurisdiction: str
    status: Status
    since: date = strawberry.field(description="The day it was designated.")
    restricted_since: date = strawberry.field(
        description="The day the warning took effect: the title may not be used from then on."
    )
    rectify_by: date | None = strawberry.field(description="The rectification deadline.")
    document_number: str
    grade: str | None


@strawberry.type(description="The answer for one reference.")
class Certification:
    """Answered straight from the bank check's views (see :mod:`..mirror`): a check answers up
    to 10,000 of these, and a plain field costs GraphQL far less than a resolver."""

    ref: str = strawberry.field(description="The reference as given.")
    outcome: Outcome
    certified: bool = strawberry.field(
        description="Whether the unit could call itself certified that day: at least one "
        "of its titles was usable. A unit whose titles are all under a warning is not."
    )
    unit_id: UUID | None
    name: str | None = strawberry.field(description="The unit's name on the day asked.")
    message: str = strawberry.field(description="The answer in words, or why a reference failed.")
    designations: list[DesignationInForce] = strawberry.field(
        description="The designations in force that day (their titles usable)."
    )
    restricted: list[RestrictedDesignation] = strawberry.field(
        description="The designations held that day whose titles may not be used (under a "
        "warning or suspended), with the rectification deadline."
    )
    bans: list[Ban] = strawberry.field(description="Reapplication bans running that day.")
    evidence: list[Evidence] = strawberry.field(description="The events the answer rests on.")

    @strawberry.field(description="The unit as the registry holds it now.")
    async def unit(self, info: GreenregInfo) -> Unit | None:
        if self.unit_id is None:
            return None
        view = await info.context.loaders.units.load(self.unit_id)
        return None if view is None else Unit(view=view)


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
