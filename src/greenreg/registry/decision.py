"""What a command decides and what the registry answers: a decision, then a receipt.

A command turns an act into a :class:`Decision` (the aggregates with their new events, not yet
saved). The application saves it and answers with a :class:`Receipt`. An act the registry had
already recorded is not an error: a guard raises :class:`ActIdRecorded`, and the application
answers with the receipt of the first time (or refuses a different act under a used act id).
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


class ActIdRecorded(Exception):  # noqa: N818 (an answer, not an error)
    """The act's id is one the aggregate ``aggregate_id`` recorded, as its event of type
    ``event_type`` at ``version``: the command stops, and the registry reads the act recorded
    then to answer (see :func:`greenreg.registry.aggregate.answer_again`)."""

    def __init__(self, aggregate_id: UUID, event_type: str, version: int) -> None:
        super().__init__(f"{aggregate_id} recorded this act id as its event {version}")
        self.aggregate_id = aggregate_id
        self.event_type = event_type
        self.version = version


@dataclass
class Decision:
    """What an act will record, decided but not yet saved."""

    act: Act
    aggregates: Aggregates
    already: Receipt | None = None
