"""The questions the read models answer: the one place the outer layers read from.

GraphQL resolvers and REST routes call :class:`Queries`; they never write SQL. Every method is a
few indexed queries on the read-model tables (``rm_*``), never a replay of events.

Times: ``as_of`` is a **valid time** (a calendar day: what was in force that day, by the
documents' effective dates); ``known_at`` is a **record time** (an aware datetime: what the
registry had recorded by then). Leaving ``known_at`` out means "as known now".

Identifiers: an event id is ``"{aggregate_uuid}/{version}"``; a log position is defined in
:mod:`greenreg.projections.positions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from greenreg.errors import GreenregError
from greenreg.projections.database import ReadStore
from greenreg.projections.views import (
    BanView,
    Certification,
    ComplianceItem,
    DataVersion,
    DesignationView,
    History,
    Page,
    SearchHit,
    Statistics,
    Status,
    UnitFilter,
    UnitView,
)

MAX_REFS = 10_000
MAX_PAGE = 1_000
MAX_SEARCH = 100


class QueryError(GreenregError):
    """A question the read models cannot answer as asked (a bad cursor, too many references)."""

    code = "bad_query"


class Queries:
    """Read-only questions on the read models of one database."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store

    # --- units ----------------------------------------------------------------------------

    def unit(self, unit_id: UUID) -> UnitView | None:
        """The unit with this id, or ``None``."""
        raise NotImplementedError

    def units_by_ids(self, unit_ids: Sequence[UUID]) -> list[UnitView | None]:
        """The units with these ids, in the order given, ``None`` where there is none (for
        DataLoaders: one query for the whole batch)."""
        raise NotImplementedError

    def units(
        self, where: UnitFilter | None = None, first: int = 100, after: str | None = None
    ) -> Page[UnitView]:
        """Units matching ``where``, ordered by id, ``first`` at a time (at most 1,000);
        ``after`` is the ``end_cursor`` of the previous page."""
        raise NotImplementedError

    def unit_id_for_credit_code(self, credit_code: str) -> UUID | None:
        """The unit registered with this credit code (any spelling: full-width, lower case,
        spaces), or ``None``. Raises :class:`~greenreg.errors.CreditCodeError` for a code that
        fails its check character."""
        raise NotImplementedError

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Units whose current name, former name or credit code matches ``text``, best first.

        Chinese-aware: full-width and half-width forms, （） and (), spaces and punctuation are
        normalised on both sides. Each hit says what matched and, for a former name, the
        unit's current name."""
        raise NotImplementedError

    # --- lists ----------------------------------------------------------------------------

    def designations(
        self,
        *,
        programme: str | None = None,
        level: str | None = None,
        jurisdiction: str | None = None,
        status: Status | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> Page[DesignationView]:
        """A list (programme × level × issuing jurisdiction) with each unit's status, as it
        stands now, or as of a day as known at a time."""
        raise NotImplementedError

    def designations_of(
        self,
        unit_ids: Sequence[UUID],
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> list[list[DesignationView]]:
        """Every designation of each unit (any status), in the order of ``unit_ids``: one query
        for the batch."""
        raise NotImplementedError

    def bans(self, active_on: date | None = None, unit_id: UUID | None = None) -> list[BanView]:
        """Reapplication bans running on ``active_on`` (first and last day included), or all
        bans when it is ``None``; of one unit, or of every unit."""
        raise NotImplementedError

    def history(self, unit_id: UUID) -> History | None:
        """The unit's whole timeline, oldest first, or ``None`` if there is no such unit."""
        raise NotImplementedError

    # --- the bank check -------------------------------------------------------------------

    def certifications(
        self,
        refs: Sequence[str],
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Certification]:
        """Was each unit certified on ``as_of`` (default: today), as the registry knew it at
        ``known_at`` (default: now)? ``refs`` are credit codes or unit ids, at most 10,000;
        one answer per ref, in input order. A ref that is neither a UUID nor a valid credit
        code gets ``invalid_code`` and does not fail the others. Answered with a few set-based
        queries, whatever the number of refs."""
        raise NotImplementedError

    # --- overview -------------------------------------------------------------------------

    def statistics(self) -> Statistics:
        """Designations in force now, counted by programme, level, province and year."""
        raise NotImplementedError

    def compliance(self, on: date) -> list[ComplianceItem]:
        """What needs attention on ``on``: overdue yearly reports, late rename or
        reorganisation notices, eco-park creation periods ending within 90 days or ended
        without naming, eco-park performance evaluations due (every 3 years from naming)."""
        raise NotImplementedError

    def data_version(self) -> DataVersion:
        """The store's event count and last position, and how far the read models have got."""
        raise NotImplementedError
