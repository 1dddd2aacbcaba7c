"""What a command decides and what the registry answers: a decision, then a receipt.

A command turns an act into a :class:`Decision` (the aggregates with their new events, not yet
saved). The application saves it and answers with a :class:`Receipt`. An act the registry had
already recorded is not an error: a guard raises :class:`AlreadyRecorded`, which carries the
receipt of the first time, and the application answers with that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from uuid import UUID

from greenreg.events.acts import Act
from greenreg.events.vocabulary import Flag

if TYPE_CHECKING:
    from greenreg.registry.authority import Authority
    from greenreg.registry.evaluator import Evaluator
    from greenreg.registry.identifier import IdentifierClaim
    from greenreg.registry.unit import Unit

Aggregates = list["Unit | Authority | Evaluator | IdentifierClaim"]


@dataclass(frozen=True)
class RecordedEvent:
    type: str
    aggregate_id: UUID
    version: int
    position: int | None


@dataclass(frozen=True)
class Receipt:
    """The registry's answer to an accepted act (or to an act it had already recorded)."""

    act_id: UUID
    status: Literal["recorded", "already_recorded"]
    events: list[RecordedEvent]
    flags: list[Flag] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.status == "already_recorded":
            return f"act {self.act_id} was already recorded; nothing new was recorded"
        return f"act {self.act_id} recorded as {', '.join(e.type for e in self.events)}"

    @property
    def subject_id(self) -> UUID:
        return self.events[0].aggregate_id


class AlreadyRecorded(Exception):  # noqa: N818 (an answer, not an error)
    """The act was recorded before: the command stops and the registry answers with
    :attr:`receipt` (see :meth:`greenreg.registry.aggregate.RegistryAggregate.check_new`)."""

    def __init__(self, receipt: Receipt) -> None:
        super().__init__(receipt.message)
        self.receipt = receipt


@dataclass
class Decision:
    """What an act will record, decided but not yet saved."""

    act: Act
    aggregates: Aggregates
    already: Receipt | None = None
