"""Every act decided again, in memory, in log order: keys, competence and rulebooks at the time.

The replay keeps every aggregate in memory and hands them to
:meth:`greenreg.registry.application.Registry.redecide`, with the clock set to the event's
recorded time. The decision must produce exactly the stored events (same type, unit, version and
fields, flags and bans included): each decided event is compared with the stored one, the bytes
the registry would store for it against the stored bytes (written by orjson from its JSON form,
:class:`JSONForm`, where it has one: the same bytes as the registry's encoder writes); only
where they differ is the stored event decoded and compared field by field (which names the
fields, and has the last word). (The stored bytes themselves are the leaf hash's business.)
An act the registry would refuse (a designation of a banned unit, a key not valid at the time,
an authority outside its jurisdiction...) is a problem even though it got in; the stored event
is then applied as recorded, so later acts are judged against the history as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    StoredEvent,
    Transcoder,
    Transcoding,
    UUIDAsHex,
)
from eventsourcing.utils import get_topic

from greenreg.audit.prepare import Prepared
from greenreg.audit.report import Problem
from greenreg.errors import GreenregError
from greenreg.events.vocabulary import RegistryEvent
from greenreg.registry.application import DateAsISO, Registry
from greenreg.registry.authority import Authority
from greenreg.registry.evaluator import Evaluator
from greenreg.registry.identifier import IdentifierClaim
from greenreg.registry.unit import Unit
from greenreg.storage.log_tables import LogEntry

Aggregates = dict[UUID, Unit | Authority | Evaluator | IdentifierClaim]


class Replay:
    """Folds the log's entries and checks each act against the state before it."""

    def __init__(
        self,
        decode: Callable[[LogEntry], RegistryEvent],
        history: Callable[[UUID, int], list[LogEntry]],
        report: Callable[[Problem], None],
    ) -> None:
        self.registry = Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.aggregates: Aggregates = {}
        self.decode = decode
        self.history = history
        self.report = report
        self._act = ""
        self._deciding = 0
        """The position of the entry whose act is being decided."""
        self._pending: dict[tuple[UUID, int], RegistryEvent] = {}
        self._form = JSONForm(self.registry.mapper.transcoder)
        self._kinds: dict[type, tuple[str, bool]] = {}
        """Each event type's topic, and whether it is of the first class version."""
        self._time: tuple[str, datetime] = ("", datetime.min.replace(tzinfo=UTC))

    def problem(self, entry: LogEntry, check: str, message: str) -> None:
        self.report(
            Problem(check, message, entry.position, entry.originator_id, entry.originator_version)
        )

    def fold(self, entry: LogEntry, prepared: Prepared) -> RegistryEvent | None:
        """Check the entry's act (deciding it when the entry is its first event); the event as
        recorded if the decision gives exactly it, else ``None`` (the problem is reported)."""
        key = (entry.originator_id, entry.originator_version)
        if prepared.act_id != self._act or key not in self._pending:
            self._close_act(entry)
            self._decide(entry, prepared)
        decided = self._pending.pop(key, None)
        if decided is None:
            return None  # refused (already reported, applied as recorded)
        if self._as_stored(decided, entry):
            return decided  # exactly as stored
        try:
            stored = self.decode(entry)
            differences = _differences(decided, stored)
        except Exception as error:
            differences = f"the stored event cannot be read: {error}"
        if not differences:
            return stored
        self.problem(
            entry,
            "rules",
            f"the act decides a different event than the one recorded ({differences})",
        )
        self._rebuild(entry.originator_id, entry.position)
        return None

    @property
    def open(self) -> bool:
        """Whether the last act decided events the log has not shown yet."""
        return bool(self._pending)

    def finish(self, entry: LogEntry | None) -> None:
        if entry is not None:
            self._close_act(entry)

    def _as_stored(self, decided: RegistryEvent, entry: LogEntry) -> bool:
        """Whether the decided event is the stored one: the bytes the registry would store for
        it are the stored bytes.

        Its JSON form (:class:`JSONForm`: text, whole numbers, booleans, null, lists and objects
        only) is written by orjson, which writes those as the registry's encoder does (compact,
        UTF-8, the same escapes); where orjson refuses it (a whole number beyond 64 bits, a lone
        surrogate) or it has no JSON form, the mapper encodes it. Either way, equal bytes are
        the same JSON, so the same event as before a faster comparison (which compared the forms
        as parsed JSON): nothing passes here that did not."""
        kind = type(decided)
        known = self._kinds.get(kind)
        if known is None:
            known = self._kinds[kind] = get_topic(kind), getattr(kind, "class_version", 1) == 1
        if entry.topic != known[0]:
            return False
        if known[1]:
            try:
                return orjson.dumps(self._form.state(decided)) == entry.state
            except (TypeError, orjson.JSONEncodeError):
                pass  # no JSON form, or one orjson does not write: the mapper's bytes
        return self.registry.mapper.to_stored_event(decided).state == entry.state

    def _decide(self, entry: LogEntry, prepared: Prepared) -> None:
        self._act, self._pending, self._deciding = prepared.act_id, {}, entry.position
        try:
            decision = self.registry.redecide(
                prepared.signed_act,
                prepared.key_id,
                prepared.signature,
                self._recorded_at(prepared.timestamp),
                self.aggregates,
                body=prepared.body,
                read_event=self._recorded,
            )
        except GreenregError as error:
            self.problem(entry, "rules", f"the registry would refuse this act: {error}")
            self._apply(entry)
            return
        if decision.already is not None:
            self.problem(entry, "rules", f"act {decision.act.act_id} was already recorded before")
            self._apply(entry)
            return
        for aggregate in decision.aggregates:
            self.aggregates[aggregate.id] = aggregate
            for decided in aggregate.collect_events():
                if isinstance(decided, RegistryEvent):
                    self._pending[(decided.originator_id, decided.originator_version)] = decided

    def _recorded(self, aggregate_id: UUID, version: int) -> RegistryEvent | None:
        """The aggregate's event at ``version``, as the log holds it before the entry being
        decided (an act whose id was recorded before is answered by the act recorded then)."""
        for earlier in self.history(aggregate_id, self._deciding - 1):
            if earlier.originator_version == version:
                return self.decode(earlier)
        return None

    def _recorded_at(self, text: str) -> datetime:
        """The recorded time the entry says (a batch's acts share it: read once)."""
        if text == self._time[0]:
            return self._time[1]
        moment = datetime.fromisoformat(text)
        self._time = text, moment
        return moment

    def _close_act(self, entry: LogEntry) -> None:
        """Events the last act decided but the log does not hold next: report, then undo."""
        if not self._pending:
            return
        for originator_id, version in sorted(self._pending, key=str):
            self.report(
                Problem(
                    "rules",
                    f"act {self._act} also records this event, which the log lacks",
                    entry.position,
                    originator_id,
                    version,
                )
            )
            self._rebuild(originator_id, entry.position - 1)
        self._pending = {}

    def _apply(self, entry: LogEntry) -> None:
        """Apply the stored event as recorded (after a refusal), so later acts see it."""
        try:
            event = self.decode(entry)
        except Exception as error:
            self.problem(entry, "event", f"the stored event cannot be read: {error}")
            return
        current = self.aggregates.get(event.originator_id)
        try:
            aggregate: Any = event.mutate(current)
        except Exception as error:
            self.problem(entry, "order", f"the event does not follow its unit's history: {error}")
            return
        self.aggregates[event.originator_id] = aggregate

    def _rebuild(self, originator_id: UUID, upto: int) -> None:
        """The aggregate from its recorded events up to ``upto`` (after a wrong decision)."""
        aggregate: Any = None
        for entry in self.history(originator_id, upto):
            try:
                aggregate = self.decode(entry).mutate(aggregate)
            except Exception:  # noqa: S112 (already reported where it happened)
                continue
        if aggregate is None:
            self.aggregates.pop(originator_id, None)
        else:
            self.aggregates[originator_id] = aggregate


def _differences(decided: RegistryEvent, stored: RegistryEvent) -> str:
    if type(decided) is not type(stored):
        return f"{type(decided).__name__}, not {type(stored).__name__}"
    mine, theirs = vars(decided), vars(stored)
    fields = sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))
    return ", ".join(fields)


_ORIGINATOR_VERSION = "originator_version"
"""Stored beside the state, not in it (as the originator's id)."""


class JSONForm:
    """An event's state as the stored JSON reads back: what the mapper would encode, as parsed
    JSON (the transcoder's ``{"_type_", "_data_"}`` objects for its types), without encoding it.
    Two states with the same JSON form decode to the same event. A float has none (its text is
    the encoder's own ``repr``), nor has any type the transcoder does not know."""

    def __init__(self, transcoder: Transcoder) -> None:
        types = getattr(transcoder, "types", {})
        self._forms: dict[type, tuple[str, Callable[[Any], Any]]] = {
            kind: (transcoding.name, _encoder(transcoding)) for kind, transcoding in types.items()
        }
        self._kept = frozenset(
            kind for kind, transcoding in types.items() if type(transcoding) in _SAME_ENCODING
        )
        """The types whose forms are kept (UUIDs, days, times: immutable values)."""
        self._last: dict[str, tuple[Any, dict[str, Any]]] = {}
        """Each field's last value of those types (days aside: :attr:`_days`) and its form, by
        the field's name: a batch's acts share their recorded time, their signing time, their
        signer (the very same objects: the replay and the act's reader read each text once),
        and a form is never changed, so one serves them all."""
        self._days: dict[date, Any] = {}
        """Each day's form, by the day (days are few, and two equal days write the same text;
        not so times, whose offsets may differ where they are equal)."""

    def state(self, event: RegistryEvent) -> dict[str, Any]:
        value, last, kept, days = self.value, self._last, self._kept, self._days
        state = {}
        for name, item in vars(event).items():
            kind = type(item)
            if kind is str or kind is int or item is None or kind is bool:
                state[name] = item  # JSON's own (the originator's version too: dropped below)
            elif kind is date:
                form = days.get(item)
                state[name] = form if form is not None else days.setdefault(item, value(item))
            elif kind is list and not item:
                state[name] = item
            elif name != "originator_id":
                hit = last.get(name)
                if hit is not None and hit[0] is item:
                    state[name] = hit[1]  # the very value the last event had
                    continue
                form = state[name] = value(item)
                if kind in kept:
                    last[name] = item, form
        del state[_ORIGINATOR_VERSION]
        return state

    def value(self, item: Any) -> Any:
        kind = type(item)
        if kind is str or kind is int or item is None or kind is bool:
            return item
        form = self._forms.get(kind)
        if form is not None:
            data = form[1](item)
            return {"_type_": form[0], "_data_": data if type(data) is str else self.value(data)}
        if kind is list or kind is tuple:
            return [self.value(i) for i in item]
        if kind is dict and all(type(key) is str for key in item):
            return {key: self.value(v) for key, v in item.items()}
        if isinstance(item, str):  # a StrEnum: JSON holds its text, as the encoder writes it
            return str.__str__(item)
        raise TypeError(f"no JSON form for {kind.__name__}")


_SAME_ENCODING: dict[type, Callable[[Any], str]] = {
    UUIDAsHex: UUID.hex.fget,  # type: ignore[attr-defined]
    DatetimeAsISO: datetime.isoformat,
    DateAsISO: date.isoformat,
}
"""What eventsourcing's transcodings of UUIDs and times, and the registry's of dates, call:
called directly (no method of the transcoding in between, for every typed value)."""


def _encoder(transcoding: Transcoding) -> Callable[[Any], Any]:
    return _SAME_ENCODING.get(type(transcoding), transcoding.encode)


def stored_event(entry: LogEntry) -> StoredEvent:
    if entry.topic is None or entry.state is None:
        raise LookupError("the store lacks this event")
    return StoredEvent(entry.originator_id, entry.originator_version, entry.topic, entry.state)
