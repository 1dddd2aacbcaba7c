"""The write side: the registry accepts a signed act, or refuses it and changes nothing.

:meth:`Registry.submit` is the whole story: read the envelope; find the signing authority and
its key; check the signature over the canonical bytes; check the key was valid when the act was
signed and is still valid now; read the act's fields; then run the command for the act's type,
which checks competence and the rulebook and records the events. :meth:`decide` and
:meth:`record` are the two halves, so a test can show two acts racing for one unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar, Literal, cast
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
    CompetenceError,
    ConflictError,
    GreenregError,
    HistoryError,
    NotFoundError,
    RuleError,
    SignatureError,
)
from greenreg.events.acts import Act, check_signature, parse_act, read_signed_act
from greenreg.events.canonical import parse_json
from greenreg.events.credit_codes import check_credit_code, compact
from greenreg.events.places import NATIONAL, check_division, check_jurisdiction, name_of, within
from greenreg.events.signing import b64decode, check_public_key, key_id_of
from greenreg.events.vocabulary import (
    AuthorityRegistered,
    Flag,
    Programme,
    RegistryEvent,
    RegistryFounded,
    UnitRegistered,
)
from greenreg.registry.authority import ROOT, Authority, Key, authority_id_for
from greenreg.registry.rulebooks import RULEBOOKS, Rulebook, rulebook_for
from greenreg.registry.rulebooks.base import GREEN_MANUFACTURING, late_report_flags
from greenreg.registry.rulebooks.eco_parks import ECO_PARK
from greenreg.registry.unit import (
    Designation,
    Unit,
    designation_key,
    unit_id_for_act,
    unit_id_for_credit_code,
)

CLOCK_SKEW = timedelta(minutes=5)
CREDIT_CODE_LENGTH = 18
CORRECTABLE = {
    "Designated": ("document_number", "batch", "grade"),
    "Named": ("document_number", "batch", "grade"),
    "UnitRegistered": ("name",),
    "Renamed": ("name",),
}

Aggregates = list[Unit | Authority]
SignedAct = bytes | str | dict[str, Any]

# Within :meth:`Registry.submit_batch`, the aggregates its acts have read or changed, not yet
# saved: each is read from the store once per batch, and later acts see earlier acts' changes.
_batch: ContextVar[dict[UUID, Unit | Authority] | None] = ContextVar("batch", default=None)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


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
    """The act was recorded before: the commands stop and :meth:`Registry.decide` answers."""

    def __init__(self, receipt: Receipt) -> None:
        super().__init__(receipt.message)
        self.receipt = receipt


@dataclass
class Decision:
    """What an act will record, decided but not yet saved."""

    act: Act
    aggregates: Aggregates
    already: Receipt | None = None


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
        return self.record(self.decide(signed_act))

    def submit_batch(self, signed_acts: Iterable[SignedAct]) -> list[Receipt]:
        """Accept a batch of acts (an announcement's list) in one transaction, or none of them.

        Each act is decided in order and sees what the acts before it decided; then everything
        is saved at once. A refusal names the act that failed and records nothing.
        """
        pending: dict[UUID, Unit | Authority] = {}
        decisions: list[tuple[Decision, list[tuple[UUID, int]]]] = []
        claimed: set[tuple[UUID, int]] = set()
        token = _batch.set(pending)
        try:
            for number, signed_act in enumerate(signed_acts, start=1):
                try:
                    decision = self.decide(signed_act)
                except GreenregError as error:
                    error.args = (f"act {number} of the batch: {error}", *error.args[1:])
                    raise
                events = []
                for aggregate in decision.aggregates:
                    pending[aggregate.id] = aggregate
                    for event in aggregate.pending_events:
                        key = (event.originator_id, event.originator_version)
                        if key not in claimed:
                            claimed.add(key)
                            events.append(key)
                decisions.append((decision, events))
        finally:
            _batch.reset(token)
        changed: Aggregates = [a for a in pending.values() if a.pending_events]
        recorded = {
            (r.domain_event.originator_id, r.domain_event.originator_version): (r, position)
            for r, position in self._placed(self._save(changed) if changed else [])
        }
        return [
            decision.already or self._receipt(decision.act, [recorded[key] for key in events])
            for decision, events in decisions
        ]

    def decide(self, signed_act: SignedAct) -> Decision:
        body, key_id, signature = read_signed_act(signed_act)
        return self._decide(body, key_id, signature, self.clock(), None)

    def redecide(
        self,
        signed_act: str,
        key_id: str,
        signature: bytes,
        recorded_at: datetime,
        aggregates: dict[UUID, Unit | Authority],
        *,
        body: dict[str, Any] | None = None,
    ) -> Decision:
        """Decide a recorded act again, as the auditor does: against ``aggregates`` (the state
        replayed in memory, changed in place) at the moment it was recorded. The signature is
        not checked here; the auditor checks every signature in parallel beforehand. ``body``
        is ``signed_act`` already parsed with :func:`parse_json`, if the caller has it.
        """
        token = _batch.set(aggregates)
        try:
            body = parse_json(signed_act) if body is None else body
            if not isinstance(body, dict):
                raise ActFormatError("the recorded act is not a JSON object")
            return self._decide(body, key_id, signature, recorded_at, signed_act.encode())
        finally:
            _batch.reset(token)

    def _decide(
        self,
        body: dict[str, Any],
        key_id: str,
        signature: bytes,
        now: datetime,
        verified: bytes | None,
    ) -> Decision:
        signer = self._signer(body, key_id)
        key = signer.key(key_id)
        signed = verified or check_signature(body, key.public_key, signature)
        act = parse_act(body, signed, key_id, signature)
        if act.signed_at > now + CLOCK_SKEW:
            raise SignatureError(f"the act is signed in the future ({act.signed_at.isoformat()})")
        key.check_valid_at(act.signed_at, "when the act was signed")
        key.check_valid_at(now, "now, when the act is recorded")
        command: Callable[[Act, Authority, datetime], Decision]
        command = getattr(self, act.kind)
        try:
            return command(act, signer, now)
        except AlreadyRecorded as already:
            return Decision(act, [], already.receipt)

    def record(self, decision: Decision) -> Receipt:
        if decision.already is not None:
            return decision.already
        return self._receipt(decision.act, self._placed(self._save(decision.aggregates)))

    def _save(self, aggregates: Aggregates) -> list[Recording[UUID]]:
        """Save the aggregates' new events with their act ids, in one transaction.

        The recorder keeps every act id in a table written in the same transaction: an act id
        already recorded (on any unit) refuses the whole save with :class:`ActIdTakenError`.
        """
        act_ids = _act_ids(aggregates)
        try:
            return self.save(*aggregates, act_ids=act_ids)
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

    # --- the registry and its authorities -------------------------------------------------

    def found_registry(self, act: Act, signer: Authority, now: datetime) -> Decision:
        root_id = authority_id_for(ROOT)
        root = Authority._create(RegistryFounded, id=root_id, **self._common(act, root_id, now, []))
        return Decision(act, [root])

    def register_authority(self, act: Act, signer: Authority, now: datetime) -> Decision:
        self._check_root(act)
        code = act.fields["code"]
        if code == ROOT:
            raise ActFormatError("'root' is the registry's own key, not an authority code")
        check_jurisdiction(act.fields["jurisdiction"])
        for programme in act.fields["programmes"]:
            if programme not in set(Programme):
                allowed = ", ".join(p.value for p in Programme)
                raise ActFormatError(f"{programme!r} is not a programme; programmes: {allowed}")
        existing = self._find_authority(code)
        if existing is not None:
            self._check_new(act, existing, f"authority {code!r} is already registered")
        authority = Authority._create(
            AuthorityRegistered,
            id=authority_id_for(code),
            **self._common(act, signer.id, now, []),
        )
        return Decision(act, [authority])

    def add_key(self, act: Act, signer: Authority, now: datetime) -> Decision:
        self._check_root(act)
        authority = self._authority(str(act.for_authority))
        self._check_new(act, authority)
        public_key = b64decode(act.fields["public_key"], "public key")
        check_public_key(public_key)
        new_key_id = key_id_of(public_key)
        if new_key_id in authority.keys:
            raise HistoryError(f"key {new_key_id} is already a key of {authority.name}")
        authority.record(
            act.event_class, new_key_id=new_key_id, **self._common(act, signer.id, now, [])
        )
        return Decision(act, [authority])

    def revoke_key(self, act: Act, signer: Authority, now: datetime) -> Decision:
        self._check_root(act)
        authority = self._authority(str(act.for_authority))
        self._check_new(act, authority)
        key = authority.key(act.fields["revoked_key_id"])
        if key.revoked_at is not None:
            raise HistoryError(f"key {key.key_id} was already revoked on {key.revoked_at}")
        authority.record(act.event_class, **self._common(act, signer.id, now, []))
        return Decision(act, [authority])

    # --- units ----------------------------------------------------------------------------

    def register_unit(self, act: Act, signer: Authority, now: datetime) -> Decision:
        fields = dict(act.fields)
        check_division(fields["division"])
        self._check_area(signer, fields["division"])
        if fields["credit_code"] is not None:
            fields["credit_code"] = check_credit_code(fields["credit_code"])
            unit_id = unit_id_for_credit_code(fields["credit_code"])
        else:
            # A park, or an enterprise known only by name (the published national lists give
            # no credit codes): its id derives from the act that registered it.
            unit_id = unit_id_for_act(act.act_id)
        existing = self._find_unit(unit_id)
        if existing is not None:
            self._check_new(
                act,
                existing,
                f"a unit with credit code {fields['credit_code']} is already "
                f"registered as {existing.state.name} ({existing.id})",
            )
        unit = Unit._create(
            UnitRegistered,
            id=unit_id,
            **{**self._common(act, signer.id, now, []), **fields},
        )
        return Decision(act, [unit])

    def designate(self, act: Act, signer: Authority, now: datetime) -> Decision:
        unit, rulebook = self._unit_and_rulebook(act, signer)
        programme, jurisdiction = act.fields["programme"], act.fields["jurisdiction"]
        self._check_relistable(unit, programme, jurisdiction, act.effective_date)
        rulebook.check_designation(unit.state, programme, jurisdiction, act.effective_date)
        rulebook.check_grade(act.fields["grade"])
        unit.record(act.event_class, **self._common(act, signer.id, now, []))
        return Decision(act, [unit])

    def name_park(self, act: Act, signer: Authority, now: datetime) -> Decision:
        unit, rulebook = self._unit_and_rulebook(act, signer)
        self._check_relistable(unit, ECO_PARK, NATIONAL, act.effective_date)
        rulebook.check_naming(unit.state, act.effective_date)
        unit.record(act.event_class, **self._common(act, signer.id, now, []))
        return Decision(act, [unit])

    def approve_creation(self, act: Act, signer: Authority, now: datetime) -> Decision:
        unit, rulebook = self._unit_and_rulebook(act, signer)
        rulebook.check_creation(unit.state, act.fields["jurisdiction"], act.effective_date)
        unit.record(act.event_class, **self._common(act, signer.id, now, []))
        return Decision(act, [unit])

    def extend_creation(self, act: Act, signer: Authority, now: datetime) -> Decision:
        unit, rulebook = self._unit_and_rulebook(act, signer)
        key = (ECO_PARK, act.fields["jurisdiction"])
        creation = unit.state.creations.get(key)
        if creation is None:
            raise HistoryError(f"{unit.state.name} has no creation period approved by this body")
        rulebook.check_extension(creation, act.effective_date, act.fields["extended_to"])
        unit.record(act.event_class, **self._common(act, signer.id, now, []))
        return Decision(act, [unit])

    def rename(self, act: Act, signer: Authority, now: datetime) -> Decision:
        unit = self._unit_acted_on(act, signer)
        state = unit.state
        if act.fields["new_name"] == state.name:
            raise HistoryError(f"the unit is already called {state.name}")
        if act.effective_date < state.named_since:
            raise HistoryError(
                f"the new name would take effect on {act.effective_date}, before the current "
                f"name {state.name} (in effect since {state.named_since}); use a correction"
            )
        flags = self._notice_flags(unit, act.effective_date, act.fields["reported_on"])
        unit.record(act.event_class, **self._common(act, signer.id, now, flags))
        return Decision(act, [unit])

    def reorganise(self, act: Act, signer: Authority, now: datetime) -> Decision:
        predecessors, successors = act.fields["predecessors"], act.fields["successors"]
        if not predecessors or not successors:
            raise ActFormatError("a reorganisation names at least one predecessor and successor")
        units = [self._unit(str(unit_id)) for unit_id in dict.fromkeys(predecessors + successors)]
        self._check_new(act, units[0])
        for unit in units:
            self._check_area(signer, unit.state.division)
            if unit.state.ceased:
                raise HistoryError(f"{unit.state.name} already ceased in an earlier reorganisation")
        for unit in units:
            flags = self._notice_flags(unit, act.effective_date, act.fields["reported_on"])
            unit.record(act.event_class, **self._common(act, signer.id, now, flags))
        return Decision(act, list(units))

    def file_report(self, act: Act, signer: Authority, now: datetime) -> Decision:
        unit = self._unit_acted_on(act, signer)
        report, year, filed_on = act.fields["report"], act.fields["year"], act.fields["filed_on"]
        deadlines = dict.fromkeys(
            b.report_deadlines[report] for b in RULEBOOKS if report in b.report_deadlines
        )
        if not deadlines:
            kinds = sorted({k for b in RULEBOOKS for k in b.report_deadlines})
            raise ActFormatError(f"{report!r} is not a kind of report; kinds: {', '.join(kinds)}")
        if filed_on <= date(year, 1, 1):
            raise HistoryError(f"a report for {year} cannot be filed on {filed_on}")
        # 000 and 003 share the 003 art. 18 deadline: one deadline, one flag.
        flags = [f for d in deadlines if d for f in late_report_flags(report, year, filed_on, d)]
        unit.record(act.event_class, **self._common(act, signer.id, now, flags))
        return Decision(act, [unit])

    def warn(self, act: Act, signer: Authority, now: datetime) -> Decision:
        unit, rulebook = self._unit_and_rulebook(act, signer)
        designation = self._in_force(unit, act, "warned")
        if designation.status == "warned":
            raise HistoryError(
                f"{unit.state.name} is already warned since {designation.changed_on}"
            )
        rulebook.check_warning(act.fields["ground"], act.effective_date, act.fields["rectify_by"])
        unit.record(act.event_class, **self._common(act, signer.id, now, []))
        return Decision(act, [unit])

    def lift_warning(self, act: Act, signer: Authority, now: datetime) -> Decision:
        unit, _ = self._unit_and_rulebook(act, signer)
        designation = self._in_force(unit, act, "cleared of a warning")
        if designation.status != "warned":
            raise HistoryError(f"{unit.state.name} is not under a warning")
        unit.record(act.event_class, **self._common(act, signer.id, now, []))
        return Decision(act, [unit])

    def remove(self, act: Act, signer: Authority, now: datetime) -> Decision:
        unit, rulebook = self._unit_and_rulebook(act, signer)
        self._in_force(unit, act, "removed")
        programme, jurisdiction = act.fields["programme"], act.fields["jurisdiction"]
        ground = rulebook.ground(act.fields["ground"])
        ended = [designation_key(programme, jurisdiction)]
        if ground.all_levels:
            ended = [
                designation_key(d.programme, d.jurisdiction)
                for d in unit.state.designations.values()
                if d.in_force and d.programme in GREEN_MANUFACTURING
            ]
        bans = rulebook.bans_after(
            programme, jurisdiction, act.fields["ground"], act.effective_date
        )
        unit.record(
            act.event_class,
            ended=ended,
            bans=[ban.to_record() for ban in bans],
            **self._common(act, signer.id, now, []),
        )
        return Decision(act, [unit])

    def disqualify(self, act: Act, signer: Authority, now: datetime) -> Decision:
        unit, rulebook = self._unit_and_rulebook(act, signer)
        programme, jurisdiction = act.fields["programme"], act.fields["jurisdiction"]
        if act.fields["ground"] != "fraud":
            raise RuleError("an application is disqualified for fraud only (003 art. 22)")
        current = unit.state.designations.get((programme, jurisdiction))
        if current is not None and current.in_force:
            raise HistoryError(
                f"{unit.state.name} is listed since {current.since}; remove it instead of "
                "disqualifying an application (003 arts. 21(3), 22)"
            )
        bans = rulebook.disqualification_bans(jurisdiction, act.effective_date)
        unit.record(
            act.event_class,
            bans=[ban.to_record() for ban in bans],
            **self._common(act, signer.id, now, []),
        )
        return Decision(act, [unit])

    def correct(self, act: Act, signer: Authority, now: datetime) -> Decision:
        unit = self._unit(str(act.unit))
        self._check_new(act, unit)
        corrected = unit.acts.get(act.fields["corrects"])
        if corrected is None:
            raise NotFoundError(f"{unit.state.name} has no act {act.fields['corrects']} to correct")
        if corrected.authority_id != signer.id:
            raise CompetenceError("only the authority that issued an act may correct it")
        allowed = CORRECTABLE.get(type(corrected).__name__, ())
        changes = act.fields["changes"]
        wrong = sorted(set(changes) - set(allowed))
        if not changes or wrong:
            raise RuleError(
                f"a correction of a {type(corrected).__name__} event may change "
                f"{', '.join(allowed) or 'nothing'}; not {', '.join(wrong) or 'nothing'}"
            )
        unit.record(act.event_class, **self._common(act, signer.id, now, []))
        return Decision(act, [unit])

    # --- checks shared by the commands ----------------------------------------------------

    def _signer(self, body: dict[str, Any], key_id: str) -> Authority:
        code = body.get("authority")
        if not isinstance(code, str):
            raise ActFormatError("'authority' is required: the code of the signing authority")
        if body.get("type") == "found_registry":
            return self._founding_signer(body, key_id)
        authority = self._find_authority(code)
        if authority is None:
            if code == ROOT:
                raise SignatureError("the registry has not been founded: no root key is known")
            raise SignatureError(
                f"the act is signed for {code!r}, an authority the registry "
                "does not know; its key cannot be checked"
            )
        return authority

    def _founding_signer(self, body: dict[str, Any], key_id: str) -> Authority:
        """The founding act is self-signed by the root key it declares."""
        if self._find_authority(ROOT) is not None:
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

    @staticmethod
    def _check_root(act: Act) -> None:
        if act.authority != ROOT:
            raise CompetenceError("only the registry's root key registers authorities and keys")

    @staticmethod
    def _check_area(authority: Authority, division: str) -> None:
        if authority.code == ROOT or not within(division, authority.jurisdiction):
            raise CompetenceError(
                f"{authority.name or authority.code} ({authority.jurisdiction}) may not act on a "
                f"unit in {name_of(division)} ({division}): it is outside its jurisdiction"
            )

    def _unit_acted_on(self, act: Act, signer: Authority) -> Unit:
        """The unit the act names, if the signer may act on it and the act is new to it."""
        unit = self._unit(str(act.unit))
        self._check_new(act, unit)
        self._check_area(signer, unit.state.division)
        if unit.state.ceased and act.kind != "file_report":
            raise HistoryError(
                f"{unit.state.name} ceased in a reorganisation; act on its successor"
            )
        return unit

    def _unit_and_rulebook(self, act: Act, signer: Authority) -> tuple[Unit, Rulebook]:
        """The unit, and the rulebook for the act's programme and jurisdiction, after checking
        the authority issues that programme for that jurisdiction."""
        programme, jurisdiction = act.fields["programme"], act.fields["jurisdiction"]
        check_jurisdiction(jurisdiction)
        if jurisdiction != signer.jurisdiction:
            raise CompetenceError(
                f"{signer.name} issues lists for {name_of(signer.jurisdiction)} "
                f"({signer.jurisdiction}), not for {name_of(jurisdiction)} ({jurisdiction})"
            )
        if programme not in signer.programmes:
            raise CompetenceError(f"{signer.name} does not issue {programme} designations")
        rulebook = rulebook_for(programme, jurisdiction)
        rulebook.check_act(act.kind, jurisdiction)
        unit = self._unit_acted_on(act, signer)
        return unit, rulebook

    @staticmethod
    def _check_relistable(unit: Unit, programme: str, jurisdiction: str, effective: date) -> None:
        if unit.state.ceased:
            raise HistoryError(f"{unit.state.name} ceased in a reorganisation")
        current = unit.state.designations.get((programme, jurisdiction))
        if current is None:
            return
        if current.in_force:
            raise HistoryError(
                f"{unit.state.name} is already on this list since {current.since} "
                f"({current.document_number})"
            )
        if effective <= current.changed_on:
            raise HistoryError(
                f"the designation would take effect on {effective}, not after the unit left "
                f"this list on {current.changed_on}"
            )

    @staticmethod
    def _in_force(unit: Unit, act: Act, what: str) -> Designation:
        key = (act.fields["programme"], act.fields["jurisdiction"])
        designation = unit.state.designations.get(key)
        if designation is None or not designation.in_force:
            raise HistoryError(
                f"{unit.state.name} is not on the {key[0]} list of {name_of(key[1])}, "
                f"so it cannot be {what}"
            )
        if act.effective_date < designation.changed_on:
            raise HistoryError(
                f"the act takes effect on {act.effective_date}, before the unit's last change on "
                f"this list ({designation.changed_on}, designated {designation.since})"
            )
        return designation

    @staticmethod
    def _notice_flags(unit: Unit, changed_on: date, reported_on: date) -> list[Flag]:
        if reported_on < changed_on:
            raise HistoryError(f"a change on {changed_on} cannot be reported on {reported_on}")
        return [
            f for book in RULEBOOKS for f in book.notice_flags(unit.state, changed_on, reported_on)
        ]

    @staticmethod
    def _common(act: Act, authority_id: UUID, now: datetime, flags: list[Flag]) -> dict[str, Any]:
        return {
            **act.envelope(),
            **act.fields,
            "authority_id": authority_id,
            "timestamp": now,
            "flags": flags,
        }

    # --- reading aggregates ---------------------------------------------------------------

    def _unit(self, reference: str) -> Unit:
        unit_id = _unit_id(reference)
        unit = self._find_unit(unit_id)
        if unit is None:
            raise NotFoundError(f"there is no unit {reference} in the registry")
        return unit

    def _find_unit(self, unit_id: UUID) -> Unit | None:
        aggregate = self._get(unit_id)
        if aggregate is not None and not isinstance(aggregate, Unit):
            raise NotFoundError(f"{unit_id} is not a unit")
        return aggregate

    def _get(self, aggregate_id: UUID) -> object | None:
        """The aggregate, as an unsaved earlier act of this batch left it, or as stored."""
        batch = _batch.get()
        if batch is not None and aggregate_id in batch:
            return batch[aggregate_id]
        try:
            aggregate: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        if batch is not None and isinstance(aggregate, Unit | Authority):
            batch[aggregate_id] = aggregate  # read once per batch (the signer, mostly)
        return aggregate

    def _authority(self, code: str) -> Authority:
        authority = self._find_authority(code)
        if authority is None:
            raise NotFoundError(f"there is no authority {code!r} in the registry")
        return authority

    def _find_authority(self, code: str) -> Authority | None:
        aggregate = self._get(authority_id_for(code))
        if aggregate is not None and not isinstance(aggregate, Authority):
            raise NotFoundError(f"{code!r} is not an authority")
        return aggregate

    @staticmethod
    def _check_new(act: Act, aggregate: Unit | Authority, refusal: str = "") -> None:
        """Raise :class:`AlreadyRecorded` if ``aggregate`` holds this act; with a ``refusal``,
        an aggregate that exists already refuses any other act that would create it."""
        event = aggregate.acts.get(act.act_id)
        if event is None:
            if refusal:
                raise ConflictError(refusal)
            return
        if _content(event.signed_act) != _content(act.signed_act):
            raise ConflictError(
                f"act id {act.act_id} was already used for a different act; "
                "each act needs its own act_id"
            )
        recorded = RecordedEvent(type(event).__name__, aggregate.id, event.originator_version, None)
        raise AlreadyRecorded(Receipt(act.act_id, "already_recorded", [recorded]))

    # --- reading, for the CLI and tests ---------------------------------------------------

    def unit(self, reference: str) -> Unit:
        """The unit with this id or credit code."""
        return self._unit(reference)

    def authority(self, code: str) -> Authority:
        return self._authority(code)

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


@lru_cache(maxsize=1 << 17)
def _unit_id(reference: str) -> UUID:
    """A unit is named by its id (a UUID) or by its credit code (pure: answers are cached)."""
    try:
        return UUID(reference)
    except ValueError:
        pass
    if len(compact(reference)) == CREDIT_CODE_LENGTH:
        return unit_id_for_credit_code(check_credit_code(reference))
    raise ActFormatError(
        f"{reference!r} names no unit: give the unit's id (a UUID) or its credit code"
    )


class ActIdTakenError(IntegrityError):
    """Raised by a recorder, inside the write transaction, when an act id is already stored."""

    def __init__(self, act_ids: Iterable[str]) -> None:
        self.act_ids = sorted(act_ids)
        super().__init__(f"act ids already recorded: {', '.join(self.act_ids)}")


def _act_ids(aggregates: Aggregates) -> list[str]:
    """The distinct act ids of the aggregates' pending events. One act may record events on
    several units (a reorganisation); two different acts with one act id are a conflict."""
    contents: dict[UUID, dict[str, Any]] = {}
    for aggregate in aggregates:
        for event in aggregate.pending_events:
            if not isinstance(event, RegistryEvent):
                continue
            content = contents.setdefault(event.act_id, _content(event.signed_act))
            if content != _content(event.signed_act):
                raise ConflictError(
                    f"act id {event.act_id} is used by two different acts; "
                    "each act needs its own act_id. Nothing was recorded."
                )
    return [str(act_id) for act_id in contents]


def _content(signed_act: str) -> dict[str, Any]:
    """What an act says, apart from when it was signed: a re-signed act is the same act."""
    content = dict(parse_json(signed_act))
    content.pop("signed_at", None)
    return content
