"""The bulk match: ranked candidates per borrower, each scored and explained."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry

from greenreg.graphql.types.certifications import DesignationInForce
from greenreg.graphql.types.enums import Outcome
from greenreg.graphql.types.log import Receipt
from greenreg.graphql.types.versions import DataVersion


@strawberry.input(description="One borrower: a name, a credit code or both, and filters.")
class MatchQueryInput:
    name: str | None = None
    credit_code: str | None = None
    region: str | None = strawberry.field(
        default=None, description="A GB/T 2260 division code or a province, city or county name."
    )
    kind: str | None = strawberry.field(default=None, description="park or enterprise.")
    programme: str | None = strawberry.field(
        default=None, description="Only units designated in this programme (e.g. green_factory)."
    )


@strawberry.type(description="A unit that may be the one asked for.")
class MatchCandidate:
    unit_id: UUID
    name: str = strawberry.field(description="The unit's current name.")
    kind: str
    division: str
    credit_code: str | None
    score: float = strawberry.field(description="In [0, 1]; see docs/matching.md.")
    match: bool = strawberry.field(description="Whether the score reaches the threshold.")
    matched: str = strawberry.field(
        description="credit_code, name (current), former_name or successor."
    )
    matched_text: str
    reasons: list[str]
    explanation: str
    outcome: Outcome = strawberry.field(description="The bank check's outcome on asOf.")
    certified: bool
    designations: list[DesignationInForce]


@strawberry.type(description="The answer to one query, in the order given.")
class MatchResult:
    index: int
    status: str = strawberry.field(description="match, no_match or invalid.")
    match: bool
    unit_id: UUID | None = strawberry.field(description="The best candidate, when it matches.")
    candidates: list[MatchCandidate]
    notes: list[str]
    error: str | None = strawberry.field(description="Why an invalid query was not asked.")
    coverage: str | None = strawberry.field(
        description="What the registry covers, on a row without a match."
    )


@strawberry.type(description="A bulk match: the question, the data version, the answers.")
class MatchAnswer:
    as_of: date
    known_at: datetime | None
    threshold: float
    data_version: DataVersion
    results: list[MatchResult]
    receipt: Receipt | None = None
