"""For random valid histories, the read models folded event by event equal a full rebuild, and
equal a reference fold written here, independently, on both databases.

Hypothesis draws a history of acts on three units (designations on three lists, rectification
orders of verified complaints, lifted orders, removals, renames) with effective dates moving
forward by random steps and
record times moving forward by random steps (often none: several events recorded at the same
instant). Acts the registry refuses (a removal from a list the unit is not on, a designation
under a ban...) are simply not recorded. The read models catch up at random points, so
batches end anywhere. Then:

- the incremental read models equal a rebuild from scratch, row for row;
- for every day and record time around the history, each unit's designations as of that day
  as known at that time equal what the reference fold says;
- each unit's name, former names and bans equal the reference.
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenreg.errors import GreenregError
from greenreg.events.vocabulary import (
    ComplaintDecided,
    Designated,
    Removed,
    Renamed,
    Warned,
    WarningLifted,
)
from greenreg.projections.schema import read_model_rows
from tests.support import Reads, World

# (issuer, programme, jurisdiction, removal ground)
LISTS = [
    ("js-eit", "green_park", "320000", "not_operating"),
    ("sz-eit", "green_supply_chain", "320500", "not_operating"),
    ("miit", "green_park", "CN", "dynamic_adjustment"),
]
KINDS = ["designate", "designate", "rectify", "lift_warning", "remove", "rename", "report"]
START = date(2015, 1, 1)
names = itertools.count()


@dataclass(frozen=True)
class Step:
    kind: str
    unit: int
    listing: int
    days: int
    hours: int
    catch_up: bool


steps = st.lists(
    st.builds(
        Step,
        kind=st.sampled_from(KINDS),
        unit=st.integers(0, 2),
        listing=st.integers(0, len(LISTS) - 1),
        days=st.integers(0, 500),
        hours=st.sampled_from([0, 0, 1, 30]),
        catch_up=st.booleans(),
    ),
    min_size=1,
    max_size=25,
)


def act(world: World, step: Step, unit: UUID, effective: date) -> None:
    issuer, programme, jurisdiction, ground = LISTS[step.listing]
    on = {"unit": str(unit), "effective_date": effective.isoformat()}
    listing = {"programme": programme, "jurisdiction": jurisdiction}
    if step.kind == "designate":
        world.submit(issuer, "designate", **on, **listing)
    elif step.kind == "rectify":
        # No warning act on these lists: a verified complaint's rectification order (003 art.
        # 25), on a list governed by 003 (Jiangsu's and Suzhou's, from 2024-07-19).
        rectify = (effective + timedelta(days=180)).isoformat()
        complaint = world.submit("sz-eit", "record_complaint", **on, **listing, matter="数据不实")
        world.submit("sz-eit", "decide_complaint", **on, complaint=str(complaint.act_id),
                     outcome="rectification", rectify_by=rectify, removal=None)  # fmt: skip
    elif step.kind == "lift_warning":
        world.submit(issuer, "lift_warning", **on, **listing)
    elif step.kind == "remove":
        world.submit(issuer, "remove", **on, **listing, ground=ground)
    elif step.kind == "rename":
        new_name = f"苏州园区{next(names)}"
        world.submit("js-eit", "rename", **on, new_name=new_name, reported_on=on["effective_date"])
    else:
        world.submit("js-eit", "file_report", **on, report="dynamic_management_form",
                     year=effective.year - 1, filed_on=on["effective_date"])  # fmt: skip


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=steps)
def test_incremental_equals_rebuild_equals_reference(
    world: World, reads: Reads, history: list[Step]
) -> None:
    units = [world.register("js-eit", f"苏州园区{next(names)}", "320505") for _ in range(3)]
    effective = START
    for step in history:
        effective += timedelta(days=step.days)
        world.clock.advance(hours=step.hours)
        with contextlib.suppress(GreenregError):  # refused: nothing recorded
            act(world, step, units[step.unit], effective)
        if step.catch_up:
            reads()
    q = reads()
    incremental = read_model_rows(reads.store)

    for unit in units:
        events = [
            (world.registry.mapper.to_domain_event(n), n.id)
            for n in world.registry.recorder.select_notifications(start=1, limit=1_000_000)
            if n.originator_id == unit
        ]
        reference = Reference([e for e, _ in events])
        for known_at in reference.record_times():
            for as_of in reference.days():
                got = {
                    (x.programme, x.jurisdiction): x.status
                    for x in q.designations_of([unit], as_of=as_of, known_at=known_at)[0]
                }
                assert got == reference.statuses(as_of, known_at), (as_of, known_at)
        view = q.unit(unit)
        assert view is not None
        assert view.name == reference.name()
        assert [f.name for f in view.former_names] == reference.former_names()
        got_bans = {
            (b.programme, b.jurisdiction, b.first_day, b.last_day) for b in q.bans(None, unit)
        }
        assert got_bans == reference.bans()

    reads.projector.rebuild()
    assert read_model_rows(reads.store) == incremental


class Reference:
    """The meaning of a unit's events, folded the plain way: for a record time, keep the events
    recorded by then, in log order; each change of status holds from its effective date on and
    replaces whatever the earlier events said from that date on."""

    def __init__(self, events: list[Any]) -> None:
        self.events = events

    def record_times(self) -> list[datetime]:
        times = sorted({e.timestamp for e in self.events})
        return sorted({*times, *(t - timedelta(microseconds=1) for t in times)})

    def days(self) -> list[date]:
        effective = sorted({e.effective_date for e in self.events})
        return sorted({*effective, *(d - timedelta(days=1) for d in effective)})

    def statuses(self, as_of: date, known_at: datetime) -> dict[tuple[str, str], str]:
        timelines: dict[tuple[str, str], list[tuple[date, str]]] = {}
        for event in self.events:
            if event.timestamp > known_at:
                continue
            for key, status in changes(event):
                line = [(d, s) for d, s in timelines.get(key, []) if d < event.effective_date]
                timelines[key] = [*line, (event.effective_date, status)]
        found = {}
        for key, line in timelines.items():
            holding = [s for d, s in line if d <= as_of]
            if holding:
                found[key] = holding[-1]
        return found

    def name(self) -> str:
        return ([self.events[0].name] + [e.new_name for e in self.renames()])[-1]

    def former_names(self) -> list[str]:
        return ([self.events[0].name] + [e.new_name for e in self.renames()])[:-1]

    def renames(self) -> list[Renamed]:
        return [e for e in self.events if isinstance(e, Renamed)]

    def bans(self) -> set[tuple[str, str, date, date]]:
        return {
            (p, j, date.fromisoformat(b["first_day"]), date.fromisoformat(b["last_day"]))
            for e in self.events
            if isinstance(e, Removed)
            for b in e.bans
            for p in b["programmes"]
            for j in b["jurisdictions"]
        }


def changes(event: Any) -> list[tuple[tuple[str, str], str]]:
    """The (list, status) changes an event makes."""
    if isinstance(event, Designated):
        return [((str(event.programme), event.jurisdiction), "listed")]
    if isinstance(event, Warned):
        return [((str(event.programme), event.jurisdiction), "warned")]
    if isinstance(event, ComplaintDecided) and event.outcome == "rectification":
        return [(tuple(event.listing.split("@")), "warned")]  # type: ignore[list-item]
    if isinstance(event, WarningLifted):
        return [((str(event.programme), event.jurisdiction), "listed")]
    if isinstance(event, Removed):
        return [(tuple(ended.split("@")), "removed") for ended in event.ended]  # type: ignore[misc]
    return []
