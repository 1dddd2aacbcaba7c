"""The rulebooks: one per policy text, each rule citing its file and article.

=============================  ======================================  ======
rulebook                       lists it governs                        source
=============================  ======================================  ======
:class:`NationalRulebook`      MIIT national factories, parks, chains  000
:class:`ChongqingRulebook`     Chongqing (500000) parks and factories  001
:class:`ZhejiangRulebook`      Zhejiang green low-carbon parks         002
:class:`ProvincialRulebook`    other provincial and municipal lists    003
:class:`EcoParkRulebook`       eco-industrial parks                    004
=============================  ======================================  ======

Which rulebook is law for which lists, from when, is itself recorded: the root's signed
adoptions (:mod:`~greenreg.registry.rulebooks.law`). A command finds the rulebook of its list
on the act's effective date with :func:`rulebook_for` and asks it (``check_*``); with no
adoption in force it gets :class:`~greenreg.registry.rulebooks.unregulated.Unregulated`. The
flags for late notices and reports come from the rulebooks in force on the change or due day
that govern one of the unit's lists (:func:`notice_flags`, :func:`report_flags`).
"""

from __future__ import annotations

from datetime import date

from greenreg.errors import ActFormatError, HistoryError
from greenreg.events.places import NATIONAL, Level, name_of
from greenreg.events.vocabulary import Flag
from greenreg.registry.rulebooks.base import (
    Ground,
    ReportDeadline,
    Rulebook,
    flag,
    late_report_flags,
)
from greenreg.registry.rulebooks.chongqing import ChongqingRulebook
from greenreg.registry.rulebooks.eco_parks import EcoParkRulebook
from greenreg.registry.rulebooks.law import RULEBOOKS as BY_NAME
from greenreg.registry.rulebooks.law import (
    Adoption,
    AdoptionsMemo,
    books_in_force,
    governing,
    governing_unit,
    in_force_for,
    rulebook_for,
    unit_lists,
)
from greenreg.registry.rulebooks.national import NationalRulebook
from greenreg.registry.rulebooks.provincial import ProvincialRulebook
from greenreg.registry.rulebooks.zhejiang import ZhejiangRulebook
from greenreg.registry.unit import UnitState

RULEBOOKS: tuple[Rulebook, ...] = tuple(BY_NAME.values())


def notice_flags(
    unit: UnitState, changed_on: date, reported_on: date, adoptions: list[Adoption]
) -> list[Flag]:
    """Flags for a change (rename, reorganisation) reported later than a rulebook allows: only
    rulebooks in force on the day of the change that govern one of the unit's lists."""
    if reported_on < changed_on:
        raise HistoryError(f"a change on {changed_on} cannot be reported on {reported_on}")
    books = in_force_for(unit, changed_on, adoptions)
    return [f for book in books for f in book.notice_flags(unit, changed_on, reported_on)]


def recommendation_flags(
    unit: UnitState, programme: str, jurisdiction: str, adoptions: list[Adoption]
) -> list[Flag]:
    """A national listing of a unit whose listing under the provincial rules (003, in force
    when it was listed) has grade C: 003 art. 14 recommends for national lists grade B or
    better. The national list is MIIT's, the recommendation rule the province's: a flag, not a
    refusal."""
    if jurisdiction != NATIONAL:
        return []
    flags = []
    for d in unit.designations.values():
        if not (d.in_force and d.programme == programme and d.level == Level.PROVINCIAL):
            continue
        if d.grade == "C" and isinstance(
            rulebook_for(programme, d.jurisdiction, d.since, adoptions), ProvincialRulebook
        ):
            flags.append(
                flag(
                    "below_recommended_grade",
                    "003 art. 14",
                    f"{unit.name} has grade C on the {programme} list of "
                    f"{name_of(d.jurisdiction)} (since {d.since}); a national recommendation "
                    "needs grade B or better",
                )
            )
    return flags


def report_flags(
    report: str, year: int, filed_on: date, unit: UnitState, adoptions: list[Adoption]
) -> list[Flag]:
    """Flags for a yearly report filed after its deadline; refuses an unknown kind of report.
    A deadline counts only if its rulebook is in force on the day it falls due and governs
    one of the unit's lists.

    Which deadlines count is a pure function of the report, the year, the unit's lists and
    the adoptions: kept by the first three for a list of adoptions (:data:`REPORT_DEADLINES`)."""
    key = (report, year, unit_lists(unit))
    plain = type(report) is str and type(year) is int
    answers = REPORT_DEADLINES.answers(adoptions)
    deadlines = answers.get(key) if plain else None
    if deadlines is None and not any(report in b.report_deadlines for b in RULEBOOKS):
        kinds = sorted({k for b in RULEBOOKS for k in b.report_deadlines})
        raise ActFormatError(f"{report!r} is not a kind of report; kinds: {', '.join(kinds)}")
    if filed_on <= date(year, 1, 1):
        raise HistoryError(f"a report for {year} cannot be filed on {filed_on}")
    if deadlines is None:
        deadlines = _report_deadlines(report, year, unit, adoptions)
        if plain:
            answers[key] = deadlines
    # 000 and 003 share the 003 art. 18 deadline: one deadline, one flag.
    return [f for d in deadlines for f in late_report_flags(report, year, filed_on, d)]


REPORT_DEADLINES = AdoptionsMemo()
""":func:`report_flags`' deadlines, by report, year and the unit's lists."""


def _report_deadlines(
    report: str, year: int, unit: UnitState, adoptions: list[Adoption]
) -> tuple[ReportDeadline, ...]:
    """The deadlines of the report (a kind there is) for the year that count for the unit,
    each once."""
    deadlines: dict[ReportDeadline, None] = {}
    governing_lists = governing_unit(unit, adoptions)
    for book in RULEBOOKS:
        deadline = book.report_deadlines.get(report)
        if deadline is None:
            continue
        due = date(year + 1, deadline.month, deadline.day)
        if book in books_in_force(governing_lists, due):  # in_force_for(unit, due, adoptions)
            deadlines[deadline] = None
    return tuple(deadlines)


__all__ = [
    "BY_NAME",
    "RULEBOOKS",
    "Adoption",
    "ChongqingRulebook",
    "EcoParkRulebook",
    "Ground",
    "NationalRulebook",
    "ProvincialRulebook",
    "Rulebook",
    "ZhejiangRulebook",
    "governing",
    "notice_flags",
    "recommendation_flags",
    "report_flags",
    "rulebook_for",
]
