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

A command finds the rulebook of its list with :func:`rulebook_for` and asks it (``check_*``);
the flags for late notices and reports come from every rulebook that has a deadline for them
(:func:`notice_flags`, :func:`report_flags`).
"""

from __future__ import annotations

from datetime import date

from greenreg.errors import ActFormatError, HistoryError, RuleError
from greenreg.events.places import NATIONAL, Level, name_of
from greenreg.events.vocabulary import Flag
from greenreg.registry.rulebooks.base import Ground, Rulebook, flag, late_report_flags
from greenreg.registry.rulebooks.chongqing import ChongqingRulebook
from greenreg.registry.rulebooks.eco_parks import EcoParkRulebook
from greenreg.registry.rulebooks.national import NationalRulebook
from greenreg.registry.rulebooks.provincial import ProvincialRulebook
from greenreg.registry.rulebooks.zhejiang import ZhejiangRulebook
from greenreg.registry.unit import UnitState

RULEBOOKS: tuple[Rulebook, ...] = (
    NationalRulebook(),
    ChongqingRulebook(),
    ZhejiangRulebook(),
    ProvincialRulebook(),
    EcoParkRulebook(),
)


def rulebook_for(programme: str, jurisdiction: str) -> Rulebook:
    """The rulebook that governs ``programme`` lists issued by ``jurisdiction``."""
    for rulebook in RULEBOOKS:
        if rulebook.governs(programme, jurisdiction):
            return rulebook
    raise RuleError(
        f"no rulebook governs {programme} lists issued by {name_of(jurisdiction)} "
        f"({jurisdiction}); the registry records only lists its policy texts provide for"
    )


def notice_flags(unit: UnitState, changed_on: date, reported_on: date) -> list[Flag]:
    """Flags for a change (rename, reorganisation) reported later than a rulebook allows."""
    if reported_on < changed_on:
        raise HistoryError(f"a change on {changed_on} cannot be reported on {reported_on}")
    return [f for book in RULEBOOKS for f in book.notice_flags(unit, changed_on, reported_on)]


def recommendation_flags(unit: UnitState, programme: str, jurisdiction: str) -> list[Flag]:
    """A national listing of a unit whose listing under the provincial rules has grade C: 003
    art. 14 recommends for national lists grade B or better. The national list is MIIT's, the
    recommendation rule the province's: a flag, not a refusal."""
    if jurisdiction != NATIONAL:
        return []
    flags = []
    for d in unit.designations.values():
        if not (d.in_force and d.programme == programme and d.level == Level.PROVINCIAL):
            continue
        if d.grade == "C" and isinstance(
            rulebook_for(programme, d.jurisdiction), ProvincialRulebook
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


def report_flags(report: str, year: int, filed_on: date) -> list[Flag]:
    """Flags for a yearly report filed after its deadline; refuses an unknown kind of report."""
    deadlines = dict.fromkeys(
        b.report_deadlines[report] for b in RULEBOOKS if report in b.report_deadlines
    )
    if not deadlines:
        kinds = sorted({k for b in RULEBOOKS for k in b.report_deadlines})
        raise ActFormatError(f"{report!r} is not a kind of report; kinds: {', '.join(kinds)}")
    if filed_on <= date(year, 1, 1):
        raise HistoryError(f"a report for {year} cannot be filed on {filed_on}")
    # 000 and 003 share the 003 art. 18 deadline: one deadline, one flag.
    return [f for d in deadlines if d for f in late_report_flags(report, year, filed_on, d)]


__all__ = [
    "RULEBOOKS",
    "ChongqingRulebook",
    "EcoParkRulebook",
    "Ground",
    "NationalRulebook",
    "ProvincialRulebook",
    "Rulebook",
    "ZhejiangRulebook",
    "notice_flags",
    "recommendation_flags",
    "report_flags",
    "rulebook_for",
]
