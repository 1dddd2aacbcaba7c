"""What the registry's aggregates share: they record acts' events and remember the acts."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, singledispatchmethod
from inspect import getattr_static
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
        _fold_of(type(self), type(event))(self, event)

    def fold(self, event: RegistryEvent) -> None:
        raise NotImplementedError(type(event).__name__)  # each aggregate folds its own events


@cache
def _fold_of(aggregate: type, event: type) -> Callable[[Any, Any], None]:
    """The ``fold`` an aggregate class registered for an event class, looked up once per pair
    (a ``singledispatchmethod`` builds a new bound wrapper every time it is read)."""
    method = getattr_static(aggregate, "fold")
    if isinstance(method, singledispatchmethod):
        function: Callable[[Any, Any], None] = method.dispatcher.dispatch(event)
        return function
    return method  # type: ignore[no-any-return]
