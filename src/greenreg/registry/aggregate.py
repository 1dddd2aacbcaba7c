"""What the registry's aggregates share: they record acts' events and remember the acts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from greenreg.events.vocabulary import RegistryEvent


class RegistryAggregate(Aggregate):
    """An aggregate whose events come from signed acts; ``acts`` maps act id to its event."""

    def __init__(self) -> None:
        self.acts: dict[UUID, RegistryEvent] = {}

    def record(self, event_class: type[RegistryEvent], **kwargs: Any) -> None:
        self.trigger_event(event_class, **kwargs)

    def when(self, event: RegistryEvent) -> None:
        """Called by every event's ``apply``: remember the act, then fold the event in."""
        self.acts[event.act_id] = event
        self.fold(event)

    def fold(self, event: RegistryEvent) -> None:
        raise NotImplementedError(type(event).__name__)  # each aggregate folds its own events
