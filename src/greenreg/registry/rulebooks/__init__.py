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
"""

from __future__ import annotations

from greenreg.errors import RuleError
from greenreg.events.places import name_of
from greenreg.registry.rulebooks.base import Ground, Rulebook
from greenreg.registry.rulebooks.chongqing import ChongqingRulebook
from greenreg.registry.rulebooks.eco_parks import EcoParkRulebook
from greenreg.registry.rulebooks.national import NationalRulebook
from greenreg.registry.rulebooks.provincial import ProvincialRulebook
from greenreg.registry.rulebooks.zhejiang import ZhejiangRulebook

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


__all__ = [
    "RULEBOOKS",
    "ChongqingRulebook",
    "EcoParkRulebook",
    "Ground",
    "NationalRulebook",
    "ProvincialRulebook",
    "Rulebook",
    "ZhejiangRulebook",
    "rulebook_for",
]
