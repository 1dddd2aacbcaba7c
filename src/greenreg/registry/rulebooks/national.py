"""MIIT's national green-manufacturing lists: factories, parks, supply-chain enterprises (000).

The national lists are published by batch (000 §4). Dynamic removal follows MIIT's interim
measures 工信部节〔2024〕13号 (000 §6), whose grounds are not in the seeds (an image missing from
000): so a national removal records **no** reapplication ban. MIIT owns its lists and no other:
a removal ends the national list it names, nothing else. What bars a unit removed from a
national list from a province's lists is that province's own rule (003 art. 17(3)), checked
when the province lists it. The national lists have no warnings: 000 names none, and the
measures that might are not in the seeds (a warning is refused, pointing to removal, or to a
complaint on a province's 003 list). Listed units file the yearly dynamic-management form by
15 April (003 art. 18, which covers national lists too); a major accident or level-II+
environmental incident makes removal due "from every level" (003 art. 21, last paragraph), each
list by its owner.

Third-party evaluators: 003 art. 24 has every level's department track evaluators; a finding
MIIT verifies closes the lists of every province applying 003 to the evaluator for three years
(a sanction of source ``003`` over ``CN``). The national lists' own rules on evaluators are not
in the seeds, so a national designation is not refused for naming a sanctioned evaluator.
"""

from __future__ import annotations

from datetime import date

from greenreg.events.places import NATIONAL, Level
from greenreg.registry.evaluator import Sanction
from greenreg.registry.periods import period_end
from greenreg.registry.rulebooks.base import (
    GREEN_MANUFACTURING,
    Ground,
    ReportDeadline,
    Rulebook,
    Scope,
)
from greenreg.registry.rulebooks.provincial import (
    EVALUATOR_GROUNDS,
    EVALUATOR_RULE,
    EVALUATOR_YEARS,
)

NO_BAN = ""  # the national removal grounds (工信部节〔2024〕13号) are not in the seeds


class NationalRulebook(Rulebook):
    source = "000"
    title = "the national green-manufacturing lists (MIIT)"
    programmes = GREEN_MANUFACTURING
    levels = (Level.NATIONAL,)
    removal_grounds = {  # noqa: RUF012
        "dynamic_adjustment": Ground("000 §6; 003 art. 21(1)", "no longer qualifies", 0, NO_BAN),
        "report_refused": Ground("003 art. 21(2)", "refused the yearly form", 0, NO_BAN),
        "fraud": Ground("003 art. 21(3)", "falsified materials or data", 0, NO_BAN),
        "major_accident": Ground(
            "003 art. 21, last paragraph",
            "major accident or level-II+ environmental incident",
            0,
            NO_BAN,
        ),
    }
    no_warnings = (
        "the national lists have no warnings in the texts the registry holds: 000 names none, "
        "and MIIT's measures (工信部节〔2024〕13号) are not in the seeds; a national title that "
        "no longer qualifies is removed ('remove'), and a verified public complaint about a unit "
        "on a list of a province applying 003 is decided there (003 art. 25: "
        "'record_complaint', then 'decide_complaint')"
    )
    report_deadlines = {  # noqa: RUF012
        "dynamic_management_form": ReportDeadline(4, 15, "003 art. 18"),
    }
    evaluator_grounds = EVALUATOR_GROUNDS

    def ban_scope(self, programme: str, jurisdiction: str, ground: Ground) -> Scope:
        return (), ()  # never reached: no national ground brings a ban

    def evaluator_sanction(self, jurisdiction: str, effective: date, ground: str) -> Sanction:
        """MIIT under 003 art. 24: every province's 003 lists, three years, end day included."""
        article = self.check_evaluator_ground(ground)
        return Sanction(
            EVALUATOR_RULE,
            "003",
            NATIONAL,
            effective,
            period_end(effective, years=EVALUATOR_YEARS),
            f"{ground} ({article})",
        )
