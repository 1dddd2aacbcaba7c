"""Zhejiang's provincial green low-carbon industrial parks (002, 浙经信绿色〔2022〕64号).

Task 11 revokes the designation of parks that no longer qualify, and especially of those found
to have falsified data or concealed major accidents or pollution, "按照有关规定" (under the
relevant provisions, which 002 does not state): so a revocation brings **no** reapplication ban,
and 002 has no warning.
"""

from __future__ import annotations

from greenreg.events.places import Level
from greenreg.events.vocabulary import Programme
from greenreg.registry.rulebooks.base import Ground, Rulebook, Scope

ZHEJIANG = "330000"
NO_BAN = ""  # 002 task 11 sets no reapplication term


class ZhejiangRulebook(Rulebook):
    source = "002"
    title = "Zhejiang's green low-carbon industrial parks"
    programmes = (Programme.ZJ_LOW_CARBON_PARK.value,)
    levels = (Level.PROVINCIAL,)
    removal_grounds = {  # noqa: RUF012
        "no_longer_qualifies": Ground("002 task 11", "no longer meets the requirements", 0, NO_BAN),
        "fraud": Ground("002 task 11", "falsified data (弄虚作假)", 0, NO_BAN),
        "concealed_accident": Ground("002 task 11", "concealed a major safety accident", 0, NO_BAN),
        "pollution": Ground("002 task 11", "environmental pollution", 0, NO_BAN),
    }
    no_warnings = (
        "002 has no warnings: a Zhejiang green low-carbon park keeps its designation or has "
        "it revoked (002 task 11); record a revocation instead"
    )

    def governs(self, programme: str, jurisdiction: str) -> bool:
        return programme in self.programmes and jurisdiction == ZHEJIANG

    def ban_scope(self, programme: str, jurisdiction: str, ground: Ground) -> Scope:
        return (), ()  # never reached: 002 sets no reapplication ban
