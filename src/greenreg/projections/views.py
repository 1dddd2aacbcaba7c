"""What the read models answer with: plain, typed, immutable values.

These are the results :class:`greenreg.projections.queries.Queries` returns to the outer layers
(GraphQL resolvers, REST routes, the CLI). They are not domain objects and carry no behaviour
beyond a few derived properties.

Two identifiers recur:

- an **event id** is ``"{aggregate_uuid}/{version}"``: the aggregate that recorded the event and
  the event's version in it. It is stable for ever (events are never rewritten).
- a **log position** is where the event sits in the registry's log (see
  :mod:`greenreg.projections.positions`): its leaf index in the transparency log, from 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar
from uuid import UUID

T = TypeVar("T")

Status = Literal["listed", "warned", "suspended", "removed", "superseded"]
"""A designation's status on a list.

``listed``: on the list, the title in use; ``warned``: on the list under a warning, rectifying by
its ``rectify_by``; ``suspended``: an eco-industrial park under an exit warning (004 arts.
26-27), the same for the eco-park list; ``removed``: taken off the list; ``superseded``: the unit
ceased in a reorganisation (merger, split...), its successor carries on.
"""

USABLE: tuple[Status, ...] = ("listed",)
"""The statuses under which a unit may use its title: call itself certified, count on the list
as in force, carry a green code. The one definition every answer uses."""

RESTRICTED: tuple[Status, ...] = ("warned", "suspended")
"""Held but not usable: still on the list, under a warning to rectify by ``rectify_by``, and the
title may not be used meanwhile (004 art. 26). A lifted warning makes it usable again."""

HELD: tuple[Status, ...] = (*USABLE, *RESTRICTED)
"""On the list (usable or not): what reports and evaluations are still owed for."""

IN_FORCE = USABLE
"""The statuses of a designation in force: the usable ones."""


def is_usable(status: str) -> bool:
    """Whether a designation with this status lets the unit use its title."""
    return status in USABLE


def is_restricted(status: str) -> bool:
    """Whether a designation with this status is held but may not be used."""
    return status in RESTRICTED


Outcome = Literal[
    "certified",
    "warned",
    "suspended",
    "removed",
    "banned",
    "not_listed",
    "not_found",
    "invalid_code",
]
"""The answer to "was it certified?" for one reference, from best to worst news:
``certified`` (on a list, the title usable), ``warned`` (on a list only under a warning),
``suspended`` (on the eco-park list only under an exit warning), ``removed`` (was listed, is
no longer; includes superseded), ``banned`` (under a reapplication ban, whatever else),
``not_listed`` (known to the registry, never listed as of that date), ``not_found`` (no such unit
known at that time), ``invalid_code`` (the reference is neither a unit id nor a valid credit code).

Only ``certified`` is certified: ``warned`` and ``suspended`` answer a unit whose titles that day
are all held but not usable (:data:`RESTRICTED`)."""

MatchKind = Literal["name", "former_name", "credit_code"]


@dataclass(frozen=True)
class Evidence:
    """Where an answer comes from: the event (``"{aggregate_uuid}/{version}"``) and its place
    in the log."""

    event_id: str
    position: int


@dataclass(frozen=True)
class EvaluatorRef:
    """The third-party evaluator a designation names (003 art. 24; 001 art. 22)."""

    id: UUID
    name: str
    credit_code: str


@dataclass(frozen=True)
class FormerName:
    """A name the unit had, from ``valid_from`` through ``valid_until`` (inclusive). A name
    replaced on the day it took effect held for no day: ``valid_until`` is then the day before
    ``valid_from`` (see :meth:`greenreg.projections.fold.Fold._renamed`)."""

    name: str
    valid_from: date
    valid_until: date

    def held(self) -> str:
        """The days it held, as an explanation says them."""
        if self.valid_until < self.valid_from:
            return f"replaced on {self.valid_from}, the day it took effect"
        return f"from {self.valid_from} to {self.valid_until}"


@dataclass(frozen=True)
class UnitView:
    """A park or an enterprise as the registry holds it now."""

    id: UUID
    kind: str
    name: str
    credit_code: str | None
    division: str
    province: str
    registered_on: date
    named_since: date
    ceased: bool
    former_names: tuple[FormerName, ...] = ()
    predecessors: tuple[UUID, ...] = ()
    successors: tuple[UUID, ...] = ()


@dataclass(frozen=True)
class DesignationView:
    """A unit's place on one list (programme × issuing jurisdiction), as of some day.

    ``since`` is the day it was designated; ``changed_on`` the day of its last change of status
    (the valid time of the status shown); ``evidence`` the event that gave that status;
    ``in_force`` whether the title is usable with that status (:data:`USABLE`): a warned or
    suspended designation stays on the list with its ``rectify_by``, not in force.
    """

    unit_id: UUID
    unit_name: str
    programme: str
    level: str
    jurisdiction: str
    status: Status
    since: date
    changed_on: date
    batch: str | None
    document_number: str
    grade: str | None
    rectify_by: date | None
    evidence: Evidence
    evaluator: EvaluatorRef | None = None
    in_force: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "in_force", self.status in USABLE)


@dataclass(frozen=True)
class Page(Generic[T]):
    """A page of results. ``end_cursor`` is opaque: pass it as ``after`` for the next page."""

    items: list[T]
    end_cursor: str | None
    has_next_page: bool


@dataclass(frozen=True)
class UnitFilter:
    """Which units to list; ``None`` means any. A unit matches the designation filters when it
    has one current designation matching all of them."""

    kind: str | None = None
    province: str | None = None
    programme: str | None = None
    level: str | None = None
    jurisdiction: str | None = None
    status: Status | None = None


@dataclass(frozen=True)
class SearchHit:
    """A unit found by a search: how well it matched, and what matched (``explanation`` says it
    in words, e.g. "matched a former name: 上海浦东新材料有限公司 (until 2020-05-31)")."""

    unit: UnitView
    score: float
    matched: MatchKind
    matched_text: str
    explanation: str


@dataclass(frozen=True)
class LookupHit(SearchHit):
    """A search hit with the unit's titles as they stand now, so that one answer says whether
    it is certified: ``titles`` every list it is or was on (any status: listed, warned,
    suspended, removed...), ``certified`` whether one of them may be used now (:data:`USABLE`)."""

    titles: tuple[DesignationView, ...] = ()
    # Computed from ``titles`` (whatever is passed is replaced); an init field so that the
    # answer's published schema lists it.
    certified: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "certified", any(t.in_force for t in self.titles))


@dataclass(frozen=True)
class BanView:
    """A reapplication ban: the unit may not be listed in ``programme`` lists of
    ``jurisdiction`` (and every area inside it) from ``first_day`` through ``last_day``, both
    days included."""

    unit_id: UUID
    unit_name: str
    programme: str
    level: str
    jurisdiction: str
    ground: str
    rule: str
    first_day: date
    last_day: date
    document_number: str
    evidence: Evidence


@dataclass(frozen=True)
class Flag:
    """Something a rule asks the reader to notice, not a refusal: a stable ``code``, the
    ``rule`` (article) it follows from, and a ``message`` in words."""

    code: str
    rule: str
    message: str


@dataclass(frozen=True)
class HistoryEntry:
    """One event in a unit's timeline: what happened, when (valid and record time), who signed
    it, under which document, and where it sits in the log."""

    event_type: str
    summary: str
    effective_date: date
    recorded_at: datetime
    authority_code: str
    authority_name: str
    document_number: str
    flags: tuple[str, ...]
    evidence: Evidence
    rules: str | None = None
    """For an act on a list (or a rename or reorganisation of a listed unit): which rules
    judged it, "judged under ..." or "no rule in force in the registry on ..."."""
    derived_flags: tuple[Flag, ...] = ()
    """Flags the read models derive by counting acts on other units too, which the signed
    event cannot carry (its own flags are ``flags``): ``evaluation_cap_exceeded`` (003 art. 24)
    on a designation resting on the 11th or later provincial evaluation of a year by evaluators
    sharing one legal representative."""
    key_id: str = ""
    """The key that signed the act (a key of the authority ``authority_code``)."""
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """The event's own fields (:mod:`greenreg.projections.act_details`): the list, batch, new
    name, ground...; empty for a line folded before they were kept, until a rebuild."""


@dataclass(frozen=True)
class RuleView:
    """An adoption of a rulebook: the lists it governs (its programmes, of ``jurisdiction``)
    from ``in_force_from`` through ``in_force_until`` (inclusive; ``None``: no end date), as
    the root declared under ``document_number``."""

    rulebook: str
    text: str
    programmes: tuple[str, ...]
    jurisdiction: str
    in_force_from: date
    in_force_until: date | None
    document_number: str
    recorded_at: datetime
    evidence: Evidence


@dataclass(frozen=True)
class History:
    """A unit's whole timeline, oldest first, with its former names and its links."""

    unit: UnitView
    entries: list[HistoryEntry]


@dataclass(frozen=True)
class InForce:
    """A designation in force in a certification answer."""

    programme: str
    level: str
    jurisdiction: str
    status: Status
    since: date
    document_number: str
    grade: str | None


@dataclass(frozen=True)
class RestrictedDesignation:
    """A designation held on the day asked whose title may not be used that day: the unit is
    under a warning (``warned``) or an exit warning (``suspended``) since ``restricted_since``
    and must rectify by ``rectify_by``."""

    programme: str
    level: str
    jurisdiction: str
    status: Status
    since: date
    restricted_since: date
    rectify_by: date | None
    document_number: str
    grade: str | None


@dataclass(frozen=True)
class Certification:
    """The answer for one reference of a bank's check, in the order the references were given.

    ``designations`` are those in force as of the day asked (known at the time asked), the
    usable ones only; ``restricted`` those held that day whose title may not be used (warned,
    suspended), with their rectification deadline; ``bans`` those running that day;
    ``evidence`` the events the answer rests on.
    """

    ref: str
    outcome: Outcome
    unit_id: UUID | None
    name: str | None
    designations: list[InForce] = field(default_factory=list)
    bans: list[BanView] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    message: str = ""
    restricted: list[RestrictedDesignation] = field(default_factory=list)
    certified: bool = field(init=False)
    """Whether the unit could call itself certified on that day: at least one of its titles was
    usable (:data:`USABLE`)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "certified", self.outcome == "certified")


@dataclass(frozen=True)
class StatisticsRow:
    """How many designations are in force (usable) now: one row per programme × level × province ×
    year of designation. ``province`` is the unit's province (``xx0000``)."""

    programme: str
    level: str
    province: str
    year: int
    count: int


@dataclass(frozen=True)
class Statistics:
    rows: list[StatisticsRow]
    units: int
    designations_in_force: int
    designations_restricted: int = 0
    """Designations held now whose title may not be used (warned, suspended): not counted in
    ``rows`` nor in ``designations_in_force``."""


ComplianceKind = Literal["overdue_report", "late_notice", "creation_ending", "evaluation_due"]


@dataclass(frozen=True)
class ComplianceItem:
    """Something an authority should look at on a given day, citing the rule."""

    kind: ComplianceKind
    unit_id: UUID
    unit_name: str
    due: date | None
    rule: str
    message: str
    evidence: Evidence | None = None


@dataclass(frozen=True)
class DataVersion:
    """How much the read models have seen: the store's event count and the log position (leaf
    index, from 0; -1 for none) of its last event, and of the last event the read models have
    folded."""

    event_count: int
    last_position: int
    projected_position: int

    @property
    def up_to_date(self) -> bool:
        return self.projected_position >= self.last_position

    @property
    def behind(self) -> bool:
        """The read models had not folded every recorded event: the answer may miss the
        latest ones (for long only when they cannot fold an event; see ``/healthz``)."""
        return not self.up_to_date


@dataclass(frozen=True)
class EvaluatorSanctionView:
    """A sanction of an evaluator: lists governed by ``source`` within ``area`` do not accept
    its results from ``first_day`` through ``last_day`` (inclusive; ``None``: no end)."""

    rule: str
    source: str
    area: str
    first_day: date
    last_day: date | None
    ground: str
    document_number: str
    evidence: Evidence


@dataclass(frozen=True)
class EvaluationView:
    """A designation naming the evaluator: the evaluation it rests on.

    ``counted_by`` is the rule that counts it toward the legal representative's yearly cap
    (``003 art. 24``: a provincial list governed by 003 on the designation's effective date),
    or ``None``; ``place`` is then its place among that year's counted evaluations by
    evaluators sharing the legal representative, in the order they were recorded; ``flags``
    holds ``evaluation_cap_exceeded`` from the 11th on. A later removal or correction of the
    designation does not undo the evaluation: it stays here and stays counted."""

    unit_id: UUID
    unit_name: str
    programme: str
    level: str
    jurisdiction: str
    effective_date: date
    counted_by: str | None
    place: int | None
    flags: tuple[Flag, ...]
    evidence: Evidence


@dataclass(frozen=True)
class YearlyEvaluations:
    """The provincial evaluations (003 art. 24) of one calendar year, by the designations'
    effective dates, made by every evaluator whose legal representative is the one named:
    ``count`` in all (``by_this_evaluator`` of them by the evaluator asked about), against the
    ``cap``; ``exceeded`` when the count is over it."""

    legal_representative: str
    year: int
    count: int
    by_this_evaluator: int
    cap: int
    rule: str
    exceeded: bool


@dataclass(frozen=True)
class EvaluatorView:
    """A third-party evaluator (第三方评价机构): who it is, its sanctions, the designations
    that name it (in the order they were recorded) and its legal representative's yearly
    counts of provincial evaluations against the cap of 003 art. 24."""

    id: UUID
    name: str
    credit_code: str
    legal_representative: str
    registered_on: date
    sanctions: tuple[EvaluatorSanctionView, ...]
    evaluations: tuple[EvaluationView, ...]
    yearly_counts: tuple[YearlyEvaluations, ...]
    evidence: Evidence
