"""Bans, histories, and the rules that govern the lists."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

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


@strawberry.type(
    description="Something a rule asks the reader to notice, not a refusal: a stable code, "
    "the article it follows from, and a message in words."
)
class Flag:
    code: str
    rule: str
    message: str


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
    rules: str | None = strawberry.field(
        description="For an act on a list (or a rename or reorganisation of a listed unit): "
        'which rules judged it ("judged under ...") or that none was in force.'
    )
    derived_flags: list[Flag] = strawberry.field(
        description="Flags the registry derives by counting acts on other units too, which "
        "the signed event cannot carry (its own are `flags`): evaluation_cap_exceeded (003 "
        "art. 24) on a designation resting on the 11th or later provincial evaluation of a "
        "year by evaluators sharing one legal representative, counted in the order recorded."
    )
    key_id: str = strawberry.field(
        description="The key that signed the act: a key of the authority authorityCode."
    )
    details: JSON = strawberry.field(
        description="The event's own fields (the list, batch, new name, ground...), as the "
        "signed act gave them; empty for a line folded before they were kept, until a rebuild."
    )


@strawberry.type(
    description="An adoption of a rulebook by the registry's root: the rulebook governs its "
    "programmes' lists of the jurisdiction from inForceFrom through inForceUntil (both "
    "included; null: no end date)."
)
class Rule:
    rulebook: str
    text: str = strawberry.field(description="The policy text behind the rulebook.")
    programmes: list[str]
    jurisdiction: str
    in_force_from: date
    in_force_until: date | None
    document_number: str = strawberry.field(description="The document that enacted the rules.")
    recorded_at: datetime
    evidence: Evidence


@strawberry.type(description="A unit's whole timeline, oldest first.")
class History:
    unit: Unit
    entries: list[HistoryEntry]

    @classmethod
    def of(cls, view: HistoryView) -> History:
        return cls(unit=Unit(view=view.unit), entries=mirrors(HistoryEntry, view.entries))
