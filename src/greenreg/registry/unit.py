"""The ``Unit`` aggregate: a park or an enterprise, and everything that happened to it.

A unit folds its events into the state the rulebooks judge the next act against: its name, its
designations by (programme, jurisdiction), its eco-park creation periods, its bans, the public
complaints about it (003 art. 25), and the act ids it has recorded (so a resubmitted act is
recognised). A complaint verified with a rectification order puts the listing under
rectification: the status ``warned``, as a warning does, until the warning is lifted.

It also guards its own history (the ``check_*`` methods): an act may not relist a unit that is
listed, warn one that is not, rename it to the name it has, or act on a unit that ceased. What
the law says beyond the unit's own history (bans, deadlines, grounds) is the rulebooks' part.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache, singledispatchmethod
from typing import Any, Literal
from uuid import UUID, uuid5

from greenreg.errors import CompetenceError, HistoryError, NotFoundError, RuleError
from greenreg.events.places import Level, level_of, name_of
from greenreg.events.vocabulary import (
    ApplicationDisqualified,
    BanRecord,
    ComplaintDecided,
    ComplaintRecorded,
    Corrected,
    CreationApproved,
    CreationExtended,
    CreationStopped,
    Designated,
    IdentifierAttached,
    IncidentRecorded,
    RegistryEvent,
    Removed,
    Renamed,
    Reorganised,
    ReportFiled,
    UnitRegistered,
    Warned,
    WarningLifted,
)
from greenreg.registry.aggregate import RegistryAggregate

NAMESPACE = UUID("5d3a3f4e-8a52-4f1e-9b0e-6c1f2a9d7e10")

Status = Literal["listed", "warned", "removed", "superseded"]

CORRECTABLE = {
    "Designated": ("document_number", "batch", "grade"),
    "Named": ("document_number", "batch", "grade"),
    "UnitRegistered": ("name",),
    "Renamed": ("name",),
}
"""Which fields a correction may change, by the type of the corrected event."""


@lru_cache(maxsize=1 << 17)
def unit_id_for_credit_code(credit_code: str) -> UUID:
    """A unit with a credit code has one id, whoever registers it (pure: the registration and
    the acts naming the unit by its code after it ask for it; the answers are cached)."""
    return uuid5(NAMESPACE, f"uscc:{credit_code}")


def unit_id_for_act(act_id: UUID) -> UUID:
    """A unit without a credit code (most parks) takes its id from the act that registered it."""
    return uuid5(NAMESPACE, f"act:{act_id}")


@dataclass(frozen=True)
class Designation:
    programme: str
    jurisdiction: str
    since: date
    status: Status
    changed_on: date
    act_id: UUID
    document_number: str
    batch: str | None
    grade: str | None
    rectify_by: date | None = None

    @property
    def level(self) -> Level:
        return level_of(self.jurisdiction)

    @property
    def in_force(self) -> bool:
        return self.status in ("listed", "warned")


@dataclass(frozen=True)
class Creation:
    """An eco-industrial park's creation period (004 art. 13)."""

    programme: str
    jurisdiction: str
    approved_on: date
    extended_to: date | None
    act_id: UUID


@dataclass(frozen=True)
class Ban:
    programmes: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    first_day: date
    last_day: date
    rule: str
    ground: str

    @classmethod
    def from_record(cls, record: BanRecord) -> Ban:
        return cls(
            programmes=tuple(record["programmes"]),
            jurisdictions=tuple(record["jurisdictions"]),
            first_day=date.fromisoformat(record["first_day"]),
            last_day=date.fromisoformat(record["last_day"]),
            rule=record["rule"],
            ground=record["ground"],
        )

    def to_record(self) -> BanRecord:
        return {
            "programmes": list(self.programmes),
            "jurisdictions": list(self.jurisdictions),
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "rule": self.rule,
            "ground": self.ground,
        }


@dataclass(frozen=True)
class Complaint:
    """A public complaint about the unit's listing on (programme, jurisdiction) (003 art. 25),
    received on ``received_on`` by ``recorded_by``; ``outcome`` once decided."""

    programme: str
    jurisdiction: str
    received_on: date
    recorded_by: UUID
    outcome: str | None = None


@dataclass(frozen=True)
class Removal:
    """The unit left a list (``programme``, ``jurisdiction``) on ``removed_on``, by its owner."""

    programme: str
    jurisdiction: str
    removed_on: date
    ground: str


@dataclass(frozen=True)
class Incident:
    """A major accident or level-II+ environmental incident at the unit (003 arts. 19-21)."""

    incident: str
    occurred_on: date
    document_number: str


LATE_CHANGE_RULE = "004 art. 14 (first)"
"""The rule whose late-notice flag withholds an eco-park's acceptance (不予开展验收)."""


@dataclass
class UnitState:
    kind: str = ""
    name: str = ""
    credit_code: str | None = None
    division: str = ""
    registered_on: date = date.min
    named_since: date = date.min
    former_names: list[tuple[str, date]] = field(default_factory=list)
    designations: dict[tuple[str, str], Designation] = field(default_factory=dict)
    creations: dict[tuple[str, str], Creation] = field(default_factory=dict)
    bans: list[Ban] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    late_changes: list[date] = field(default_factory=list)
    reports: dict[tuple[str, int], date] = field(default_factory=dict)
    predecessors: list[UUID] = field(default_factory=list)
    successors: list[UUID] = field(default_factory=list)
    ceased: bool = False
    complaints: dict[UUID, Complaint] = field(default_factory=dict)


class Unit(RegistryAggregate):
    """A park or an enterprise under the registry."""

    KEPT = (Removed, Designated, UnitRegistered, Renamed)
    """A removal, which a complaint's decision names (:meth:`check_removal`), and the events
    a correction corrects (:data:`CORRECTABLE`; a ``Named`` is a ``Designated``)."""

    def __init__(self) -> None:
        super().__init__()
        self.state = UnitState()

    # --- guards: may this act happen to this unit, given its history? ----------------------

    def check_active(self) -> None:
        """A unit that ceased in a reorganisation is acted on through its successor."""
        if self.state.ceased:
            raise HistoryError(
                f"{self.state.name} ceased in a reorganisation; act on its successor"
            )

    def check_reorganisable(self) -> None:
        if self.state.ceased:
            raise HistoryError(f"{self.state.name} already ceased in an earlier reorganisation")

    def check_relistable(self, programme: str, jurisdiction: str, effective: date) -> None:
        """The unit may be put on this list from ``effective``: it is not on it, and any earlier
        listing ended before that day."""
        if self.state.ceased:
            raise HistoryError(f"{self.state.name} ceased in a reorganisation")
        current = self.state.designations.get((programme, jurisdiction))
        if current is None:
            return
        if current.in_force:
            raise HistoryError(
                f"{self.state.name} is already on this list since {current.since} "
                f"({current.document_number})"
            )
        if effective <= current.changed_on:
            raise HistoryError(
                f"the designation would take effect on {effective}, not after the unit left "
                f"this list on {current.changed_on}"
            )

    def check_in_force(
        self, programme: str, jurisdiction: str, effective: date, what: str
    ) -> Designation:
        """The unit's designation on this list, in force and unchanged after ``effective``;
        ``what`` says what the act would do to it ("removed", "warned")."""
        designation = self.state.designations.get((programme, jurisdiction))
        if designation is None or not designation.in_force:
            raise HistoryError(
                f"{self.state.name} is not on the {programme} list of {name_of(jurisdiction)}, "
                f"so it cannot be {what}"
            )
        if effective < designation.changed_on:
            raise HistoryError(
                f"the act takes effect on {effective}, before the unit's last change on "
                f"this list ({designation.changed_on}, designated {designation.since})"
            )
        return designation

    def check_warnable(self, programme: str, jurisdiction: str, effective: date) -> None:
        designation = self.check_in_force(programme, jurisdiction, effective, "warned")
        if designation.status == "warned":
            raise HistoryError(
                f"{self.state.name} is already warned since {designation.changed_on}"
            )

    def check_under_warning(self, programme: str, jurisdiction: str, effective: date) -> None:
        what = "cleared of a warning"
        designation = self.check_in_force(programme, jurisdiction, effective, what)
        if designation.status != "warned":
            raise HistoryError(f"{self.state.name} is not under a warning")

    def check_disqualifiable(self, programme: str, jurisdiction: str) -> None:
        """An application is disqualified only while the unit is not on that list."""
        current = self.state.designations.get((programme, jurisdiction))
        if current is not None and current.in_force:
            raise HistoryError(
                f"{self.state.name} is listed since {current.since}; remove it instead of "
                "disqualifying an application (003 arts. 21(3), 22)"
            )

    def check_in_creation(self, programme: str, jurisdiction: str) -> Creation:
        """The creation period ``jurisdiction`` approved for this unit."""
        creation = self.state.creations.get((programme, jurisdiction))
        if creation is None:
            raise HistoryError(f"{self.state.name} has no creation period approved by this body")
        return creation

    def check_open_complaint(self, complaint_id: UUID, effective: date) -> Complaint:
        """The complaint recorded by act ``complaint_id``, not yet decided, received on or
        before ``effective``."""
        complaint = self.state.complaints.get(complaint_id)
        if complaint is None:
            raise NotFoundError(
                f"{self.state.name} has no complaint recorded by act {complaint_id}"
            )
        if complaint.outcome is not None:
            raise HistoryError(
                f"the complaint {complaint_id} was already decided: {complaint.outcome}"
            )
        if effective < complaint.received_on:
            raise HistoryError(
                f"the decision takes effect on {effective}, before the complaint was "
                f"received on {complaint.received_on}"
            )
        return complaint

    def check_removal(self, removal_id: UUID, complaint: Complaint) -> Removed:
        """The recorded removal ``removal_id`` ended the complaint's listing, on or after the
        day the complaint was received."""
        recorded = self.acts.get(removal_id)
        removal = None if recorded is None else recorded.event
        key = designation_key(complaint.programme, complaint.jurisdiction)
        if not isinstance(removal, Removed) or key not in removal.ended:
            raise HistoryError(
                f"act {removal_id} is not a removal of {self.state.name} from the "
                f"{complaint.programme} list of {name_of(complaint.jurisdiction)}; the list's "
                "owner removes it first (a remove act under 003 art. 21), then the decision "
                "names that act"
            )
        if removal.effective_date < complaint.received_on:
            raise HistoryError(
                f"the removal took effect on {removal.effective_date}, before the complaint "
                f"was received on {complaint.received_on}"
            )
        return removal

    def check_creation_running(self, creation: Creation, effective: date) -> None:
        """An act on a creation period takes effect on or after its approval."""
        if effective < creation.approved_on:
            raise HistoryError(
                f"the act takes effect on {effective}, before the creation was approved "
                f"on {creation.approved_on}"
            )

    def check_incident_date(self, occurred_on: date) -> None:
        """An incident happens to a registered unit: not before its registration."""
        if occurred_on < self.state.registered_on:
            raise HistoryError(
                f"the incident on {occurred_on} is before {self.state.name} was registered "
                f"({self.state.registered_on})"
            )

    def check_renamable(self, new_name: str, effective: date) -> None:
        state = self.state
        if new_name == state.name:
            raise HistoryError(f"the unit is already called {state.name}")
        if effective < state.named_since:
            raise HistoryError(
                f"the new name would take effect on {effective}, before the current "
                f"name {state.name} (in effect since {state.named_since}); use a correction"
            )

    def check_code_attachable(self, credit_code: str) -> None:
        """A unit holds one credit code for its life (GB 32100 assigns it once): one it has is
        not attached again, and a second one is refused (a wrong code attached is an erratum,
        not a second code)."""
        held = self.state.credit_code
        if held == credit_code:
            raise HistoryError(f"{self.state.name} already holds credit code {credit_code}")
        if held is not None:
            raise HistoryError(
                f"{self.state.name} already holds credit code {held}; a unit has one credit "
                f"code for its life, so {credit_code} cannot be attached to it"
            )

    def check_correctable(self, act_id: UUID, authority_id: UUID, changes: dict[str, Any]) -> None:
        """An act of this unit may be corrected by its own authority, in the fields
        :data:`CORRECTABLE` allows for its event."""
        corrected = self.acts.get(act_id)
        if corrected is None:
            raise NotFoundError(f"{self.state.name} has no act {act_id} to correct")
        if corrected.authority_id != authority_id:
            raise CompetenceError("only the authority that issued an act may correct it")
        allowed = CORRECTABLE.get(corrected.event_type, ())
        wrong = sorted(set(changes) - set(allowed))
        if not changes or wrong:
            raise RuleError(
                f"a correction of a {corrected.event_type} event may change "
                f"{', '.join(allowed) or 'nothing'}; not {', '.join(wrong) or 'nothing'}"
            )

    # --- folding events into the state ------------------------------------------------------

    @singledispatchmethod
    def fold(self, event: RegistryEvent) -> None:
        raise NotImplementedError(type(event).__name__)  # a programming error

    @fold.register
    def _(self, event: UnitRegistered) -> None:
        s = self.state
        s.kind, s.name, s.credit_code, s.division = (
            event.kind,
            event.name,
            event.credit_code,
            event.division,
        )
        s.registered_on = s.named_since = event.effective_date

    @fold.register
    def _(self, event: IdentifierAttached) -> None:
        self.state.credit_code = event.value

    @fold.register
    def _(self, event: Designated) -> None:
        key = (str(event.programme), event.jurisdiction)
        self.state.designations[key] = Designation(
            programme=key[0],
            jurisdiction=key[1],
            since=event.effective_date,
            status="listed",
            changed_on=event.effective_date,
            act_id=event.act_id,
            document_number=event.document_number,
            batch=event.batch,
            grade=event.grade,
        )
        # Naming (CN) ends the creation period the province approved (320000...): match by
        # programme, not by jurisdiction, or a named park would stay "in creation" (004 art. 14).
        for creation in [k for k in self.state.creations if k[0] == key[0]]:
            del self.state.creations[creation]

    @fold.register
    def _(self, event: CreationApproved) -> None:
        key = (str(event.programme), event.jurisdiction)
        self.state.creations[key] = Creation(
            programme=key[0],
            jurisdiction=key[1],
            approved_on=event.effective_date,
            extended_to=None,
            act_id=event.act_id,
        )

    @fold.register
    def _(self, event: CreationExtended) -> None:
        key = (str(event.programme), event.jurisdiction)
        self.state.creations[key] = replace(
            self.state.creations[key], extended_to=event.extended_to
        )

    @fold.register
    def _(self, event: CreationStopped) -> None:
        del self.state.creations[(str(event.programme), event.jurisdiction)]

    @fold.register
    def _(self, event: IncidentRecorded) -> None:
        self.state.incidents.append(
            Incident(event.incident, event.effective_date, event.document_number)
        )

    @fold.register
    def _(self, event: Renamed) -> None:
        s = self.state
        s.former_names.append((s.name, s.named_since))
        s.name, s.named_since = event.new_name, event.effective_date
        self._note_late_change(event)

    def _note_late_change(self, event: RegistryEvent) -> None:
        """A change during creation reported late (its flag) withholds acceptance."""
        if any(f["rule"] == LATE_CHANGE_RULE for f in event.flags):
            self.state.late_changes.append(event.effective_date)

    @fold.register
    def _(self, event: Reorganised) -> None:
        s = self.state
        s.predecessors.extend(u for u in event.predecessors if u != self.id)
        s.successors.extend(u for u in event.successors if u != self.id)
        self._note_late_change(event)
        if self.id in event.predecessors and self.id not in event.successors:
            s.ceased = True
            for key, designation in s.designations.items():
                if designation.in_force:
                    s.designations[key] = replace(
                        designation, status="superseded", changed_on=event.effective_date
                    )

    @fold.register
    def _(self, event: ReportFiled) -> None:
        self.state.reports[(event.report, event.year)] = event.filed_on

    @fold.register
    def _(self, event: Warned) -> None:
        key = (str(event.programme), event.jurisdiction)
        self.state.designations[key] = replace(
            self.state.designations[key],
            status="warned",
            changed_on=event.effective_date,
            rectify_by=event.rectify_by,
        )

    @fold.register
    def _(self, event: WarningLifted) -> None:
        key = (str(event.programme), event.jurisdiction)
        self.state.designations[key] = replace(
            self.state.designations[key],
            status="listed",
            changed_on=event.effective_date,
            rectify_by=None,
        )

    @fold.register
    def _(self, event: Removed) -> None:
        for ended in event.ended:
            programme, jurisdiction = ended.split("@")
            key = (programme, jurisdiction)
            self.state.designations[key] = replace(
                self.state.designations[key], status="removed", changed_on=event.effective_date
            )
            self.state.removals.append(
                Removal(programme, jurisdiction, event.effective_date, event.ground)
            )
        self.state.bans.extend(Ban.from_record(record) for record in event.bans)

    @fold.register
    def _(self, event: ApplicationDisqualified) -> None:
        self.state.bans.extend(Ban.from_record(record) for record in event.bans)

    @fold.register
    def _(self, event: ComplaintRecorded) -> None:
        self.state.complaints[event.act_id] = Complaint(
            programme=str(event.programme),
            jurisdiction=event.jurisdiction,
            received_on=event.effective_date,
            recorded_by=event.authority_id,
        )

    @fold.register
    def _(self, event: ComplaintDecided) -> None:
        complaint = self.state.complaints[event.complaint]
        self.state.complaints[event.complaint] = replace(complaint, outcome=event.outcome)
        if event.outcome == "rectification":
            key = (complaint.programme, complaint.jurisdiction)
            self.state.designations[key] = replace(
                self.state.designations[key],
                status="warned",
                changed_on=event.effective_date,
                rectify_by=event.rectify_by,
            )

    @fold.register
    def _(self, event: Corrected) -> None:
        corrected, changes, s = self.acts[event.corrects].event, event.changes, self.state
        if isinstance(corrected, Designated):
            key = (str(corrected.programme), corrected.jurisdiction)
            current = s.designations[key]
            if current.act_id == corrected.act_id:
                s.designations[key] = replace(
                    current,
                    document_number=changes.get("document_number") or current.document_number,
                    batch=changes.get("batch", current.batch),
                    grade=changes.get("grade", current.grade),
                )
        elif "name" in changes:
            wrong = corrected.name if isinstance(corrected, UnitRegistered) else ""
            wrong = corrected.new_name if isinstance(corrected, Renamed) else wrong
            right = str(changes["name"])
            s.name = right if s.name == wrong else s.name
            s.former_names = [(right if n == wrong else n, d) for n, d in s.former_names]


def designation_key(programme: str, jurisdiction: str) -> str:
    """The text form of a designation's key, as in ``Removed.ended``: ``programme@jurisdiction``."""
    return f"{programme}@{jurisdiction}"
