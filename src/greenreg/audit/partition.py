"""The audit's fast path: every check of an entry, the rule replay included, on the workers.

The units are shared out among worker processes by unit id; each worker keeps its own units in
memory, and every worker keeps every authority, because every act depends on its signer's keys
and competence, and every evaluator, because a designation may name one: the (few) events of the
registry, its authorities and the evaluators go to all workers, in log order with the rest. For
each of its entries a worker computes the leaf hash, reads the JSON, checks that the signing key
was declared before the entry and that the Ed25519 signature verifies under it
(:mod:`~greenreg.audit.prepare`), and decides the act again against its units
(:class:`~greenreg.audit.replay.Replay`). It answers with the leaf hashes only; the main process
keeps the Merkle frontier and checks the order and the founding.

Where the log is in a database that the workers can open (:meth:`Partitions.sliced`), each
worker reads its own entries straight from it, a range of positions at a time, and checks their
stored leaves too; the main process reads only the few entries that tie units together and
those that declare keys, once, to make the :class:`Plan` of which worker reads what, then
merges the workers' leaf hashes in log order (a position that no worker read is a finding).
Otherwise (a tiled log, an incremental audit) the main process reads the log and sends each
entry to its worker (:meth:`Partitions.leaves`), and checks the stored leaves itself.

An act that changes several units (a reorganisation) is decided by one worker: before it, the main
process moves the units the stored event names to the worker that holds the first one (reading
slices, the plan holds them on that worker from the start of the log). An
identifier's claim (:class:`~greenreg.registry.identifier.IdentifierClaim`, at the id its code
gives) lives with the unit it points to: its creation goes to the worker of the unit its stored
event names (the same act's event on that unit comes just before it), and it moves with the unit.
So an act that names a unit by an attached code finds the claim and the unit on one worker, and
an act that would take a held code is decided where the code's claim or unit is held (the entry's
id is the code's), and is refused there.

Why a worker's replay is the replay in log order: as long as nothing is found, every decided
event equals the stored one, so each aggregate in a worker is exactly its stored events folded;
an act reads only its signer (every worker has every authority) and the units it names, which its
worker holds. An act that reaches for a unit its worker does not hold is refused (a finding);
an act that decides an event for another aggregate than the entry it comes with leaves that
event unmatched (a finding); an act whose events are not consecutive in the log is a finding.

For the whole audit's read-model check (``rows``), each worker also folds every event its replay
found exactly as recorded into read-model rows (:class:`~greenreg.audit.read_models.FoldedRows`),
and at the end answers with their digest; a reorganisation's move takes the units' present rows
and search terms along with their aggregates.

So this path is exact for a log in which nothing is wrong, and that is all it is used for: the
moment a worker or the main process finds anything it raises :class:`Found`, and the audit runs
the exact path (:mod:`~greenreg.audit.pool` and one replay in log order in the main process),
which names every problem by position and event, in log order. A sound log is read once, here;
a log with a problem is read twice.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import queue
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from uuid import UUID

from greenreg.audit.prepare import (
    KEY_EVENTS,
    SIGNED,
    Opened,
    Prepared,
    declared_keys,
    open_checkpoints,
    read_signed,
    signature_status,
)
from greenreg.audit.read_models import FoldedRows
from greenreg.audit.replay import Aggregates, Replay, stored_event
from greenreg.audit.report import Problem
from greenreg.audit.state import AuditState, StoredAggregates, pickled
from greenreg.events.vocabulary import RegistryEvent
from greenreg.projections.digest import MODULUS
from greenreg.registry.checkpoints import LogKey
from greenreg.storage.log_slices import LogSlices, SliceReader, owner
from greenreg.storage.log_tables import LogEntry, LogTables

CHUNK = 1_000
"""Entries per message to the workers."""
RANGE = 2_000
"""Positions per slice the workers read (each its own entries among them)."""
STATE_CHUNK = 2_000
"""Aggregates per answer when the workers hand their state over."""
AHEAD = 4
"""Chunks sent before the main process waits for the oldest one's answers."""
NOTES = 250
"""Checkpoint notes per message to a worker."""
NOTE_WEIGHT = 0.5
"""About how many entries' work opening one checkpoint note is (one Ed25519 verification, where
an entry's is a verification, its replay and its rows): the weight by which a worker's notes
count in its load (:meth:`Partitions.open_checkpoints`)."""
SHARED = (
    ":RegistryFounded",
    ":AuthorityRegistered",
    ":KeyAdded",
    ":KeyRevoked",
    ":EvaluatorRegistered",
    ":EvaluatorSanctioned",
    ":RulesAdopted",
    ":LogKeyDeclared",
)
"""The topics of the registry's, its authorities' and the evaluators' events (the root's
adoptions of rulebooks included, which every later act on a list depends on): every worker folds
them (a designation reads the evaluator it names; evaluators are few, and no act about a unit
records an event on one)."""
REORGANISED = ":Reorganised"
CLAIMED = ":IdentifierClaimed"
LEAF = 32
WAIT = 1.0
"""Seconds between looks at whether a worker process is still alive, while waiting for it."""

Resume = tuple[Path, dict[str, bytes], int]
"""Where the workers go on from: an audit state's path, its declared keys, its last position."""
Sent = tuple[int, bytes, int, str, bytes]
"""An entry as a worker receives it: (position, originator id bytes, version, topic, state)."""


class Found(Exception):  # noqa: N818 (an outcome, not an error)
    """The fast path found something; the exact path names it."""


@dataclass
class Plan:
    """Which worker reads which entries of the whole log, when the workers read their slices
    straight from the database (:meth:`Partitions.sliced`): made once, before they start, from
    the few entries that tie aggregates together.

    An entry falls to the worker its aggregate's id gives
    (:func:`~greenreg.storage.log_slices.owner`), but for the ones this plan names: every worker
    reads the registry's, its authorities' and the evaluators' events (:data:`SHARED`); the
    units a reorganisation names, and the identifier claims of a unit, are held together from
    the start of the log by the worker of the first unit that ties them (the reorganisation's
    own unit; the claimed unit), and the entries of those that the id gives to another worker
    are moved to it."""

    size: int
    workers: int
    shared: list[int] = field(default_factory=list)
    """The positions every worker reads, ascending."""
    moved: list[int] = field(default_factory=list)
    """The positions of the entries held by another worker than their id gives, ascending."""
    moved_to: list[int] = field(default_factory=list)
    """The worker each of :attr:`moved` goes to."""
    keys: list[LogEntry] = field(default_factory=list)
    """The entries that declare a key, in log order (the main process checks the founding)."""

    @classmethod
    def of(cls, recorder: LogTables, workers: int, size: int) -> Plan:
        """The plan for the log's first ``size`` entries, from one pass over the events."""
        plan = cls(size, workers)
        anchors: dict[UUID, UUID] = {}
        for entry in recorder.marked_entries((*SHARED, REORGANISED, CLAIMED), size):
            topic = entry.topic or ""
            if topic.endswith(SHARED):
                plan.shared.append(entry.position)
                if topic.endswith(KEY_EVENTS):
                    plan.keys.append(entry)
            elif topic.endswith(REORGANISED):
                units = _units_of(entry)
                for unit in units[1:]:
                    _join(anchors, units[0], unit)
            else:
                claimed = _claimed(entry)
                if claimed is not None:
                    _join(anchors, claimed, entry.originator_id)
        held = {aggregate: owner(_anchor(anchors, aggregate), workers) for aggregate in anchors}
        away = {
            aggregate: held[aggregate]
            for aggregate in held
            if owner(aggregate, workers) != held[aggregate]
        }
        for position, aggregate in recorder.positions_of_aggregates(list(away), size):
            plan.moved.append(position)
            plan.moved_to.append(away[aggregate])
        return plan

    def positions(self, start: int, stop: int, index: int) -> tuple[list[int], list[int]]:
        """For worker ``index``, between positions ``start`` and ``stop``: the positions it
        reads besides the entries its ids give it, and the positions of those that it leaves
        (both ascending)."""
        shared = self.shared[bisect_left(self.shared, start) : bisect_left(self.shared, stop)]
        first, last = bisect_left(self.moved, start), bisect_left(self.moved, stop)
        if first == last:
            return shared, shared
        moved = self.moved[first:last]
        mine = [p for p, to in zip(moved, self.moved_to[first:last], strict=True) if to == index]
        return sorted({*shared, *mine}), sorted({*shared, *moved})


def _join(anchors: dict[UUID, UUID], first: UUID, other: UUID) -> None:
    """Tie ``other``'s group to ``first``'s (whose anchor stays the anchor)."""
    anchors.setdefault(first, first)
    anchors.setdefault(other, other)
    root, theirs = _anchor(anchors, first), _anchor(anchors, other)
    if root != theirs:
        anchors[theirs] = root


def _anchor(anchors: dict[UUID, UUID], aggregate: UUID) -> UUID:
    """The first unit of the aggregate's group (the group's worker is the one its id gives)."""
    while (up := anchors[aggregate]) != aggregate:
        anchors[aggregate] = anchors[up]  # halve the path
        aggregate = up
    return aggregate


def _claimed(entry: LogEntry) -> UUID | None:
    """The unit an identifier's claim names in its stored event (``None``: unreadable; the
    worker decides the act as it can, and finds what is wrong)."""
    try:
        return UUID(json.loads(entry.state or b"")["unit"]["_data_"])
    except (ValueError, TypeError, KeyError):
        return None


class Partitions:
    """The worker processes, each holding its share of the units; use as a context manager."""

    def __init__(self, workers: int, resume: Resume | None = None, rows: bool = False) -> None:
        """``resume``: the workers go on from an audit state (its path, the keys it declared,
        its last position), reading each unit from it when they first need it. ``rows``: the
        workers also fold the read-model rows (:meth:`rows_digest`)."""
        context = multiprocessing.get_context()
        self.count = workers
        self._inboxes: list[Any] = [context.Queue() for _ in range(workers)]
        self._outboxes: list[Any] = [context.Queue() for _ in range(workers)]
        self._processes = [
            context.Process(target=_serve, args=(inbox, outbox), daemon=True)
            for inbox, outbox in zip(self._inboxes, self._outboxes, strict=True)
        ]
        for process in self._processes:
            process.start()
        if resume is not None:
            for inbox in self._inboxes:
                inbox.put(("resume", *resume))
        if rows:
            for index, inbox in enumerate(self._inboxes):
                inbox.put(("rows", index == 0))
        self._moved: dict[UUID, int] = {}
        self._claims: dict[UUID, list[UUID]] = {}
        """The claims of each unit that has any (they move with it)."""
        self._keys: list[LogKey] = []
        self._held: deque[tuple[int, list[tuple[int, str]]]] = deque()
        """The checkpoint notes not given to a worker yet, a message's worth at a time (numbered
        in the notes' order)."""
        self._notes_due = [0] * workers
        """How many messages of notes each worker has not answered yet."""
        self._opened: dict[int, list[Opened]] = {}
        self._load = [0.0] * workers
        """The entries each worker was given, and its notes (:data:`NOTE_WEIGHT` each)."""

    def open_checkpoints(self, notes: list[tuple[int, str]], keys: list[LogKey]) -> None:
        """Start opening the checkpoint notes: half of them at once, shared evenly (the workers
        open them while this process makes its plan), the other half held back and given, a
        message at a time, to the worker with the least work so far as the answers come in,
        and the rest before the workers finish: the one whose units took less work (its ids'
        share of the log is never exactly even) opens more notes, instead of waiting for the
        other at the end."""
        self._keys = keys
        self._held = deque(enumerate(notes[i : i + NOTES] for i in range(0, len(notes), NOTES)))
        for message in range(len(self._held) // 2):
            self._give_notes(message % self.count)

    def opened(self) -> list[list[Opened]]:
        """The opened checkpoint notes, in the notes' order (a list per message)."""
        self._hand_out()
        for index in range(self.count):
            while self._notes_due[index]:
                answer = self._answer(index)
                if not isinstance(answer, NotesOpened):
                    raise Found(f"a worker answered {type(answer).__name__}, not notes")
                self._take(index, answer)
        return [self._opened[message] for message in sorted(self._opened)]

    def _give_notes(self, index: int) -> None:
        message, notes = self._held.popleft()
        self._inboxes[index].put(("notes", notes, self._keys, message))
        self._notes_due[index] += 1
        self._load[index] += NOTE_WEIGHT * len(notes)

    def _balance(self) -> None:
        """Give held notes to the worker with the least work while it lags by a message's."""
        load = self._load
        while self._held and max(load) - min(load) > NOTE_WEIGHT * NOTES:
            self._give_notes(load.index(min(load)))

    def _hand_out(self) -> None:
        """Give every held note out, each message to the worker with the least work then."""
        while self._held:
            self._give_notes(self._load.index(min(self._load)))

    def _take(self, index: int, answer: NotesOpened) -> None:
        self._opened[answer.message] = answer.opened
        self._notes_due[index] -= 1

    def leaves(self, entries: Iterable[LogEntry]) -> Iterator[tuple[LogEntry, bytes]]:
        """Each entry with its leaf hash, in log order, once its worker has checked it all;
        raises :class:`Found` as soon as anything is wrong."""
        ahead: deque[tuple[list[LogEntry], list[int]]] = deque()
        chunk: list[LogEntry] = []
        routes: list[int] = []
        parts: list[list[Sent]] = [[] for _ in range(self.count)]
        for entry in entries:
            if entry.topic is not None and entry.topic.endswith(REORGANISED) and self._apart(entry):
                # The units move once every entry before this one is answered.
                self._send(parts)
                ahead.append((chunk, routes))
                chunk, routes, parts = [], [], [[] for _ in range(self.count)]
                while ahead:
                    yield from self._answered(*ahead.popleft())
                self._gather(entry)
            route = self._route(entry, parts)
            chunk.append(entry)
            routes.append(route)
            if len(chunk) >= CHUNK:
                self._send(parts)
                ahead.append((chunk, routes))
                chunk, routes, parts = [], [], [[] for _ in range(self.count)]
                if len(ahead) > AHEAD:
                    yield from self._answered(*ahead.popleft())
        self._send(parts)
        ahead.append((chunk, routes))
        while ahead:
            yield from self._answered(*ahead.popleft())
        self._finish()

    def sliced(
        self, slices: LogSlices, plan: Plan
    ) -> Iterator[tuple[list[bytes], list[int | None]]]:
        """The leaf hashes and notification ids of the log's first ``plan.size`` entries, in
        log order, a range at a time, once every worker has read its entries of the range from
        the database (:mod:`~greenreg.storage.log_slices`) and checked them all; raises
        :class:`Found` as soon as anything is wrong, or if a position is missing."""
        for index, inbox in enumerate(self._inboxes):
            inbox.put(("slices", slices, self.count, index))
        ahead: deque[tuple[int, int]] = deque()
        for start in range(0, plan.size, RANGE):
            stop = min(start + RANGE, plan.size)
            for index, inbox in enumerate(self._inboxes):
                inbox.put(("slice", start, stop, *plan.positions(start, stop, index)))
            ahead.append((start, stop))
            if len(ahead) > AHEAD:
                yield self._gathered(*ahead.popleft())
        while ahead:
            yield self._gathered(*ahead.popleft())
        self._finish()

    def _gathered(self, start: int, stop: int) -> tuple[list[bytes], list[int | None]]:
        """Every worker's answer for one range, merged in log order."""
        leaves: list[bytes | None] = [None] * (stop - start)
        notes: list[int | None] = [None] * (stop - start)
        for index in range(self.count):
            finding, positions, hashes, notifications = self._receive(index)
            if finding:
                raise Found(finding)
            for at, (position, note) in enumerate(zip(positions, notifications, strict=True)):
                leaves[position - start] = hashes[at * LEAF : (at + 1) * LEAF]
                notes[position - start] = note
            self._load[index] += len(positions)
        self._balance()
        if None in leaves:
            raise Found(f"position {start + leaves.index(None)}: not in the log")
        return cast(list[bytes], leaves), notes

    def _finish(self) -> None:
        self._hand_out()
        for inbox in self._inboxes:
            inbox.put(("finish",))
        for index in range(self.count):
            finding = self._receive(index)
            if finding:
                raise Found(finding)

    def _route(self, entry: LogEntry, parts: list[list[Sent]]) -> int:
        """Add the entry to its worker's part (every part, for a shared event): which one."""
        topic, state = entry.topic, entry.state
        if topic is None or state is None:
            raise Found(f"position {entry.position}: the store lacks the event")
        sent = (entry.position, entry.originator_id.bytes, entry.originator_version, topic, state)
        if topic.endswith(SHARED):
            for part in parts:
                part.append(sent)
            return -1
        if topic.endswith(CLAIMED) and entry.originator_id not in self._moved:
            self._claim(entry)
        route = self._owner(entry.originator_id)
        parts[route].append(sent)
        return route

    def _claim(self, entry: LogEntry) -> None:
        """Place a new claim with the unit its stored event names."""
        try:
            unit = UUID(json.loads(entry.state or b"")["unit"]["_data_"])
        except (ValueError, TypeError, KeyError):
            return  # the worker decides the act as it can, and finds what is wrong
        self._moved[entry.originator_id] = self._owner(unit)
        self._claims.setdefault(unit, []).append(entry.originator_id)

    def _owner(self, unit: UUID) -> int:
        moved = self._moved.get(unit) if self._moved else None
        return unit.int % self.count if moved is None else moved

    def _send(self, parts: list[list[Sent]]) -> None:
        for inbox, part in zip(self._inboxes, parts, strict=True):
            inbox.put(("chunk", part))

    def _receive(self, index: int) -> Any:
        """The worker's next answer but to checkpoint notes (those are kept as they come)."""
        while isinstance(answer := self._answer(index), NotesOpened):
            self._take(index, answer)
        return answer

    def _answer(self, index: int) -> Any:
        """The worker's next answer, whatever it answers."""
        while True:
            try:
                answer = self._outboxes[index].get(timeout=WAIT)
            except queue.Empty:
                if not self._processes[index].is_alive():
                    raise Found("a worker process stopped") from None
                continue
            if isinstance(answer, Failed):
                raise Found(answer.error)
            return answer

    def _answered(
        self, chunk: list[LogEntry], routes: list[int]
    ) -> Iterator[tuple[LogEntry, bytes]]:
        answers: list[bytes] = []
        for index in range(self.count):
            finding, leaves = self._receive(index)
            if finding:
                raise Found(finding)
            answers.append(leaves)
            self._load[index] += len(leaves) // LEAF
        self._balance()
        offsets = [0] * self.count
        for entry, route in zip(chunk, routes, strict=True):
            if route < 0:
                at = offsets[0]
                offsets = [offset + LEAF for offset in offsets]
                yield entry, answers[0][at : at + LEAF]
            else:
                at = offsets[route]
                offsets[route] = at + LEAF
                yield entry, answers[route][at : at + LEAF]

    def _apart(self, entry: LogEntry) -> bool:
        """Whether the units a reorganisation names are held by more than one worker."""
        return len({self._owner(unit) for unit in _units_of(entry)}) > 1

    def _gather(self, entry: LogEntry) -> None:
        """Move the reorganisation's units to the worker of the entry's unit."""
        target = self._owner(entry.originator_id)
        sources: dict[int, list[UUID]] = {}
        for unit in _units_of(entry):
            if self._owner(unit) != target:
                sources.setdefault(self._owner(unit), []).append(unit)
        for source, units in sources.items():
            moving = units + [c for unit in units for c in self._claims.get(unit, ())]
            self._inboxes[source].put(("export", moving))
            self._inboxes[target].put(("adopt", self._receive(source)))
            for aggregate in moving:
                self._moved[aggregate] = target

    def rows_digest(self) -> int | None:
        """The digest of the read-model rows the workers folded, once the log is read
        (:class:`~greenreg.audit.read_models.FoldedRows`; ``None``: unknown)."""
        for inbox in self._inboxes:
            inbox.put(("digest",))
        sums = [self._receive(index) for index in range(self.count)]
        if any(part is None for part in sums):
            return None
        return int(sum(sums)) % MODULUS

    def aggregates(self) -> Iterator[tuple[UUID, bytes]]:
        """Every aggregate the workers hold once the log is read (resumed from a state: those
        made or changed since), pickled (:func:`~greenreg.audit.state.pickled`), a chunk from
        each worker in turn while the others pickle their next; the shared aggregates come
        from every worker."""
        starts = [0] * self.count
        for inbox in self._inboxes:
            inbox.put(("state", 0, STATE_CHUNK))
        active = list(range(self.count))
        while active:
            for index in list(active):
                records: list[tuple[UUID, bytes]] = self._receive(index)
                if len(records) < STATE_CHUNK:
                    active.remove(index)
                else:
                    starts[index] += len(records)
                    self._inboxes[index].put(("state", starts[index], STATE_CHUNK))
                yield from records

    def close(self, error: BaseException | None = None) -> None:
        if error is None:
            for inbox in self._inboxes:
                inbox.put(None)
        for process in self._processes:
            if error is not None:
                process.terminate()
            process.join()
        for box in self._inboxes + self._outboxes:
            box.close()
            box.cancel_join_thread()

    def __enter__(self) -> Partitions:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close(error)


def _units_of(entry: LogEntry) -> list[UUID]:
    """The entry's unit and, for a reorganisation, every unit the stored event names."""
    units = [entry.originator_id]
    try:
        stored = json.loads(entry.state or b"")
        units.extend(UUID(n["_data_"]) for n in stored["predecessors"] + stored["successors"])
    except (ValueError, TypeError, KeyError):
        pass  # the worker decides the act as it can, and finds what is wrong
    return list(dict.fromkeys(units))


@dataclass(frozen=True)
class NotesOpened:
    """A worker's answer to a message of checkpoint notes: its number and the notes opened."""

    message: int
    opened: list[Opened]


@dataclass(frozen=True)
class Failed:
    """A worker's answer when its work raised: the exact path makes the same checks again."""

    error: str


def _serve(inbox: Any, outbox: Any) -> None:
    """A worker process: answer the main process's messages, in order, until ``None``.

    No cyclic garbage collection here: the replay makes no reference cycles (an aggregate holds
    its events, nothing points back), so a collection would only walk the ever-growing set of
    aggregates again and again; the process ends when the audit does.
    """
    gc.disable()
    worker = _Worker()
    while (message := inbox.get()) is not None:
        try:
            answer = worker.answer(message)
        except Exception as error:  # the exact path meets it again and says it
            answer = Failed(f"{type(error).__name__}: {error}")
        if answer is not None:
            outbox.put(answer)


class _Worker:
    """One worker's share of the replay: its units, every authority, the keys declared so far."""

    def __init__(self) -> None:
        self.replay = Replay(self._decode, _no_history, _found)
        self.rows: FoldedRows | None = None
        self.keys: dict[str, bytes] = {}
        self.last = -1
        self.finding = ""
        self._ids: list[UUID] | None = None
        self.reader: SliceReader | None = None
        self.share = (1, 0)
        """(how many workers, which one this is), for the slices it reads."""

    def answer(self, message: tuple[Any, ...]) -> Any:
        """The answer to one message from the main process (``None``: no answer due)."""
        kind = message[0]
        if kind in ("chunk", "slice"):
            return self.chunk(message[1]) if kind == "chunk" else self.slice(*message[1:])
        if kind == "notes":
            return NotesOpened(message[3], open_checkpoints(message[1], message[2]))
        if kind == "export":
            return self.export(message[1])
        if kind == "finish":
            return self.finish()
        if kind in ("state", "digest"):
            return self.handover(message)
        return self.settle(message)

    def handover(self, message: tuple[Any, ...]) -> Any:
        """What the worker holds once the log is read: its aggregates, or its rows' digest."""
        if message[0] == "state":
            return self.state(message[1], message[2])
        return None if self.rows is None else self.rows.digest()

    def settle(self, message: tuple[Any, ...]) -> None:
        """The messages that need no answer (``None``)."""
        kind = message[0]
        if kind == "adopt":
            aggregates, rows = message[1]
            self.replay.aggregates.update(aggregates)
            if self.rows is not None and rows is not None:
                self.rows.adopt(rows)
        elif kind == "rows":
            self.rows = FoldedRows(first=message[1])
        elif kind == "resume":
            self.resume(Path(message[1]), message[2], message[3])
        elif kind == "slices":
            self.reader = message[1].open()
            self.share = (message[2], message[3])
        else:
            raise ValueError(f"no such message: {kind!r}")  # a programming error

    def chunk(self, sent: list[Sent]) -> tuple[str, bytes]:
        """(what was found, or ""; the entries' leaf hashes, one after another)."""
        if self.finding:
            return self.finding, b""
        if isinstance(self.replay.aggregates, StoredAggregates):  # read the chunk's at once
            self.replay.aggregates.prefetch(UUID(bytes=s[1]) for s in sent)
        entries = [
            LogEntry(position, UUID(bytes=originator), version, topic, state, None, None)
            for position, originator, version, topic, state in sent
        ]
        try:
            return "", self._check(entries)
        except Found as found:
            self.finding = str(found) or "found"
            return self.finding, b""

    def slice(
        self, start: int, stop: int, extra: list[int], leave: list[int]
    ) -> tuple[str, list[int], bytes, list[int | None]]:
        """Read this worker's entries between positions ``start`` and ``stop`` (those its ids
        give it but the ``leave`` positions, and the ``extra`` positions) and check them: (what
        was found, or ""; their positions, leaf hashes one after another, notification ids)."""
        if self.finding or self.reader is None:
            return self.finding or "no store to read", [], b"", []
        try:
            entries = self.reader.owned(start, stop, *self.share)
            if leave:
                left = set(leave)
                entries = [entry for entry in entries if entry.position not in left]
            if extra:
                entries.extend(self.reader.at(extra))
                entries.sort(key=attrgetter("position"))
            leaves = self._check(entries)
        except Found as found:
            self.finding = str(found) or "found"
            return self.finding, [], b"", []
        return (
            "",
            [entry.position for entry in entries],
            leaves,
            [entry.notification_id for entry in entries],
        )

    def _check(self, entries: list[LogEntry]) -> bytes:
        """Read every entry, verify every signature, then replay every act (see
        :func:`~greenreg.audit.prepare.read_entry` for why in that order): the entries' leaf
        hashes, one after another."""
        read = self._read(entries)
        for entry, prepared, public_key, message in read:
            if signature_status(public_key, message, prepared.signature) != SIGNED:
                raise Found(f"position {entry.position}: the signature does not verify")
        replay = self._replay
        for entry, prepared, _, _ in read:
            replay(entry, prepared)
        if self.rows is not None:
            self.rows.flush()
        return b"".join([prepared.leaf for _, prepared, _, _ in read])

    def _read(self, entries: list[LogEntry]) -> list[tuple[LogEntry, Prepared, bytes, bytes]]:
        """Each entry, read, with the key it must verify under (declared before it) and the
        bytes signed; its leaf must be the one the log stored, where the entry comes with it."""
        read = []
        for entry in entries:
            position, topic, state = entry.position, entry.topic, entry.state
            if topic is None or state is None:
                raise Found(f"position {position}: the store lacks the event")
            founding = topic.endswith(":RegistryFounded")
            if founding:  # the founding act is signed by the root key it declares
                self.keys.update(declared_keys(topic, state))
            prepared, signed = read_signed(
                entry.originator_id, entry.originator_version, topic, state
            )
            stored = entry.stored_leaf_hash
            if stored is not None and prepared.leaf != stored:
                raise Found(f"position {position}: the leaf differs")
            if prepared.error:
                raise Found(f"position {position}: the stored event cannot be read")
            public_key = self.keys.get(prepared.key_id)
            if public_key is None:
                raise Found(f"position {position}: signed by a key not declared before it")
            read.append((entry, prepared, public_key, signed))
            if not founding and topic.endswith(KEY_EVENTS):
                self.keys.update(declared_keys(topic, state))
        return read

    def _replay(self, entry: LogEntry, prepared: Prepared) -> None:
        """Decide the entry's act again (and fold its event into the read-model rows)."""
        if self.replay.open and entry.position != self.last + 1:
            raise Found(f"position {entry.position}: the last act's events are not all in the log")
        event = self.replay.fold(entry, prepared)
        if self.rows is not None:
            if event is None:
                self.rows.failed = True
            else:  # whether the event is shared matters only to the workers but the first
                shared = not self.rows.first and (entry.topic or "").endswith(SHARED)
                self.rows.apply(event, entry.position, shared)
        self.last = entry.position

    def export(self, units: list[UUID]) -> tuple[Aggregates, Any]:
        """The units' aggregates (and read-model rows, if folded), taken away."""
        held = self.replay.aggregates
        aggregates = {unit: held.pop(unit) for unit in units if unit in held}
        return aggregates, None if self.rows is None else self.rows.export(units)

    def resume(self, path: Path, keys: dict[str, bytes], last: int) -> None:
        """Go on from the audit state at ``path``, checked by the main process."""
        self.replay.aggregates = StoredAggregates(AuditState.open(path, check=False))
        self.keys = dict(keys)
        self.last = last

    def state(self, start: int, count: int) -> list[tuple[UUID, bytes]]:
        """``count`` of this worker's aggregates from ``start`` (in id order; resumed from a
        state, those made or changed since), pickled."""
        held = self.replay.aggregates
        if self._ids is None:
            self._ids = sorted(held.changed_ids() if isinstance(held, StoredAggregates) else held)
        return [(key, pickled(held[key])) for key in self._ids[start : start + count]]

    def finish(self) -> str:
        if not self.finding and self.replay.open:
            self.finding = "the last act's events are not all in the log"
        return self.finding

    def _decode(self, entry: LogEntry) -> RegistryEvent:
        event = self.replay.registry.mapper.to_domain_event(stored_event(entry))
        if not isinstance(event, RegistryEvent):
            raise TypeError(f"{type(event).__name__} is not a registry event")
        return event


def _found(problem: Problem) -> None:
    raise Found(str(problem))


def _no_history(originator_id: UUID, upto: int) -> list[LogEntry]:
    raise Found(f"{originator_id} would be rebuilt from its history")  # after a finding only
