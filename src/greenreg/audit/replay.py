"""Every act decided again, in memory, in log order: keys, competence and rulebooks at the time.

The replay keeps every aggregate in memory and hands them to
:meth:`greenreg.registry.application.Registry.redecide`, with the clock set to the event's
recorded time. The decision must produce exactly the stored events (same type, unit, version and
fields, flags and bans included). An act the registry would refuse (a designation of a banned
unit, a key not valid at the time, an authority outside its jurisdiction...) is a problem even
though it got in; the stored event is then applied as recorded, so later acts are judged against
the history as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from greenreg.audit.report import Problem
from greenreg.errors import GreenregError
from greenreg.events.signing import b64decode
from greenreg.events.vocabulary import RegistryEvent
from greenreg.registry.application import Registry
from greenreg.registry.authority import Authority
from greenreg.registry.unit import Unit
from greenreg.storage.log_tables import LogEntry

Aggregates = dict[UUID, Unit | Authority]


class Replay:
    """Folds decoded events and checks each act against the state before it."""

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
        self._act: UUID | None = None
        self._pending: dict[tuple[UUID, int], RegistryEvent] = {}

    def problem(self, entry: LogEntry, check: str, message: str) -> None:
        self.report(
            Problem(check, message, entry.position, entry.originator_id, entry.originator_version)
        )

    def fold(self, entry: LogEntry, event: RegistryEvent) -> None:
        key = (event.originator_id, event.originator_version)
        if event.act_id != self._act or key not in self._pending:
            self._close_act(entry)
            self._decide(entry, event)
        decided = self._pending.pop(key, None)
        if decided is None:
            return  # refused or out of order: already reported and applied as recorded
        differences = _differences(decided, event)
        if differences:
            self.problem(
                entry,
                "rules",
                f"the act decides a different event than the one recorded ({differences})",
            )
            self._rebuild(event.originator_id, entry.position)

    def finish(self, entry: LogEntry | None) -> None:
        if entry is not None:
            self._close_act(entry)

    def _decide(self, entry: LogEntry, event: RegistryEvent) -> None:
        self._act, self._pending = event.act_id, {}
        try:
            decision = self.registry.redecide(
                event.signed_act,
                event.key_id,
                b64decode(event.signature, "signature"),
                event.timestamp,
                self.aggregates,
            )
        except GreenregError as error:
            self.problem(entry, "rules", f"the registry would refuse this act: {error}")
            self._apply(entry, event)
            return
        if decision.already is not None:
            self.problem(entry, "rules", f"act {event.act_id} was already recorded before")
            self._apply(entry, event)
            return
        for aggregate in decision.aggregates:
            self.aggregates[aggregate.id] = aggregate
            for decided in aggregate.collect_events():
                if isinstance(decided, RegistryEvent):
                    self._pending[(decided.originator_id, decided.originator_version)] = decided

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

    def _apply(self, entry: LogEntry, event: RegistryEvent) -> None:
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


def stored_event(entry: LogEntry) -> StoredEvent:
    if entry.topic is None or entry.state is None:
        raise LookupError("the store lacks this event")
    return StoredEvent(entry.originator_id, entry.originator_version, entry.topic, entry.state)
