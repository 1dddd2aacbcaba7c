"""A province's three-level rules for green factories, parks and supply chains (003).

Applies to provincial and municipal lists of every province except Chongqing, which has its own
rules (001). A provincial green factory is first on a municipal list "in principle" (art. 12:
the province may depart from it, stating why); grades are A, B or C (art. 14). A unit with an
accident (art. 17(2)), or dynamically adjusted out of any green-manufacturing list whoever owns
it (art. 17(3)), within the last three years may not be listed by the province or its cities:
a check when they list it. A removal from one of the province's own lists also records the
art. 17(3) ban over the province's lists, so that answers show it; it bans on no other owner's
lists (national, other provinces). Fraud found during evaluation disqualifies an application
and bars it for three years (art. 22); a major accident makes removal due from every level
(art. 21), each list by its owner; yearly forms are due by 15 April (art. 18). Renames and
boundary changes are to be reported "promptly" (art. 23), which sets no fixed deadline, so no
lateness is flagged. A third-party evaluator found to have falsified or concealed is published
and its results are not accepted for three years (art. 24: the province's lists; see
:meth:`evaluator_sanction`). 003 has no warning act: its only rectification order follows a
verified public complaint (art. 25; ``decide_complaint``), and the owner lifts it
(``lift_warning``).
"""

from __future__ import annotations

from datetime import date, timedelta

from greenreg.errors import BanError, RuleError
from greenreg.events.acts import Override
from greenreg.events.places import Level, level_of, name_of, province_of, within
from greenreg.events.vocabulary import Flag, Programme
from greenreg.registry.evaluator import Sanction
from greenreg.registry.periods import period_end
from greenreg.registry.rulebooks.base import (
    GREEN_MANUFACTURING,
    Ground,
    ReportDeadline,
    Rulebook,
    Scope,
)
from greenreg.registry.rulebooks.principle import depart
from greenreg.registry.unit import Ban, UnitState

BAN = "003 art. 17(3): 3 years"
GRADES = ("A", "B", "C")
CHONGQING = "500000"
DISQUALIFICATION_YEARS = 3
EVALUATOR_YEARS = 3
EVALUATOR_RULE = "003 art. 24: results not accepted for 3 years"
EVALUATOR_GROUNDS = {
    "falsification": "003 art. 24 (弄虚作假)",
    "concealment": "003 art. 24 (故意隐瞒评价对象问题)",
}
RECENT_YEARS = 3  # 近三年 (art. 17)


class ProvincialRulebook(Rulebook):
    source = "003"
    title = "the provincial three-level green-manufacturing rules"
    programmes = GREEN_MANUFACTURING
    levels = (Level.PROVINCIAL, Level.MUNICIPAL)
    removal_grounds = {  # noqa: RUF012
        "not_operating": Ground("003 art. 17(1), 21(1)", "not operating normally", 3, BAN),
        "accident_or_violation": Ground("003 art. 17(2), 21(1)", "accident or violation", 3, BAN),
        "inspection_findings": Ground(
            "003 art. 17(4), 21(1)", "serious inspection findings", 3, BAN
        ),
        "energy_inspection": Ground(
            "003 art. 17(5), 21(1)", "energy inspection unrectified", 3, BAN
        ),
        "dishonest_debtor": Ground("003 art. 17(6), 21(1)", "listed as dishonest debtor", 3, BAN),
        "report_refused": Ground("003 art. 21(2)", "refused the yearly form", 3, BAN),
        "fraud": Ground("003 art. 21(3)", "falsified materials or data", 3, BAN),
        "no_longer_meets_standard": Ground(
            "003 art. 23", "fails the standard after a change", 3, BAN
        ),
        "major_accident": Ground(
            "003 art. 21, last paragraph",
            "major accident or level-II+ environmental incident",
            3,
            BAN,
        ),
    }
    no_warnings = (
        "003 has no warning act: a rectification order on a list governed by 003 follows only a "
        "verified public complaint (003 art. 25): record the complaint ('record_complaint') and "
        "decide it with outcome 'rectification' and a deadline ('decide_complaint'); the city's "
        "oversight of 003 art. 19 reports upward and warns no one"
    )
    report_deadlines = {  # noqa: RUF012
        "dynamic_management_form": ReportDeadline(4, 15, "003 art. 18"),
    }
    evaluator_grounds = EVALUATOR_GROUNDS

    def governs(self, programme: str, jurisdiction: str) -> bool:
        return super().governs(programme, jurisdiction) and not within(jurisdiction, CHONGQING)

    def check_act(self, act_type: str, jurisdiction: str) -> None:
        if act_type != "disqualify":
            super().check_act(act_type, jurisdiction)

    def check_designation(
        self,
        unit: UnitState,
        programme: str,
        jurisdiction: str,
        effective: date,
        override: Override | None = None,
    ) -> list[Flag]:
        flags = super().check_designation(unit, programme, jurisdiction, effective, override)
        self.check_no_recent_removal(unit, effective)
        self.check_no_recent_incident(unit, effective)
        if programme == Programme.GREEN_FACTORY and level_of(jurisdiction) == Level.PROVINCIAL:
            flags.extend(self.municipal_first(unit, jurisdiction, effective, override))
        return flags

    @staticmethod
    def check_no_recent_removal(unit: UnitState, effective: date) -> None:
        """Dynamically adjusted out of a green-manufacturing list (any list, any owner) within
        the last three years: not listed, from the removal's day through the corresponding day
        three years later, both included (003 art. 17(3))."""
        for removal in unit.removals:
            last = period_end(removal.removed_on, years=RECENT_YEARS)
            if removal.programme in GREEN_MANUFACTURING and removal.removed_on <= effective <= last:
                raise BanError(
                    f"{unit.name} is banned from the green-manufacturing lists of this province "
                    f"from {removal.removed_on} to {last} inclusive (003 art. 17(3)): it was "
                    f"dynamically adjusted out of the {removal.programme} list of "
                    f"{name_of(removal.jurisdiction)} on {removal.removed_on} "
                    f"({removal.ground}); it may be listed again from {last + timedelta(days=1)}"
                )

    @staticmethod
    def check_no_recent_incident(unit: UnitState, effective: date) -> None:
        """An accident within the last three years: not listed, from the day it occurred
        through the corresponding day three years later, both included (003 art. 17(2))."""
        for incident in unit.incidents:
            last = period_end(incident.occurred_on, years=RECENT_YEARS)
            if incident.occurred_on <= effective <= last:
                raise BanError(
                    f"{unit.name} is banned from the green-manufacturing lists of this province "
                    f"from {incident.occurred_on} to {last} inclusive (003 art. 17(2)): it had a "
                    f"{incident.incident.replace('_', ' ')} on {incident.occurred_on} "
                    f"({incident.document_number}); it may be listed again from "
                    f"{last + timedelta(days=1)}"
                )

    @staticmethod
    def municipal_first(
        unit: UnitState, province: str, effective: date, override: Override | None
    ) -> list[Flag]:
        """A provincial green factory is first on a municipal list, in principle (003 art. 12):
        without one, the province lists it only with a stated reason."""
        for d in unit.designations.values():
            if (
                d.programme == Programme.GREEN_FACTORY
                and d.level == Level.MUNICIPAL
                and within(d.jurisdiction, province)
                and d.in_force
                and d.since <= effective
            ):
                return []
        refusal = (
            f"{unit.name} is not on a municipal green-factory list of this province on "
            f"{effective}; a provincial green factory is first listed by its city"
        )
        return [depart(override, "003 art. 12", refusal)]

    @staticmethod
    def check_grade(grade: str | None) -> None:
        if grade is not None and grade not in GRADES:
            raise RuleError(f"grade {grade!r} is not A, B or C (003 art. 14)")

    def ban_scope(self, programme: str, jurisdiction: str, ground: Ground) -> Scope:
        # Art. 17(3) bars the unit from every green-manufacturing list the province's rules
        # govern (its provincial and municipal lists), and from no other.
        return GREEN_MANUFACTURING, (province_of(jurisdiction),)

    def disqualification_bans(self, jurisdiction: str, effective: date) -> list[Ban]:
        """Fraud in evaluation: no application for 3 years, through the corresponding day
        inclusive (003 art. 22), to any green-manufacturing list of the province."""
        return [
            Ban(
                GREEN_MANUFACTURING,
                (province_of(jurisdiction),),
                effective,
                period_end(effective, years=DISQUALIFICATION_YEARS),
                "003 art. 22: 3 years",
                "fraud (003 art. 22)",
            )
        ]

    def evaluator_sanction(self, jurisdiction: str, effective: date, ground: str) -> Sanction:
        """003 art. 24: every level tracks evaluators and reports what it finds; the province,
        once the finding is verified (经查实), publishes it on its management platform, and its
        lists (provincial and municipal) do not accept the evaluator's results for three years:
        from the effective date through the corresponding day three years later, inclusive."""
        article = self.check_evaluator_ground(ground)
        if level_of(jurisdiction) != Level.PROVINCIAL:
            raise RuleError(
                "a city or county reports a failing evaluator upward (及时上报); the province "
                "verifies the finding and sanctions it (003 art. 24)"
            )
        return Sanction(
            EVALUATOR_RULE,
            self.source,
            jurisdiction,
            effective,
            period_end(effective, years=EVALUATOR_YEARS),
            f"{ground} ({article})",
        )
