"""The write side's application: it authenticates an act, dispatches it, and saves what it decides.

:meth:`Registry.submit` is the whole story of one act:

1. **authenticate** (:meth:`Registry._decide`): read the envelope; find the signing authority
   and its key; check the signature over the canonical bytes; check the act is not signed in
   the future and the key was valid when the act was signed and is still valid now;
2. **dispatch**: run the command for the act's type (:data:`~greenreg.registry.commands.COMMANDS`),
   which finds its aggregates in a :class:`~greenreg.registry.workspace.Workspace`, lets them
   and the rulebook check the act (their ``check_*`` guards) and records the events on them;
3. **save** (:meth:`Registry.record`): the new events in one transaction, and a receipt with
   their log positions.

:meth:`decide` and :meth:`record` are the two halves, so a test can show two acts racing for one
unit. :meth:`submit_batch` decides a batch's acts in one shared workspace and saves them at once;
:meth:`redecide` is the audit's: a recorded act decided again against the state it replays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Notification,
    Recording,
    Transcoding,
)

from greenreg.errors import (
    ActFormatError,
    ConflictError,
    GreenregError,
    HistoryError,
    SignatureError,
)
from greenreg.events.acts import Act, check_signature, parse_act, read_signed_act
from greenreg.events.canonical import parse_json
from greenreg.events.signing import b64decode, check_public_key, key_id_of
from greenreg.events.vocabulary import RegistryEvent
from greenreg.registry.aggregate import act_content, answer_again
from greenreg.registry.authority import ROOT, Authority, Key
from greenreg.registry.commands import COMMANDS
from greenreg.registry.decision import (
    ActIdRecorded,
    Aggregates,
    Decision,
    Receipt,
    RecordedEvent,
)
from greenreg.registry.evaluator import Evaluator
from greenreg.registry.identifier import IdentifierClaim
from greenreg.registry.unit import Unit
from greenreg.registry.workspace import ReadEvent, Workspace

CLOCK_SKEW = timedelta(minutes=5)
CLOSED_ATTEMPTS = 3
"""How many times an act is decided while the log is closed up to the moment it was decided
at (:class:`LogClosedError`) before the submission is refused."""
T = TypeVar("T")

SignedAct = bytes | str | dict[str, Any]


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Registry(Application[UUID]):
    """The registry of green-manufacturing designations."""

    name = "greenreg"
    env: ClassVar[dict[str, str]] = {"COMPRESSOR_TOPIC": "", "CIPHER_TOPIC": ""}

    def __init__(
        self,
        env: dict[str, str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(UTC))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # --- the story of one act -------------------------------------------------------------

    def submit(self, signed_act: SignedAct) -> Receipt:
        """Accept a signed act and record its events, or raise a ``GreenregError``."""
        return self._closed_retried(lambda: self.record(self.decide(signed_act)))

    def submit_batch(self, signed_acts: Iterable[SignedAct]) -> list[Receipt]:
        """Accept a batch of acts (an announcement's list) in one transaction, or none of them.

        Each act is decided in order, in one workspace, so it sees what the acts before it
        decided; then everything is saved at once. A refusal names the act that failed and
        records nothing.
        """
        acts = list(signed_acts)
        return self._closed_retried(lambda: self._submit_batch(acts))

    def _submit_batch(self, signed_acts: list[SignedAct]) -> list[Receipt]:
        workspace = self._workspace()
        decisions: list[tuple[Decision, list[tuple[UUID, int]]]] = []
        claimed: set[tuple[UUID, int]] = set()
        for number, signed_act in enumerate(signed_acts, start=1):
            try:
                decision = self.decide(signed_act, workspace)
            except GreenregError as error:
                error.args = (f"act {number} of the batch: {error}", *error.args[1:])
                raise
            workspace.keep(decision.aggregates)
            events = []
            for aggregate in decision.aggregates:
                for event in aggregate.pending_events:
                    key = (event.originator_id, event.originator_version)
                    if key not in claimed:
                        claimed.add(key)
                        events.append(key)
            decisions.append((decision, events))
        changed = workspace.changed()
        recorded = {
            (r.domain_event.originator_id, r.domain_event.originator_version): (r, position)
            for r, position in self._placed(self._save(changed) if changed else [])
        }
        return [
            decision.already or self._receipt(decision.act, [recorded[key] for key in events])
            for decision, events in decisions
        ]

    def decide(self, signed_act: SignedAct, workspace: Workspace | None = None) -> Decision:
        """Decide what ``signed_act`` records, saving nothing; ``workspace`` is the batch's,
        if the act is one of a batch."""
        body, key_id, signature = read_signed_act(signed_act)
        if workspace is None:
            workspace = self._workspace()
        return self._decide(body, key_id, signature, self.clock(), None, workspace=workspace)

    def redecide(
        self,
        signed_act: str,
        key_id: str,
        signature: bytes,
        recorded_at: datetime,
        aggregates: dict[UUID, Unit | Authority | Evaluator | IdentifierClaim],
        *,
        body: dict[str, Any] | None = None,
        read_event: ReadEvent | None = None,
    ) -> Decision:
        """Decide a recorded act again, as the auditor does: against ``aggregates`` (the state
        replayed in memory, changed in place; no aggregate is read from the store) at the moment
        it was recorded. The signature is not checked here; the auditor checks every signature
        in parallel beforehand. ``body`` is ``signed_act`` already parsed with
        :func:`parse_json`, if the caller has it; ``read_event`` reads a recorded event, for an
        act whose id was recorded before (the act recorded then tells how to answer).
        """
        body = parse_json(signed_act) if body is None else body
        if not isinstance(body, dict):
            raise ActFormatError("the recorded act is not a JSON object")
        workspace = Workspace(aggregates=aggregates, read_event=read_event)
        return self._decide(body, key_id, signature, recorded_at, signed_act, workspace=workspace)

    def _decide(
        self,
        body: dict[str, Any],
        key_id: str,
        signature: bytes,
        now: datetime,
        verified: bytes | str | None,
        *,
        workspace: Workspace,
    ) -> Decision:
        """Authenticate the act (``verified``: its signed bytes or text, if already checked),
        then dispatch it to its command."""
        signer = self._signer(body, key_id, workspace)
        key = signer.key(key_id)
        signed = verified or check_signature(body, key.public_key, signature)
        act = parse_act(body, signed, key_id, signature)
        if act.signed_at > now + CLOCK_SKEW:
            raise SignatureError(f"the act is signed in the future ({act.signed_at.isoformat()})")
        key.check_valid_at(act.signed_at, "when the act was signed")
        key.check_valid_at(now, "now, when the act is recorded")
        try:
            return COMMANDS[act.kind](act, signer, now, workspace)
        except ActIdRecorded as seen:
            recorded = workspace.recorded_event(seen.aggregate_id, seen.version)
            return Decision(act, [], answer_again(act, seen, recorded.signed_act))

    def _closed_retried(self, write: Callable[[], T]) -> T:
        """``write`` (decide, then record), decided again while the log is closed up to a
        moment at or after the one it was decided at (:class:`LogClosedError`: a bulk job
        submitted meanwhile answers as known then, and the act was not recorded by then)."""
        for _ in range(CLOSED_ATTEMPTS):
            try:
                return write()
            except LogClosedError as error:
                closed = error
        raise ConflictError(
            f"the log is closed up to {closed.moment.isoformat()} (a bulk job answers as "
            f"known then), and the registry's clock still reads {self.clock().isoformat()}; "
            "nothing was recorded. Submit the act again once the clock is past that moment."
        ) from closed

    def record(self, decision: Decision) -> Receipt:
        """Save what ``decision`` decided and answer with its receipt; raises
        :class:`LogClosedError` if the log was closed meanwhile up to the moment it was decided
        at (decide it again)."""
        if decision.already is not None:
            return decision.already
        return self._receipt(decision.act, self._placed(self._save(decision.aggregates)))

    # --- authentication: who signed, with which key ------------------------------------

    def _signer(self, body: dict[str, Any], key_id: str, workspace: Workspace) -> Authority:
        code = body.get("authority")
        if not isinstance(code, str):
            raise ActFormatError("'authority' is required: the code of the signing authority")
        if body.get("type") == "found_registry":
            return self._founding_signer(body, key_id, workspace)
        authority = workspace.find_authority(code)
        if authority is None:
            if code == ROOT:
                raise SignatureError("the registry has not been founded: no root key is known")
            raise SignatureError(
                f"the act is signed for {code!r}, an authority the registry "
                "does not know; its key cannot be checked"
            )
        return authority

    @staticmethod
    def _founding_signer(body: dict[str, Any], key_id: str, workspace: Workspace) -> Authority:
        """The founding act is self-signed by the root key it declares."""
        if workspace.find_authority(ROOT) is not None:
            raise HistoryError("the registry is already founded; it has one root key")
        if body.get("authority") != ROOT:
            raise ActFormatError("the registry is founded by its root key: 'authority': 'root'")
        public_key = b64decode(str(body.get("root_public_key", "")), "root public key")
        check_public_key(public_key)
        if key_id_of(public_key) != key_id:
            raise SignatureError("the founding act must be signed by the root key it declares")
        founder = Authority()
        founder.keys[key_id] = Key(key_id, public_key, datetime.min.replace(tzinfo=UTC), None)
        return founder

    # --- saving -----------------------------------------------------------------------------

    def _save(self, aggregates: Aggregates) -> list[Recording[UUID]]:
        """Save the aggregates' new events with their act ids, in one transaction.

        The recorder keeps every act id in a table written in the same transaction: an act id
        already recorded (on any unit) refuses the whole save with :class:`ActIdTakenError`.
        """
        act_ids = _act_ids(aggregates)
        recorded_at = min(
            (event.timestamp for a in aggregates for event in a.pending_events), default=None
        )
        try:
            return self.save(*aggregates, act_ids=act_ids, recorded_at=recorded_at)
        except ActIdTakenError as error:
            raise ConflictError(
                f"act id {', '.join(error.act_ids)} was already used for a different act; "
                "each act needs its own act_id. Nothing was recorded."
            ) from error
        except IntegrityError as error:
            names = ", ".join(str(a.id) for a in aggregates)
            raise ConflictError(
                f"another act changed {names} while this one was being checked; nothing was "
                "recorded. Read the unit's history and submit again if the act still applies."
            ) from error

    def _placed(self, recordings: Sequence[Recording[UUID]]) -> list[tuple[Recording[UUID], int]]:
        """Each recording of one write with its log position."""
        positions = self.log_positions([r.notification for r in recordings])
        return list(zip(recordings, positions, strict=True))

    @staticmethod
    def _receipt(act: Act, recordings: list[tuple[Recording[UUID], int]]) -> Receipt:
        events = [
            RecordedEvent(
                type(r.domain_event).__name__,
                r.domain_event.originator_id,
                r.domain_event.originator_version,
                position,
            )
            for r, position in recordings
        ]
        flags = [
            f
            for r, _ in recordings
            if isinstance(r.domain_event, RegistryEvent)
            for f in r.domain_event.flags
        ]
        return Receipt(act.act_id, "recorded", events, flags)

    # --- reading, for the commands, the CLI and tests ---------------------------------------

    def _workspace(self) -> Workspace:
        """A fresh workspace that reads from this registry's store."""
        return Workspace(self._load, read_event=self._read_event)

    def _load(self, aggregate_id: UUID) -> object | None:
        try:
            aggregate: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate

    def _read_event(self, aggregate_id: UUID, version: int) -> RegistryEvent | None:
        for event in self.events.get(aggregate_id, gt=version - 1, lte=version):
            return event if isinstance(event, RegistryEvent) else None
        return None

    def unit(self, reference: str) -> Unit:
        """The unit with this id or credit code."""
        return self._workspace().unit(reference)

    def authority(self, code: str) -> Authority:
        return self._workspace().authority(code)

    def event_count(self) -> int:
        return self.recorder.max_notification_id() or 0

    def log_positions(self, notifications: Sequence[Notification]) -> list[int]:
        """The log positions (from 0) of these events, given in store order (see
        :meth:`greenreg.storage.log_tables.LogTables.log_positions`; a recorder without a log
        numbers them by the store: notification id - 1)."""
        positions = getattr(self.recorder, "log_positions", None)
        if positions is None:
            return [n.id - 1 for n in notifications]
        return cast("list[int]", positions(notifications))


class ActIdTakenError(IntegrityError):
    """Raised by a recorder, inside the write transaction, when an act id is already stored."""

    def __init__(self, act_ids: Iterable[str]) -> None:
        self.act_ids = sorted(act_ids)
        super().__init__(f"act ids already recorded: {', '.join(self.act_ids)}")


class LogClosedError(Exception):
    """Raised by a recorder, inside the write transaction, when the write's events were
    recorded at or before the moment the log is closed up to (``moment``): the write is rolled
    back, and the act must be decided again."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment
        super().__init__(f"the log is closed up to {moment.isoformat()}")


def _act_ids(aggregates: Aggregates) -> list[str]:
    """The distinct act ids of the aggregates' pending events. One act may record events on
    several units (a reorganisation); two different acts with one act id are a conflict."""
    contents: dict[UUID, dict[str, Any]] = {}
    for aggregate in aggregates:
        for event in aggregate.pending_events:
            if not isinstance(event, RegistryEvent):
                continue
            content = contents.setdefault(event.act_id, act_content(event.signed_act))
            if content != act_content(event.signed_act):
                raise ConflictError(
                    f"act id {event.act_id} is used by two different acts; "
                    "each act needs its own act_id. Nothing was recorded."
                )
    return [str(act_id) for act_id in contents]


__all__ = [
    "CLOCK_SKEW",
    "ActIdRecorded",
    "ActIdTakenError",
    "DateAsISO",
    "Decision",
    "Receipt",
    "RecordedEvent",
    "Registry",
    "SignedAct",
]
