"""The bulk match's question and answer, as every interface gives them (REST, GraphQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from greenreg.projections.views import InForce, Outcome

MatchedBy = Literal["credit_code", "name", "former_name", "successor"]
"""What matched: the unit's credit code, its current name, a former name, or the name of a
unit it succeeds (a reorganised unit's successor)."""
MatchStatus = Literal["match", "no_match", "invalid"]


@dataclass(frozen=True)
class MatchQuery:
    """One borrower as the caller knows it: any of a name and a credit code (one of the two at
    least), narrowed by region (a division code or name), kind and programme."""

    name: str | None = None
    credit_code: str | None = None
    region: str | None = None
    kind: str | None = None
    programme: str | None = None


@dataclass(frozen=True)
class MatchCandidate:
    """A unit that may be the one asked for: its score in [0, 1], ``match`` when the score
    reaches the threshold, what matched and why, and its certification on the day asked."""

    unit_id: UUID
    name: str
    kind: str
    division: str
    credit_code: str | None
    score: float
    match: bool
    matched: MatchedBy
    matched_text: str
    reasons: list[str]
    explanation: str
    outcome: Outcome
    certified: bool
    designations: list[InForce] = field(default_factory=list)


@dataclass(frozen=True)
class MatchResult:
    """The answer to one query, in the order given: ``match`` is whether the best candidate
    reached the threshold (``unit_id`` is then that candidate's); ``invalid`` rows say why in
    ``error``; a row without a match states what the registry covers in ``coverage``."""

    index: int
    status: MatchStatus
    match: bool
    unit_id: UUID | None
    candidates: list[MatchCandidate]
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    coverage: str | None = None
