"""Bans and histories."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry

from greenreg.graphql.types.enums import Level, Programme
from greenreg.graphql.types.mirror import mirrors
from greenreg.graphql.types.units import Evidence, Unit
from greenreg.projections.views import History as HistoryView


@strawberry.type(
    description="A reapplication ban: the unit may not be listed in the programme's lists of "
    "the jurisdiction (and every area inside it) from firstDay through lastDay, both included."
)
class Ban:
    unit_id: UUID
    unit_name: str
    programme: Programme
    level: Level
    jurisdiction: str
    ground: str
    rule: str = strawberry.field(description="The article the ban follows from.")
    first_day: date
    last_day: date
    document_number: str
    evidence: Evidence


@strawberry.type(description="One event of a unit's timeline.")
class HistoryEntry:
    event_type: str
    summary: str
    effective_date: date = strawberry.field(description="When it took effect (valid time).")
    recorded_at: datetime = strawberry.field(description="When the registry recorded it.")
    authority_code: str
    authority_name: str
    document_number: str
    flags: list[str]
    evidence: Evidence


@strawberry.type(description="A unit's whole timeline, oldest first.")
class History:
    unit: Unit
    entries: list[HistoryEntry]

    @classmethod
    def of(cls, view: HistoryView) -> History:
        return cls(unit=Unit(view=view.unit), entries=mirrors(HistoryEntry, view.entries))
