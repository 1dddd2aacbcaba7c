"""The event vocabulary: every fact the registry records, in the past tense.

Each event is the outcome of one signed act. Besides its own fields it carries:

- the *effective date* (valid time: when the fact took effect, from the issuing document) and the
  *recorded time* (``timestamp``, stamped by the registry when it stored the event);
- provenance: the issuing authority, the document number (文号), optionally the SHA-256 of the
  source document;
- the signed act itself (``signed_act``: RFC 8785 canonical JSON), its Ed25519 ``signature`` and
  the ``key_id`` that made it, so anyone can re-verify it later with public keys only;
- what the registry concluded when it recorded the act: compliance ``flags`` (late notices, late
  reports) and, for removals and disqualifications, the ``bans`` that follow, each citing its rule.

The fields an act supplies are exactly the event's own fields (see :data:`ACT_FIELDS`); the
registry derives the rest. Events fold into aggregates through ``Aggregate.when``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from eventsourcing.domain import AggregateCreated, AggregateEvent

from greenreg.events.places import Level, level_of


class Programme(StrEnum):
    GREEN_FACTORY = "green_factory"  # 绿色工厂
    GREEN_PARK = "green_park"  # 绿色工业园区
    GREEN_SUPPLY_CHAIN = "green_supply_chain"  # 绿色供应链管理企业
    ZJ_LOW_CARBON_PARK = "zj_low_carbon_park"  # 浙江省绿色低碳工业园区
    ECO_PARK = "eco_park"  # 生态文明建设示范区（生态工业园区）


UnitKind = Literal["park", "enterprise"]
RulebookName = Literal["national", "chongqing", "zhejiang", "provincial", "eco_parks"]
"""The rulebooks an adoption may name: one per policy text (see ``registry/rulebooks``)."""
ReorganisationKind = Literal["merger", "split", "acquisition", "boundary_change"]
IncidentKind = Literal[
    "major_safety_accident",  # 重大及以上生产安全事故
    "major_quality_accident",  # 重大及以上质量事故
    "major_environmental_incident",  # II级（重大）及以上突发环境污染事件
]
Flag = dict[str, str]
"""A compliance flag: ``{"code", "rule", "message"}``; raised, never a reason to refuse."""
BanRecord = dict[str, Any]
"""A ban: ``{"programmes", "jurisdictions", "first_day", "last_day", "rule", "ground"}``."""
SanctionRecord = dict[str, Any]
"""An evaluator's sanction: ``{"rule", "source", "area", "first_day", "last_day"}``: lists
governed by ``source`` (``003``, ``001``) within ``area`` do not accept its results from
``first_day`` to ``last_day`` inclusive (``None``: no end)."""
ComplaintOutcome = Literal["unfounded", "rectification", "removal"]
IdentifierScheme = Literal["uscc"]
"""The identifier schemes an authority may attach to a unit: ``uscc``, the Unified Social
Credit Code (GB 32100-2015) of an enterprise, or of a park's management body (a park has no
legal personality; its management committee or company has the code). Open to more schemes
(the organisation code of GB 11714 in documents before 2015, a foreign entity's LEI), each with
its own check, once a list needs one."""


class RegistryEvent(AggregateEvent):
    """What every recorded event carries: the act's envelope and the registry's conclusions."""

    act_id: UUID
    authority_id: UUID
    signed_at: datetime
    effective_date: date
    document_number: str
    document_sha256: str | None
    signed_act: str
    signature: str
    key_id: str
    flags: list[Flag]

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


class Created(RegistryEvent, AggregateCreated):
    """The first event of an aggregate."""


# --- the registry and its authorities (signed by the registry's root key) -------------------


class RegistryFounded(Created):
    """The registry came into being under a root key: the trust anchor of everything after."""

    name: str
    root_public_key: str


class AuthorityRegistered(Created):
    """An issuing authority, its jurisdiction and the programmes it may issue designations for."""

    code: str
    name: str
    jurisdiction: str
    programmes: list[str]


class KeyAdded(RegistryEvent):
    """An authority may sign with this key from ``valid_from`` until ``valid_until`` (if any)."""

    public_key: str
    new_key_id: str
    valid_from: datetime
    valid_until: datetime | None


class KeyRevoked(RegistryEvent):
    """From ``revoked_at`` on, nothing signed with the key is accepted."""

    revoked_key_id: str
    revoked_at: datetime
    reason: str


class LogKeyDeclared(RegistryEvent):
    """The root declared that the log key ``public_key`` signs the checkpoints and receipts of
    the log named ``origin`` from ``valid_from`` on. Recorded on the root's aggregate, so the
    declaration is itself a log entry that every later checkpoint covers."""

    origin: str
    public_key: str
    log_key_id: str
    valid_from: datetime


class RulesAdopted(RegistryEvent):
    """The root declared that ``rulebook`` governs the lists of ``jurisdiction`` from the
    effective date through ``in_force_until`` (inclusive; ``None``: until further notice), as
    enacted by the document the act cites. Recorded on the root's aggregate."""

    rulebook: RulebookName
    jurisdiction: str
    in_force_until: date | None


# --- units -------------------------------------------------------------------------------------


class UnitRegistered(Created):
    """A park (园区) or an enterprise (企业) became known to the registry."""

    kind: UnitKind
    name: str
    credit_code: str | None
    division: str
    registered_elsewhere: str | None = None
    """Why an authority registers a unit whose credit code was issued outside its jurisdiction
    (positions 3-8 of the code name the issuing registration authority's division); absent in
    events recorded before the registry checked it."""


class IdentifierAttached(RegistryEvent):
    """An identifier (a credit code) was recorded for a unit already registered, so that the
    unit can be found by it. It names the unit through its whole life, not from the effective
    date on (GB 32100 assigns a code once, for the life of its holder); the effective date is
    the day of the document that states it. Recorded with :class:`IdentifierClaimed`."""

    scheme: IdentifierScheme
    value: str
    registered_elsewhere: str | None = None
    """Why an authority records a code issued outside its jurisdiction (positions 3-8), as in
    :class:`UnitRegistered`."""


class IdentifierClaimed(Created):
    """The identifier's own record, at the id the code gives (the id a unit registered with the
    code would have): it points to the unit that holds it, so the code is held once across all
    units. Recorded by the same act as :class:`IdentifierAttached`."""

    scheme: IdentifierScheme
    value: str
    registered_elsewhere: str | None
    unit: UUID


class Designated(RegistryEvent):
    """The unit was put on a programme's list by the issuing jurisdiction (认定 / 纳入名单)."""

    programme: Programme
    jurisdiction: str
    batch: str | None
    grade: str | None
    evaluator: str | None = None
    """The third-party evaluator whose evaluation the designation rests on (its id or credit
    code, as the act named it), if the act names one. Events recorded before the field existed
    read it as ``None``: the class default."""

    @property
    def level(self) -> Level:
        return level_of(self.jurisdiction)


class Named(Designated):
    """An eco-industrial park passed acceptance and was named (验收, 命名; 004 arts. 16-21)."""


class CreationApproved(RegistryEvent):
    """An eco-industrial park was approved to start its creation period (同意创建; 004 art. 12)."""

    programme: Programme
    jurisdiction: str


class CreationExtended(RegistryEvent):
    """The creation period was extended, once, to ``extended_to`` inclusive (004 art. 13)."""

    programme: Programme
    jurisdiction: str
    extended_to: date


class Renamed(RegistryEvent):
    """The unit's name changed with effect from the effective date; the unit stays the same."""

    new_name: str
    reported_on: date


class Reorganised(RegistryEvent):
    """A merger, split, acquisition or boundary change linking predecessor and successor units.

    One act records this event on every unit involved, all with the same ``act_id``.
    """

    reorganisation: ReorganisationKind
    predecessors: list[UUID]
    successors: list[UUID]
    reported_on: date


class ReportFiled(RegistryEvent):
    """A yearly report was filed (dynamic-management form, key indicators, work report...)."""

    report: str
    year: int
    filed_on: date


class Warned(RegistryEvent):
    """A listed unit was warned (退出警示 / 限期整改) and must rectify by ``rectify_by``."""

    programme: Programme
    jurisdiction: str
    ground: str
    rectify_by: date


class WarningLifted(RegistryEvent):
    """The warning was lifted: the unit may use the title again."""

    programme: Programme
    jurisdiction: str


class Removed(RegistryEvent):
    """The unit was removed from a list (撤销 / 移出) by the list's owner; ``ended`` names that
    list, and ``bans`` says what the unit may not do, and until when."""

    programme: Programme
    jurisdiction: str
    ground: str
    ended: list[str]
    bans: list[BanRecord]


class IncidentRecorded(RegistryEvent):
    """A major production-safety or quality accident, or a level-II (major) or worse sudden
    environmental incident, happened at the unit on the effective date (003 arts. 19-21).

    A fact, not a removal: each list the unit is on is ended by the authority that owns it.
    """

    incident: IncidentKind


class CreationStopped(RegistryEvent):
    """The province stopped the park's creation (停止创建; 004 art. 15): the period ends."""

    programme: Programme
    jurisdiction: str
    ground: str


class ApplicationDisqualified(RegistryEvent):
    """An application was disqualified for fraud, with no designation (003 art. 22)."""

    programme: Programme
    jurisdiction: str
    ground: str
    bans: list[BanRecord]


class Corrected(RegistryEvent):
    """An erratum: the act ``corrects`` stated something wrongly; ``changes`` gives the right
    values. The corrected event itself is never edited.
    """

    corrects: UUID
    changes: dict[str, str | None]
    reason: str


# --- third-party evaluators and public complaints (003 arts. 24-25; 001 art. 22) ----------


class EvaluatorRegistered(Created):
    """A third-party evaluator (第三方评价机构) became known to the registry."""

    name: str
    credit_code: str
    legal_representative: str


class EvaluatorSanctioned(RegistryEvent):
    """An evaluator found to have falsified or concealed in an evaluation: lists under the
    sanctioning rules no longer accept its results (``sanction`` says which, and until when)."""

    evaluator: str
    ground: str
    sanction: SanctionRecord


class ComplaintRecorded(RegistryEvent):
    """A named public report (实名举报) about a listed unit's information was received by the
    municipal authority (or the province) on the effective date (003 art. 25)."""

    programme: Programme
    jurisdiction: str
    matter: str


class ComplaintDecided(RegistryEvent):
    """The complaint ``complaint`` (the act id that recorded it) was verified or found
    unfounded: ``rectification`` orders the unit to rectify by ``rectify_by`` (the title is
    under rectification meanwhile), ``removal`` links the ``remove`` act that ended the listing
    under 003 art. 21."""

    complaint: UUID
    outcome: ComplaintOutcome
    rectify_by: date | None
    removal: UUID | None
    listing: str
    """The listing the complaint concerned, ``programme@jurisdiction`` (derived)."""


#: The act type an authority writes (imperative) and the event it becomes (past tense).
EVENT_OF_ACT: dict[str, type[RegistryEvent]] = {
    "found_registry": RegistryFounded,
    "register_authority": AuthorityRegistered,
    "add_key": KeyAdded,
    "revoke_key": KeyRevoked,
    "adopt_rules": RulesAdopted,
    "declare_log_key": LogKeyDeclared,
    "register_unit": UnitRegistered,
    "attach_identifier": IdentifierAttached,
    "designate": Designated,
    "approve_creation": CreationApproved,
    "extend_creation": CreationExtended,
    "stop_creation": CreationStopped,
    "name_park": Named,
    "rename": Renamed,
    "reorganise": Reorganised,
    "file_report": ReportFiled,
    "warn": Warned,
    "lift_warning": WarningLifted,
    "remove": Removed,
    "disqualify": ApplicationDisqualified,
    "record_incident": IncidentRecorded,
    "correct": Corrected,
    "register_evaluator": EvaluatorRegistered,
    "sanction_evaluator": EvaluatorSanctioned,
    "record_complaint": ComplaintRecorded,
    "decide_complaint": ComplaintDecided,
}

#: Event fields the registry fills in itself; an act may not supply them.
DERIVED_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "act_id",
        "authority_id",
        "signed_at",
        "effective_date",
        "document_number",
        "document_sha256",
        "signed_act",
        "signature",
        "key_id",
        "flags",
        "new_key_id",
        "log_key_id",
        "ended",
        "bans",
        "sanction",
        "listing",
    }
)
