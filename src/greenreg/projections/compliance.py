"""What needs an authority's attention on a given day, from the read models.

- **overdue yearly reports**: a unit on a list since before the end of year Y, whose report
  for Y was due on a day before ``on`` (15 April, 003 art. 18; 30 June, 004 art. 24) under a
  rulebook in force on that day for the list, and is not filed; only the latest year already
  due is asked about;
- **late notices**: renames and reorganisations reported after their deadline (the flags the
  registry raised when it recorded them, up to ``on``);
- **eco-park creation periods** ending within :data:`HORIZON_DAYS` of ``on``, or ended without
  naming (004 art. 13);
- **eco-park performance evaluations** due within :data:`HORIZON_DAYS` or overdue: every 3
  years from naming (004 art. 25); each filed ``performance_evaluation`` report counts for one.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from greenreg.projections.database import ReadStore
from greenreg.projections.reading import evidence, statuses_sql
from greenreg.projections.rules import adoptions_in
from greenreg.projections.views import HELD, ComplianceItem
from greenreg.registry.periods import period_end
from greenreg.registry.rulebooks import RULEBOOKS, governing

HORIZON_DAYS = 90
EVALUATION_YEARS = 3
ECO_PARK = "eco_park"
ON_A_LIST = statuses_sql(HELD)
"""A unit under a warning still owes its reports and evaluations: every held status."""


def compliance(store: ReadStore, on: date) -> list[ComplianceItem]:
    items = [
        *_overdue_reports(store, on),
        *_late_notices(store, on),
        *_creations(store, on),
        *_evaluations(store, on),
    ]
    return sorted(items, key=lambda i: (i.kind, i.due or date.min, i.unit_name, str(i.unit_id)))


def _overdue_reports(store: ReadStore, on: date) -> list[ComplianceItem]:
    deadlines = {
        (report, deadline.month, deadline.day, deadline.rule)
        for book in RULEBOOKS
        for report, deadline in book.report_deadlines.items()
        if deadline is not None
    }
    items: dict[tuple[str, str], ComplianceItem] = {}
    adoptions = adoptions_in(store)
    for report, month, day_, rule in sorted(deadlines):
        year = on.year - 1 if on > date(on.year, month, day_) else on.year - 2
        due = date(year + 1, month, day_)
        rows = store.query(
            "SELECT d.unit_id, u.name, d.programme, d.jurisdiction, d.event_id, d.position "  # noqa: S608
            "FROM rm_designations d JOIN rm_units u ON u.unit_id = d.unit_id "
            f"WHERE d.status IN {ON_A_LIST} AND d.since <= ? "
            "AND NOT EXISTS (SELECT 1 FROM rm_reports r WHERE r.unit_id = d.unit_id "
            "AND r.report = ? AND r.year = ?) ORDER BY d.unit_id",
            [f"{year}-12-31", report, year],
        )
        for unit, name, programme, jurisdiction, event, position in rows:
            adoption = governing(programme, jurisdiction, due, adoptions)
            if adoption is None or (unit, report) in items:
                continue  # no rule in force on the due day: no deadline (nor a report owed)
            deadline = adoption.book.report_deadlines.get(report)
            if deadline is None or (deadline.month, deadline.day) != (month, day_):
                continue
            items[(unit, report)] = ComplianceItem(
                "overdue_report",
                UUID(unit),
                name,
                due,
                rule,
                f"the {report} for {year} was due on {due} and is not filed",
                evidence(event, position),
            )
    return list(items.values())


def _late_notices(store: ReadStore, on: date) -> list[ComplianceItem]:
    rows = store.query(
        "SELECT f.unit_id, u.name, f.rule, f.message, f.event_id, f.position "
        "FROM rm_flags f JOIN rm_units u ON u.unit_id = f.unit_id "
        "WHERE f.code = 'late_notice' AND f.recorded_at < ? ORDER BY f.position",
        [(on + timedelta(days=1)).isoformat()],
    )
    return [
        ComplianceItem("late_notice", UUID(unit), name, None, rule, message, evidence(e, p))
        for unit, name, rule, message, e, p in rows
    ]


def _creations(store: ReadStore, on: date) -> list[ComplianceItem]:
    horizon = on + timedelta(days=HORIZON_DAYS)
    rows = store.query(
        "SELECT c.unit_id, u.name, c.ends_on, c.extended_to, c.event_id, c.position "
        "FROM rm_creations c JOIN rm_units u ON u.unit_id = c.unit_id "
        "WHERE c.ends_on <= ? ORDER BY c.ends_on",
        [horizon.isoformat()],
    )
    items = []
    for unit, name, ends_on, extended_to, event, position in rows:
        ends = date.fromisoformat(ends_on)
        state = "ended" if ends < on else "ends"
        extension = " (already extended once)" if extended_to else ""
        items.append(
            ComplianceItem(
                "creation_ending",
                UUID(unit),
                name,
                ends,
                "004 art. 13",
                f"the creation period {state} on {ends}{extension} and the park is not named",
                evidence(event, position),
            )
        )
    return items


def _evaluations(store: ReadStore, on: date) -> list[ComplianceItem]:
    rows = store.query(
        "SELECT d.unit_id, u.name, d.since, d.event_id, d.position, "  # noqa: S608
        "(SELECT COUNT(*) FROM rm_reports r WHERE r.unit_id = d.unit_id "
        "AND r.report = 'performance_evaluation' AND r.filed_on >= d.since) "
        "FROM rm_designations d JOIN rm_units u ON u.unit_id = d.unit_id "
        f"WHERE d.programme = ? AND d.status IN {ON_A_LIST}",
        [ECO_PARK],
    )
    horizon = on + timedelta(days=HORIZON_DAYS)
    items = []
    for unit, name, since, event, position, filed in rows:
        due = period_end(date.fromisoformat(since), years=EVALUATION_YEARS * (int(filed) + 1))
        if due <= horizon:
            state = "overdue since" if due < on else "due on"
            items.append(
                ComplianceItem(
                    "evaluation_due",
                    UUID(unit),
                    name,
                    due,
                    "004 art. 25",
                    f"performance evaluation {int(filed) + 1} after naming on {since} is "
                    f"{state} {due}",
                    evidence(event, position),
                )
            )
    return items
