"""The ``Evaluator`` aggregate: a third-party evaluation body (第三方评价机构) and its sanctions.

Units apply for a green-manufacturing list with an evaluation report, most often written by a
third-party evaluator (003 art. 11; 001 art. 10), and a designation may name it. An evaluator
is registered once, by any authority, with its name, its Unified Social Credit Code (its id
derives from the code, as a unit's does) and its legal representative (法定代表人).

A sanction (:class:`Sanction`) says which lists no longer accept the evaluator's results, and
from when to when: under 003 art. 24 the lists governed by 003 in the sanctioning province (or,
sanctioned by MIIT, in every province that applies 003) for three years; under 001 art. 22
Chongqing's lists, with no end. The evaluator guards designations that name it
(:meth:`Evaluator.check_accepted`); what a sanction covers is the rulebooks' part
(:meth:`~greenreg.registry.rulebooks.base.Rulebook.evaluator_sanction`). A later finding may
sanction it again while a sanction runs: each runs from its own finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import singledispatchmethod
from uuid import UUID, uuid5

from greenreg.errors import RuleError
from greenreg.events.places import name_of, within
from greenreg.events.vocabulary import (
    EvaluatorRegistered,
    EvaluatorSanctioned,
    RegistryEvent,
    SanctionRecord,
)
from greenreg.registry.aggregate import RegistryAggregate
from greenreg.registry.unit import NAMESPACE


def evaluator_id_for_credit_code(credit_code: str) -> UUID:
    """An evaluator has one id, derived from its credit code, whoever registers it."""
    return uuid5(NAMESPACE, f"evaluator:{credit_code}")


@dataclass(frozen=True)
class Sanction:
    """Lists governed by ``source`` within ``area`` do not accept the evaluator's results from
    ``first_day`` to ``last_day``, both included (``None``: no end)."""

    rule: str
    source: str
    area: str
    first_day: date
    last_day: date | None
    ground: str

    @classmethod
    def from_record(cls, record: SanctionRecord, ground: str) -> Sanction:
        last = record["last_day"]
        return cls(
            rule=record["rule"],
            source=record["source"],
            area=record["area"],
            first_day=date.fromisoformat(record["first_day"]),
            last_day=None if last is None else date.fromisoformat(last),
            ground=ground,
        )

    def to_record(self) -> SanctionRecord:
        return {
            "rule": self.rule,
            "source": self.source,
            "area": self.area,
            "first_day": self.first_day.isoformat(),
            "last_day": None if self.last_day is None else self.last_day.isoformat(),
        }

    def covers(self, source: str, jurisdiction: str, day: date) -> bool:
        """Whether a list governed by ``source`` in ``jurisdiction`` refuses results on ``day``."""
        return (
            source == self.source
            and within(jurisdiction, self.area)
            and self.first_day <= day
            and (self.last_day is None or day <= self.last_day)
        )

    def describe(self) -> str:
        until = "with no end" if self.last_day is None else f"to {self.last_day} inclusive"
        return f"from {self.first_day} {until} ({self.rule}; ground: {self.ground})"


@dataclass
class EvaluatorState:
    name: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    registered_on: date = date.min
    sanctions: list[Sanction] = field(default_factory=list)


class Evaluator(RegistryAggregate):
    """A third-party evaluator under the registry."""

    def __init__(self) -> None:
        super().__init__()
        self.state = EvaluatorState()

    # --- guards -----------------------------------------------------------------------------

    def check_accepted(self, source: str, jurisdiction: str, day: date) -> None:
        """A list governed by ``source`` (a rulebook's seed number) in ``jurisdiction`` may rest
        a designation effective on ``day`` on this evaluator's results."""
        for sanction in self.state.sanctions:
            if sanction.covers(source, jurisdiction, day):
                raise RuleError(
                    f"the results of {self.state.name} ({self.state.credit_code}) are not "
                    f"accepted for lists of {name_of(sanction.area)} governed by {source} "
                    f"{sanction.describe()}; a designation effective on {day} cannot rest "
                    "on its evaluation"
                )

    # --- folding ----------------------------------------------------------------------------

    @singledispatchmethod
    def fold(self, event: RegistryEvent) -> None:
        raise NotImplementedError(type(event).__name__)  # a programming error

    @fold.register
    def _(self, event: EvaluatorRegistered) -> None:
        s = self.state
        s.name, s.credit_code = event.name, event.credit_code
        s.legal_representative, s.registered_on = event.legal_representative, event.effective_date

    @fold.register
    def _(self, event: EvaluatorSanctioned) -> None:
        self.state.sanctions.append(Sanction.from_record(event.sanction, event.ground))
