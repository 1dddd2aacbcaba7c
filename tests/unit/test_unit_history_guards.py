"""A unit guards its own history: given what happened to it, when an act would change it, then
the act is refused (saying why) or allowed, on the boundary days included.

- an act on a unit that ceased in a reorganisation is made on its successor;
- a unit is relisted only after the day it left the list;
- an act on a listing takes effect on or after the listing's last change;
- a warning is given once, and lifted only when there is one;
- a complaint is decided on or after the day it was received;
- an incident is recorded on or after the unit's registration;
- a rename takes effect on or after the current name did.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from greenreg.errors import HistoryError
from greenreg.registry.unit import Complaint, Designation, Status, Unit

SUZHOU = "320500"
SINCE = date(2024, 9, 2)
CHANGED = date(2025, 3, 3)


def unit_with(status: Status | None = None, changed_on: date = CHANGED) -> Unit:
    unit = Unit()
    unit.state.name, unit.state.registered_on, unit.state.named_since = "苏州某公司", SINCE, SINCE
    if status is not None:
        unit.state.designations[("green_factory", SUZHOU)] = Designation(
            "green_factory", SUZHOU, SINCE, status, changed_on, uuid4(), "doc", None, None
        )
    return unit


def day_after(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


def test_a_unit_that_ceased_is_acted_on_through_its_successor() -> None:
    unit = unit_with()
    unit.check_active()
    unit.state.ceased = True
    with pytest.raises(HistoryError, match="ceased in a reorganisation; act on its successor"):
        unit.check_active()


def test_a_unit_is_relisted_from_the_day_after_it_left_the_list() -> None:
    unit = unit_with("removed")
    with pytest.raises(HistoryError, match="not after the unit left this list on 2025-03-03"):
        unit.check_relistable("green_factory", SUZHOU, CHANGED)
    unit.check_relistable("green_factory", SUZHOU, day_after(CHANGED))
    with pytest.raises(HistoryError, match="is already on this list since 2024-09-02"):
        unit_with("listed").check_relistable("green_factory", SUZHOU, day_after(CHANGED))


def test_an_act_on_a_listing_takes_effect_on_or_after_its_last_change() -> None:
    unit = unit_with("listed")
    with pytest.raises(HistoryError, match="before the unit's last change on this list"):
        unit.check_in_force("green_factory", SUZHOU, day_before(CHANGED), "removed")
    assert unit.check_in_force("green_factory", SUZHOU, CHANGED, "removed").status == "listed"
    with pytest.raises(
        HistoryError, match=r"is not on the green_factory list .* cannot be removed"
    ):
        unit_with("removed").check_in_force("green_factory", SUZHOU, day_after(CHANGED), "removed")


def test_a_warning_is_given_once_and_lifted_only_when_there_is_one() -> None:
    unit_with("listed").check_warnable("green_factory", SUZHOU, CHANGED)
    with pytest.raises(HistoryError, match="is already warned since 2025-03-03"):
        unit_with("warned").check_warnable("green_factory", SUZHOU, CHANGED)
    unit_with("warned").check_under_warning("green_factory", SUZHOU, CHANGED)
    with pytest.raises(HistoryError, match="is not under a warning"):
        unit_with("listed").check_under_warning("green_factory", SUZHOU, CHANGED)


def test_a_complaint_is_decided_on_or_after_the_day_it_was_received() -> None:
    unit, complaint = unit_with("listed"), uuid4()
    unit.state.complaints[complaint] = Complaint("green_factory", SUZHOU, CHANGED, uuid4())
    with pytest.raises(HistoryError, match="before the complaint was received on 2025-03-03"):
        unit.check_open_complaint(complaint, day_before(CHANGED))
    assert unit.check_open_complaint(complaint, CHANGED).received_on == CHANGED


def test_an_incident_is_recorded_from_the_day_the_unit_was_registered() -> None:
    unit = unit_with()
    with pytest.raises(HistoryError, match="before 苏州某公司 was registered"):
        unit.check_incident_date(day_before(SINCE))
    unit.check_incident_date(SINCE)


def test_a_rename_takes_effect_on_or_after_the_current_name_did() -> None:
    unit = unit_with()
    with pytest.raises(HistoryError, match="before the current name"):
        unit.check_renamable("苏州新某公司", day_before(SINCE))
    unit.check_renamable("苏州新某公司", SINCE)
    with pytest.raises(HistoryError, match="already called 苏州某公司"):
        unit.check_renamable("苏州某公司", CHANGED)
