"""Chongqing's green parks and green factories (001, 渝经信规范〔2024〕4号).

Chongqing is a province-level municipality: its "市级" lists are provincial in level. Units
are designated once a year (art. 3) after a 5-working-day notice (art. 11); they report key
indicators yearly (art. 16, no date set); seven grounds revoke the title (art. 17) and bar
reapplication for three years to Chongqing's list of the same programme (art. 18); renames and
reorganisations are reported within 30 official working days of the formalities (art. 19).
001 has no warning: a title is reviewed (art. 16) and kept or revoked (art. 17). A third-party
evaluator that falsified or was irresponsible loses its qualification to evaluate in Chongqing
(art. 22), with no time limit: Chongqing's lists no longer accept its results.
"""

from __future__ import annotations

from datetime import date

from greenreg.errors import CalendarCoverageError
from greenreg.events.places import Level, within
from greenreg.events.vocabulary import Flag, Programme
from greenreg.registry.evaluator import Sanction
from greenreg.registry.periods import working_days_between, working_days_end
from greenreg.registry.rulebooks.base import (
    Ground,
    ReportDeadline,
    Rulebook,
    Scope,
    calendar_flag,
    flag,
)
from greenreg.registry.unit import UnitState

CHONGQING = "500000"
BAN = "001 art. 18: 3 years"
NOTICE_WORKING_DAYS = 30
NOTICE_RULE = "001 art. 19"
EVALUATOR_RULE = "001 art. 22: qualification to evaluate in Chongqing withdrawn, no time limit"


class ChongqingRulebook(Rulebook):
    source = "001"
    title = "Chongqing's green parks and factories"
    programmes = (Programme.GREEN_PARK.value, Programme.GREEN_FACTORY.value)
    levels = (Level.PROVINCIAL,)
    removal_grounds = {  # noqa: RUF012
        "missed_review": Ground("001 art. 17(1)", "missed review or dynamic management", 3, BAN),
        "failed_review": Ground("001 art. 17(2)", "failed the review", 3, BAN),
        "terminated": Ground("001 art. 17(3)", "terminated by law", 3, BAN),
        "false_materials": Ground("001 art. 17(4)", "false materials or data", 3, BAN),
        "accident": Ground("001 art. 17(5)", "larger or worse accident", 3, BAN),
        "blacklisted": Ground("001 art. 17(6)", "on a dishonesty blacklist", 3, BAN),
        "other_violation": Ground("001 art. 17(7)", "other major violation", 3, BAN),
    }
    report_deadlines: dict[str, ReportDeadline | None] = {  # noqa: RUF012
        "key_indicators": None,  # art. 16: yearly, no date set
    }
    no_warnings = (
        "001 has no warnings: a Chongqing green park or factory is reviewed (001 art. 16) "
        "and keeps its title or has it revoked (001 art. 17); record a revocation instead"
    )
    evaluator_grounds = {  # noqa: RUF012
        "falsification": "001 art. 22 (弄虚作假)",
        "irresponsibility": "001 art. 22 (不负责任)",
    }

    def governs(self, programme: str, jurisdiction: str) -> bool:
        return programme in self.programmes and jurisdiction == CHONGQING

    def ban_scope(self, programme: str, jurisdiction: str, ground: Ground) -> Scope:
        return (programme,), (CHONGQING,)

    def evaluator_sanction(self, jurisdiction: str, effective: date, ground: str) -> Sanction:
        """001 art. 22: the evaluator's qualification to evaluate in Chongqing is withdrawn
        (取消...评价资格); the text sets no end, so the sanction has none."""
        article = self.check_evaluator_ground(ground)
        return Sanction(
            EVALUATOR_RULE, self.source, CHONGQING, effective, None, f"{ground} ({article})"
        )

    def notice_flags(self, unit: UnitState, changed_on: date, reported_on: date) -> list[Flag]:
        """Late if reported after the 30th official working day after the formalities
        (that day included; the formalities' own day not counted)."""
        if not any(
            d.in_force and within(d.jurisdiction, CHONGQING) and d.programme in self.programmes
            for d in unit.designations.values()
        ):
            return []
        try:
            # Count only up to the report: a report on time is provably on time even when the
            # official calendar of a later year is not published yet.
            elapsed = working_days_between(changed_on, reported_on)
        except CalendarCoverageError as error:
            return [calendar_flag(NOTICE_RULE, error)]
        if elapsed <= NOTICE_WORKING_DAYS:
            return []
        due = working_days_end(changed_on, NOTICE_WORKING_DAYS)
        return [
            flag(
                "late_notice",
                NOTICE_RULE,
                f"reported on {reported_on}; due within {NOTICE_WORKING_DAYS} working days of "
                f"the formalities on {changed_on}, i.e. by {due}",
            )
        ]
