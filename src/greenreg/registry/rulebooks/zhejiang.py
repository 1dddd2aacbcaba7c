"""Zhejiang's provincial green low-carbon industrial parks (002, 浙经信绿色〔2022〕64号).

Task 11 revokes the designation of parks that no longer qualify, and especially of those found
to have falsified data or concealed major accidents or pollution. 002 sets no reapplication
term; for fraud, concealed accidents and pollution the registry applies the three-year bar of
the provincial rules by analogy (003 art. 17(2), 22), and says so in every such ban.
"""

from __future__ import annotations

from greenreg.events.places import Level
from greenreg.events.vocabulary import Programme
from greenreg.registry.rulebooks.base import Ground, Rulebook, Scope

ZHEJIANG = "330000"
BAN = "002 task 11; 3-year term by analogy with 003 arts. 17(2), 22 (002 sets none)"


class ZhejiangRulebook(Rulebook):
    source = "002"
    title = "Zhejiang's green low-carbon industrial parks"
    programmes = (Programme.ZJ_LOW_CARBON_PARK.value,)
    levels = (Level.PROVINCIAL,)
    removal_grounds = {  # noqa: RUF012
        "no_longer_qualifies": Ground("002 task 11", "no longer meets the requirements", 0, ""),
        "fraud": Ground("002 task 11", "falsified data (弄虚作假)", 3, BAN),
        "concealed_accident": Ground("002 task 11", "concealed a major safety accident", 3, BAN),
        "pollution": Ground("002 task 11", "environmental pollution", 3, BAN),
    }
    warning_grounds = {"review_findings": "002 task 11"}  # noqa: RUF012

    def governs(self, programme: str, jurisdiction: str) -> bool:
        return programme in self.programmes and jurisdiction == ZHEJIANG

    def ban_scope(self, programme: str, jurisdiction: str, ground: Ground) -> Scope:
        return (programme,), (ZHEJIANG,)
