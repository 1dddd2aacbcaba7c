"""What the registry's aggregates share: they record acts' events and remember the acts.

Because an aggregate remembers every act it recorded, it is the one to say whether an act is
new to it (:meth:`RegistryAggregate.check_new`); an act id it recorded stops the command, and
the registry answers the same act again with the first receipt and refuses a different act under
that id (:func:`answer_again`).

What it remembers of each act is a :class:`RecordedAct`: the event's type, version and issuing
authority, and the whole event only where a later act reads it (:attr:`RegistryAggregate.KEPT`).
The act's text, the larger part of an event, is read back from the store in the rare case an act
id comes again: an audit keeps every aggregate of the log in memory, and holding every event
there made it slower (its memory is new to the process, page by page).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, singledispatchmethod
from inspect import getattr_static
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import get_topic

from greenreg.errors import ConflictError
from greenreg.events.acts import Act
from greenreg.events.canonical import parse_json
from greenreg.events.vocabulary import RegistryEvent
from greenreg.frozen import made
from greenreg.registry.decision import ActIdRecorded, Receipt, RecordedEvent

_MUTATE = CanMutateAggregate.mutate
_CREATED = frozenset({"originator_topic"})
"""The field of a created event that names its aggregate's class (``_create`` sets it)."""


@dataclass(slots=True)
class RecordedAct:
    """What an aggregate remembers of an act it recorded (never changed once made): its
    event's type and version, the authority that issued it, and the event itself where it is
    of a type a later act reads (:attr:`RegistryAggregate.KEPT`)."""

    event_type: str
    version: int
    authority_id: UUID
    event: RegistryEvent | None


class RegistryAggregate(Aggregate):
    """An aggregate whose events come from signed acts; ``acts`` maps act id to what it
    remembers of the act (:class:`RecordedAct`)."""

    KEPT: ClassVar[tuple[type[RegistryEvent], ...]] = ()
    """The types of event a later act reads (a removal that a complaint's decision names, an
    event a correction corrects): the aggregate keeps these whole."""

    def __init__(self) -> None:
        self.acts: dict[UUID, RecordedAct] = {}

    def record(self, event_class: type[RegistryEvent], **kwargs: Any) -> None:
        """Record an event of ``event_class`` with the fields ``kwargs`` as this aggregate's
        next: eventsourcing's ``trigger_event``, the event made as its mapper makes the events
        it reads (the fields set at once, in their order, then ``__post_init__``) instead of
        through the frozen dataclass's ``__init__`` (a call to ``object.__setattr__`` per
        field, several times the rest of the work). The same event: where the act does not
        give exactly the event's fields (none left to a default), ``trigger_event`` makes it.
        """
        names, given = _fields(event_class)
        if not names or kwargs.get("timestamp") is None or getattr(type(self), "TOPIC", None):
            self.trigger_event(event_class, **kwargs)
            return
        version = self.version + 1
        values = {"originator_id": self.id, "originator_version": version, **kwargs}
        if len(kwargs) != len(given) or tuple(values) != names:
            if kwargs.keys() != given:
                self.trigger_event(event_class, **kwargs)
                return
            values = {name: values[name] for name in names}  # given in another order
        event = made(event_class, values)
        event.__post_init__()
        if type(event).mutate is _MUTATE and type(event).apply is RegistryEvent.apply:
            # What eventsourcing's mutate does, but its checks of the id and version: the
            # event is made here with this aggregate's id and next version.
            self.when(event)
            self.version = version
            self.modified_on = values["timestamp"]
        else:
            event.mutate(self)
        self.pending_events.append(event)

    @classmethod
    def _create(cls, event_class: type[Any], *, id: UUID | None = None, **kwargs: Any) -> Any:
        """eventsourcing's ``_create``, the created event made as :meth:`record` makes an
        event (its fields set at once, in their order, then ``__post_init__``) where the act
        gives exactly its fields and the id; otherwise (and for an aggregate with a topic of
        its own) eventsourcing's own."""
        names, given = _fields(cast(type[RegistryEvent], event_class))
        if (
            not names
            or not isinstance(id, UUID)
            or kwargs.keys() != given - _CREATED
            or kwargs["timestamp"] is None
            or getattr(cls, "TOPIC", None)
        ):
            return super()._create(event_class, id=id, **kwargs)
        kwargs["originator_topic"] = get_topic(cls)
        kwargs["originator_id"] = id
        kwargs["originator_version"] = cls.INITIAL_VERSION
        event = made(event_class, {name: kwargs[name] for name in names})
        event.__post_init__()
        aggregate = event.mutate(None)
        aggregate.pending_events.append(event)
        return aggregate

    def when(self, event: RegistryEvent) -> None:
        """Called by every event's ``apply``: remember the act, then fold the event in."""
        kept = event if isinstance(event, self.KEPT) else None
        self.acts[event.act_id] = RecordedAct(
            type(event).__name__, event.originator_version, event.authority_id, kept
        )
        _fold_of(type(self), type(event))(self, event)

    def fold(self, event: RegistryEvent) -> None:
        raise NotImplementedError(type(event).__name__)  # each aggregate folds its own events

    def check_new(self, act: Act) -> None:
        """Raise :class:`ActIdRecorded` if this aggregate recorded an act under ``act``'s id
        (the same act, or a different one: :func:`answer_again` tells)."""
        recorded = self.acts.get(act.act_id)
        if recorded is not None:
            raise ActIdRecorded(self.id, recorded.event_type, recorded.version)


def answer_again(act: Act, seen: ActIdRecorded, recorded_act: str) -> Receipt:
    """The receipt of an act whose id was recorded before (``seen``; ``recorded_act``: the
    text of the act recorded then): the first time's, if it is the same act (a re-signed act
    is the same act); a different act under a used act id is refused."""
    if act_content(recorded_act) != act_content(act.signed_act):
        raise ConflictError(
            f"act id {act.act_id} was already used for a different act; "
            "each act needs its own act_id"
        )
    recorded = RecordedEvent(seen.event_type, seen.aggregate_id, seen.version, None)
    return Receipt(act.act_id, "already_recorded", [recorded])


def act_content(signed_act: str) -> dict[str, Any]:
    """What an act says, apart from when it was signed: a re-signed act is the same act."""
    content = dict(parse_json(signed_act))
    content.pop("signed_at", None)
    return content


@cache
def _fields(event_class: type[RegistryEvent]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The event class's fields, in order, and those an act's event is given (all but the
    originator's id and version); both empty where a field is not set by ``__init__`` or has
    a default factory (then :meth:`RegistryAggregate.record` leaves it to ``__init__``)."""
    fields = dataclasses.fields(event_class)
    if any(not f.init or f.default_factory is not dataclasses.MISSING for f in fields):
        return (), frozenset()
    names = tuple(f.name for f in fields)
    return names, frozenset(names) - {"originator_id", "originator_version"}


@cache
def _fold_of(aggregate: type, event: type) -> Callable[[Any, Any], None]:
    """The ``fold`` an aggregate class registered for an event class, looked up once per pair
    (a ``singledispatchmethod`` builds a new bound wrapper every time it is read)."""
    method = getattr_static(aggregate, "fold")
    if isinstance(method, singledispatchmethod):
        function: Callable[[Any, Any], None] = method.dispatcher.dispatch(event)
        return function
    return method  # type: ignore[no-any-return]
