"""MIIT's national green-manufacturing lists: factories, parks, supply-chain enterprises (000).

The national lists are published by batch (000 §4). Dynamic removal follows MIIT's interim
measures 工信部节〔2024〕13号 (000 §6), which the provincial rules implement: a unit removed in
dynamic adjustment may not apply, be recommended or be listed for three years (003 art. 17(3)),
and a major accident removes it from every level at once (003 art. 21). Listed units file the
yearly dynamic-management form by 15 April (003 art. 18, which covers national lists too).
"""

from __future__ import annotations

from greenreg.events.places import NATIONAL, Level
from greenreg.registry.rulebooks.base import (
    GREEN_MANUFACTURING,
    Ground,
    ReportDeadline,
    Rulebook,
    Scope,
)

BAN = "003 art. 17(3), implementing 工信部节〔2024〕13号 (000 §6): 3 years"


class NationalRulebook(Rulebook):
    source = "000"
    title = "the national green-manufacturing lists (MIIT)"
    programmes = GREEN_MANUFACTURING
    levels = (Level.NATIONAL,)
    removal_grounds = {  # noqa: RUF012
        "dynamic_adjustment": Ground("000 §6; 003 art. 21(1)", "no longer qualifies", 3, BAN),
        "report_refused": Ground("003 art. 21(2)", "refused the yearly form", 3, BAN),
        "fraud": Ground("003 art. 21(3)", "falsified materials or data", 3, BAN),
        "major_accident": Ground(
            "003 art. 21, last paragraph",
            "major accident or level-II+ environmental incident",
            3,
            BAN,
            all_levels=True,
        ),
    }
    warning_grounds = {"rectification_required": "003 arts. 19, 25"}  # noqa: RUF012
    report_deadlines = {  # noqa: RUF012
        "dynamic_management_form": ReportDeadline(4, 15, "003 art. 18"),
    }

    def ban_scope(self, programme: str, jurisdiction: str, ground: Ground) -> Scope:
        # Removed from a national list: barred from every green-manufacturing list, everywhere.
        return GREEN_MANUFACTURING, (NATIONAL,)
