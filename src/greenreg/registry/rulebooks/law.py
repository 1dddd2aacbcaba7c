"""Which rulebook governs which lists, from when: the root's signed adoptions of rulebooks.

A rulebook is law for a list only while an adoption says so: the root signs an ``adopt_rules``
act naming the rulebook, the jurisdiction whose lists it governs, the first day in force (the
act's effective date) and the last (``in_force_until``, inclusive, or open), citing the
document that enacted it. An act on a list is judged by the adoption in force on the act's
effective date that governs the list (:func:`rulebook_for`), as the adoptions stood when the
act was recorded; where none is, by :class:`~greenreg.registry.rulebooks.unregulated.Unregulated`,
which invents no ban, deadline or prerequisite.

=============  =======================  =================================================
rulebook       jurisdiction it governs  enacted by
=============  =======================  =================================================
national       CN                       工信部节〔2024〕13号 (cited by 000; not in the seeds)
chongqing      500000                   001 渝经信规范〔2024〕4号
zhejiang       330000                   002 浙经信绿色〔2022〕64号
provincial     one province xx0000      003 (a province's implementing rules; the seed does
               (not 500000)             not name the province, so the root names it)
eco_parks      CN                       004 生态文明建设示范区（生态工业园区）管理办法
=============  =======================  =================================================
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from greenreg.errors import ActFormatError, HistoryError, RuleError
from greenreg.events.places import NATIONAL, Level, check_division, level_of, name_of, within
from greenreg.events.vocabulary import RulesAdopted
from greenreg.registry.rulebooks.base import Rulebook
from greenreg.registry.rulebooks.chongqing import CHONGQING, ChongqingRulebook
from greenreg.registry.rulebooks.eco_parks import EcoParkRulebook
from greenreg.registry.rulebooks.national import NationalRulebook
from greenreg.registry.rulebooks.provincial import ProvincialRulebook
from greenreg.registry.rulebooks.unregulated import Unregulated
from greenreg.registry.rulebooks.zhejiang import ZHEJIANG, ZhejiangRulebook
from greenreg.registry.unit import UnitState

RULEBOOKS: dict[str, Rulebook] = {
    "national": NationalRulebook(),
    "chongqing": ChongqingRulebook(),
    "zhejiang": ZhejiangRulebook(),
    "provincial": ProvincialRulebook(),
    "eco_parks": EcoParkRulebook(),
}
"""The rulebooks an adoption may name, by name."""

TEXTS: dict[str, str] = {
    "national": "工信部节〔2024〕13号",
    "chongqing": "001 渝经信规范〔2024〕4号",
    "zhejiang": "002 浙经信绿色〔2022〕64号",
    "provincial": "003 绿色工厂梯度培育及管理实施细则",
    "eco_parks": "004 生态文明建设示范区（生态工业园区）管理办法",
}
"""The policy text behind each rulebook, as an answer names it."""


@dataclass(frozen=True)
class Adoption:
    """One adoption: ``rulebook`` governs the lists of ``jurisdiction`` from ``first_day``
    through ``last_day`` (both included; ``None``: open), enacted by ``document_number``."""

    rulebook: str
    jurisdiction: str
    first_day: date
    last_day: date | None
    document_number: str
    act_id: UUID

    @classmethod
    def of(cls, event: RulesAdopted) -> Adoption:
        return cls(
            str(event.rulebook),
            event.jurisdiction,
            event.effective_date,
            event.in_force_until,
            event.document_number,
            event.act_id,
        )

    @property
    def book(self) -> Rulebook:
        return RULEBOOKS[self.rulebook]

    def in_force_on(self, day: date) -> bool:
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)

    def governs(self, programme: str, jurisdiction: str) -> bool:
        """Whether this adoption's rulebook governs the ``programme`` list of ``jurisdiction``."""
        return _governs(self.rulebook, self.jurisdiction, programme, jurisdiction)

    @property
    def period(self) -> str:
        until = f"through {self.last_day}" if self.last_day else "with no end date"
        return f"from {self.first_day} {until}"

    def describe(self) -> str:
        """How an answer names the rules: "judged under 001 渝经信规范〔2024〕4号 (...)"."""
        return (
            f"judged under {TEXTS[self.rulebook]} (rulebook {self.rulebook}, adopted for "
            f"{name_of(self.jurisdiction)} by {self.document_number}, in force {self.period})"
        )


@functools.cache
def _governs(rulebook: str, area: str, programme: str, jurisdiction: str) -> bool:
    """Whether ``rulebook``, adopted for ``area``, governs the ``programme`` list of
    ``jurisdiction`` (asked for every adoption on every act about a unit: the answers are
    kept; the rulebooks are constants, and the lists and areas few)."""
    return RULEBOOKS[rulebook].governs(programme, jurisdiction) and within(jurisdiction, area)


def not_in_force(programme: str, jurisdiction: str, day: date) -> str:
    """How an answer says that no rule governed a list on a day."""
    return (
        f"no rule in force in the registry on {day} for {programme} lists of "
        f"{name_of(jurisdiction)} ({jurisdiction})"
    )


def check_adoption(new: Adoption, adoptions: list[Adoption]) -> None:
    """An adoption names a known rulebook for a jurisdiction that fits it, ends no earlier
    than it starts, and governs no list another adoption governs on any of the same days."""
    if new.rulebook not in RULEBOOKS:
        raise ActFormatError(
            f"{new.rulebook!r} is not a rulebook; rulebooks: {', '.join(RULEBOOKS)}"
        )
    _check_fits(new.rulebook, new.jurisdiction)
    if new.last_day is not None and new.last_day < new.first_day:
        raise HistoryError(
            f"the rules would be in force until {new.last_day}, before their first day "
            f"{new.first_day}"
        )
    for other in adoptions:
        if _share_lists(new, other) and _share_days(new, other):
            raise HistoryError(
                f"rulebook {other.rulebook} already governs these lists of "
                f"{name_of(other.jurisdiction)} {other.period} (adopted by "
                f"{other.document_number}, act {other.act_id}); two rulebooks cannot govern "
                "one list on the same day"
            )


def _check_fits(rulebook: str, jurisdiction: str) -> None:
    """Which lists each rulebook may be adopted for (see the table above)."""
    fixed = {"national": NATIONAL, "eco_parks": NATIONAL, "chongqing": CHONGQING}
    fixed["zhejiang"] = ZHEJIANG
    if rulebook in fixed:
        if jurisdiction != fixed[rulebook]:
            raise RuleError(
                f"rulebook {rulebook} ({TEXTS[rulebook]}) governs the lists of "
                f"{name_of(fixed[rulebook])} ({fixed[rulebook]}), not of {jurisdiction}"
            )
        return
    # provincial (003): one province's own provincial and municipal lists
    if jurisdiction == NATIONAL or level_of(jurisdiction) != Level.PROVINCIAL:
        raise RuleError(
            "rulebook provincial (003) is one province's implementing rules: adopt it for the "
            f"province whose authority enacted it (a code xx0000), not for {jurisdiction}"
        )
    check_division(jurisdiction)
    if jurisdiction == CHONGQING:
        raise RuleError("Chongqing's lists are governed by its own rules (001), not by 003")


def _share_lists(a: Adoption, b: Adoption) -> bool:
    one, two = a.book, b.book
    return (
        bool(set(one.programmes) & set(two.programmes))
        and bool(set(one.levels) & set(two.levels))
        and (within(a.jurisdiction, b.jurisdiction) or within(b.jurisdiction, a.jurisdiction))
    )


def _share_days(a: Adoption, b: Adoption) -> bool:
    return (a.last_day is None or b.first_day <= a.last_day) and (
        b.last_day is None or a.first_day <= b.last_day
    )


def governing(
    programme: str, jurisdiction: str, day: date, adoptions: list[Adoption]
) -> Adoption | None:
    """The adoption in force on ``day`` that governs the ``programme`` list of ``jurisdiction``."""
    for adoption in adoptions:
        if adoption.in_force_on(day) and adoption.governs(programme, jurisdiction):
            return adoption
    return None


def rulebook_for(
    programme: str, jurisdiction: str, day: date, adoptions: list[Adoption]
) -> Rulebook:
    """The rulebook that judges an act on the ``programme`` list of ``jurisdiction`` taking
    effect on ``day``: the governing adoption's, or :class:`Unregulated` if none was in force.
    A list no policy text provides for is refused."""
    if not _provided_for(programme, jurisdiction):
        raise RuleError(
            f"no rulebook governs {programme} lists issued by {name_of(jurisdiction)} "
            f"({jurisdiction}); the registry records only lists its policy texts provide for"
        )
    adoption = governing(programme, jurisdiction, day, adoptions)
    if adoption is None:
        return Unregulated(programme, jurisdiction, day)
    return adoption.book


@functools.cache
def _provided_for(programme: str, jurisdiction: str) -> bool:
    """Whether any rulebook governs the ``programme`` list of ``jurisdiction``."""
    return any(book.governs(programme, jurisdiction) for book in RULEBOOKS.values())


def in_force_for(unit: UnitState, day: date, adoptions: list[Adoption]) -> list[Rulebook]:
    """The rulebooks in force on ``day`` that govern one of the unit's lists (designations in
    force, eco-park creation periods), each once."""
    return books_in_force(governing_unit(unit, adoptions), day)


def governing_unit(unit: UnitState, adoptions: list[Adoption]) -> list[Adoption]:
    """The adoptions, in order, whose rulebook governs one of the unit's lists (designations in
    force, eco-park creation periods), on whatever days: :func:`books_in_force` picks those of
    a day (one unit's lists, asked about several days, are read once)."""
    lists = unit_lists(unit)
    answers = GOVERNING.answers(adoptions)
    answer = answers.get(lists)
    if answer is None:
        answer = answers[lists] = tuple(
            a for a in adoptions if _governs_one(a.rulebook, a.jurisdiction, lists)
        )
    return list(answer)


def unit_lists(unit: UnitState) -> tuple[tuple[str, str], ...]:
    """The unit's lists a rulebook may govern: its designations in force and its eco-park
    creation periods, ``(programme, jurisdiction)`` each."""
    return (*[key for key, d in unit.designations.items() if d.in_force], *unit.creations)


class AdoptionsMemo:
    """Answers that are a pure function of a list of adoptions and a key, kept for the list
    last asked about. Adoptions are only ever appended to a list (the root's, in log order),
    so a list of the same length holds the same adoptions; the list itself is held here, so
    no other list takes its place unseen. A list of other adoptions starts afresh. The list,
    its length and its answers are one value, replaced whole, so threads asking about
    different lists each get the answers of their own."""

    def __init__(self, most: int = 1 << 14) -> None:
        self._kept: tuple[list[Adoption] | None, int, dict[Any, Any]] = (None, 0, {})
        self._most = most

    def answers(self, adoptions: list[Adoption]) -> dict[Any, Any]:
        """The answers kept for ``adoptions`` (a dictionary to read and add to)."""
        kept, count, answers = self._kept
        if kept is not adoptions or count != len(adoptions) or len(answers) >= self._most:
            answers = {}
            self._kept = (adoptions, len(adoptions), answers)
        return answers


GOVERNING = AdoptionsMemo()
""":func:`governing_unit`'s answers, by the unit's lists (:func:`unit_lists`)."""


@functools.lru_cache(maxsize=1 << 14)
def _governs_one(rulebook: str, area: str, lists: tuple[tuple[str, str], ...]) -> bool:
    """Whether ``rulebook``, adopted for ``area``, governs one of ``lists`` (programme,
    jurisdiction): :func:`_governs` of each, the answer kept for the next unit on the same
    lists."""
    return any(_governs(rulebook, area, programme, where) for programme, where in lists)


def books_in_force(adoptions: list[Adoption], day: date) -> list[Rulebook]:
    """The rulebooks of the ``adoptions`` in force on ``day``, each once."""
    books: list[Rulebook] = []
    for adoption in adoptions:
        if adoption.in_force_on(day) and adoption.book not in books:
            books.append(adoption.book)
    return books
