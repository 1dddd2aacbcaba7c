"""The shapes of the REST answers, for the OpenAPI document: one model per answer.

The routes write their answers straight from the read models' views (see
:mod:`greenreg.api.encoding`); these models only state those answers' schemas, with an example
each (:mod:`greenreg.api.examples`), so FastAPI does not validate nor copy an answer on its way
out. The views themselves (frozen dataclasses) are the schemas of their parts: a field added to
a view is in the document at once. No model forbids members it does not name, so a client
coded against them keeps working when an answer gains one.

A view's field computed from the others (``in_force``, ``certified``) is not a field of its
dataclass's ``__init__``, which pydantic leaves out of the schema: :func:`as_written` makes the
model of the view as :func:`~greenreg.api.encoding.plain` writes it, every field included.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from greenreg.api import examples
from greenreg.matching.answers import MatchResult
from greenreg.projections.removals_due import RemovalDue
from greenreg.projections.views import (
    BanView,
    Certification,
    DesignationView,
    HistoryEntry,
    LookupHit,
    RuleView,
    UnitView,
)


def as_written(view: type[Any]) -> type[BaseModel]:
    """The model of a view as it is written out: every field of the dataclass, each present."""
    hints = get_type_hints(view)
    fields: dict[str, Any] = {f.name: (hints[f.name], ...) for f in dataclasses.fields(view)}
    return create_model(view.__name__, __doc__=view.__doc__, **fields)


if TYPE_CHECKING:
    Designation = DesignationView
    CertificationResult = Certification
else:
    Designation = as_written(DesignationView)
    CertificationResult = as_written(Certification)


EXAMPLES: dict[str, dict[str, Any]] = {}
"""Each model's example by the model's name (its schema's title), to put back whole in the
document (see :mod:`greenreg.api.openapi`)."""


def example(answer: dict[str, Any]) -> ConfigDict:
    """The configuration of a model with this example."""

    def add(schema: dict[str, Any], model: type[Any]) -> None:
        schema["examples"] = [answer]
        EXAMPLES[model.__name__] = answer

    return ConfigDict(json_schema_extra=add)


class DataVersionBody(BaseModel):
    """The data version every read answer states (see :mod:`greenreg.api.encoding`)."""

    log_size: int = Field(description="The size of the latest signed checkpoint.")
    root_hash: str = Field(description="Its root hash, hex.")
    checkpoint_key_id: str | None = Field(description="The log key that signed it.")
    event_count: int = Field(description="Events in the store.")
    last_position: int = Field(description="The log position of the last event (-1: none).")
    projected_position: int = Field(
        description="The log position of the last event the read models had folded."
    )
    behind: bool = Field(description="True: the answer may miss the latest events.")


class LogEntryModel(BaseModel):
    """A log entry as its leaf hashes it (docs/receipts.md)."""

    originator_id: str
    originator_version: int
    topic: str
    state_base64: str = Field(description="The stored event's bytes, base64.")


class LogKeyProof(BaseModel):
    """The root's declaration of a log key as a log entry, and its inclusion in a signed tree
    (docs/receipts.md, "the log key proof")."""

    position: int = Field(description="The declaration's log position.")
    entry: LogEntryModel
    inclusion: list[str] = Field(description="The audit path, hex, from the leaf up.")


class WitnessedProofModel(BaseModel):
    """The latest checkpoint the witnesses cosigned as the policy requires, and the consistency
    proof from the receipt's checkpoint to it (docs/receipts.md, "Witness cosignatures")."""

    checkpoint: str = Field(
        description="The checkpoint note: the log's signature line, then the witnesses' "
        "cosignature lines."
    )
    consistency: list[str] = Field(
        description="The RFC 9162 consistency proof, hex, from the receipt's checkpoint to "
        "this one (empty when they are the same)."
    )


class ReceiptModel(BaseModel):
    """A signed receipt of the question and the answer (``?receipt=true``)."""

    document: str = Field(description="The signed receipt's JSON: keep it byte for byte.")
    key_id: str = Field(description="The log key that signed it.")
    log_key: LogKeyProof | None = Field(
        default=None,
        description="The proof that the root declared that key (None: not in the log).",
    )
    witnessed: WitnessedProofModel | None = Field(
        default=None,
        description="Where the registry has witnesses and they have cosigned that far: the "
        "witnessed checkpoint that covers the receipt's (absent: fetch it later from "
        "/api/v1/log/witnessed?size=<the receipt's checkpoint size>).",
    )


class ReadAnswer(BaseModel):
    data_version: DataVersionBody


class UnitAnswer(ReadAnswer):
    model_config = example(examples.UNIT_ANSWER)

    unit: UnitView
    designations: list[Designation] = Field(description="Every list the unit is on or was on.")
    bans: list[BanView]
    removals_due: list[RemovalDue] = Field(
        description="Lists the unit is still on although an incident makes its removal due."
    )
    receipt: ReceiptModel | None = Field(None, description="With ?receipt=true.")


class HistoryAnswer(ReadAnswer):
    model_config = example(examples.HISTORY_ANSWER)

    unit: UnitView
    entries: list[HistoryEntry] = Field(description="Every event of the unit, oldest first.")
    removals_due: list[RemovalDue]


class LookupAnswer(ReadAnswer):
    model_config = example(examples.LOOKUP_ANSWER)

    query: str
    hits: list[LookupHit] = Field(description="Best match first.")
    coverage: str | None = Field(
        None,
        description="When nothing was found: what the registry covers (not found here is not "
        "'not certified').",
    )
    receipt: ReceiptModel | None = Field(None, description="With ?receipt=true.")


class ListAnswer(ReadAnswer):
    model_config = example(examples.LIST_ANSWER)

    programme: str
    level: str | None
    jurisdiction: str | None
    as_of: date | None
    known_at: datetime | None
    items: list[Designation]
    next: str | None = Field(description="The 'after' of the next page, if there is one.")


class BansAnswer(ReadAnswer):
    model_config = example(examples.BANS_ANSWER)

    active_on: date | None
    bans: list[BanView]


class RulesAnswer(ReadAnswer):
    model_config = example(examples.RULES_ANSWER)

    rules: list[RuleView] = Field(description="Every adoption, in log order.")


class CheckAnswer(ReadAnswer):
    model_config = example(examples.CHECK_ANSWER)

    as_of: date
    known_at: datetime | None
    results: list[CertificationResult] = Field(description="One per reference, in order.")
    receipt: ReceiptModel | None = Field(None, description='With "receipt": true.')


class MatchAnswer(ReadAnswer):
    model_config = example(examples.MATCH_ANSWER)

    as_of: date
    known_at: datetime | None
    threshold: float
    results: list[MatchResult] = Field(description="One per query, in order.")
    receipt: ReceiptModel | None = Field(None, description='With "receipt": true.')


class FeedEvent(BaseModel):
    """An event of the log; ``type`` null (and nothing else) for one the events table lacks."""

    position: int = Field(description="Its log position (leaf index, from 0).")
    event_id: str
    type: str | None
    recorded_at: datetime | None = None
    signed_act: str | None = Field(None, description="The act exactly as signed (RFC 8785).")
    signature: str | None = Field(None, description="Base64 Ed25519 signature of signed_act.")
    key_id: str | None = None
    effective_date: date | None = None
    flags: list[dict[str, Any]] | None = None


class EventsAnswer(ReadAnswer):
    model_config = example(examples.EVENTS_ANSWER)

    after: int
    events: list[FeedEvent]
    next: int | None = Field(description="The 'after' of the next page, if there is one.")
    log_size: int


class Checkpoint(BaseModel):
    origin: str
    tree_size: int
    root_hash: str = Field(description="Hex.")
    root_base64: str = Field(description="As the note writes it.")
    key_id: str
    note: str = Field(description="The signed C2SP checkpoint note.")


class Cosignature(BaseModel):
    witness: str = Field(description="The witness's name (its key is in /api/v1/log/witnesses).")
    line: str = Field(description="The C2SP tlog-cosignature note signature line.")


class CosignedCheckpoint(Checkpoint):
    cosignatures: list[Cosignature] = Field(
        default_factory=list, description="The witnesses' cosignatures on this checkpoint."
    )
    cosigned_note: str | None = Field(
        default=None, description="The note with the cosignature lines after the log's."
    )


class CheckpointAnswer(ReadAnswer):
    model_config = example(examples.CHECKPOINT_ANSWER)

    checkpoint: CosignedCheckpoint


class WitnessedAnswer(ReadAnswer):
    model_config = example(examples.WITNESSED_ANSWER)

    witnessed: WitnessedProofModel
    since: int = Field(description="The size the consistency proof runs from.")
    checkpoint: CosignedCheckpoint


class Witness(BaseModel):
    name: str
    public_key: str = Field(description="Base64 of the raw Ed25519 key.")
    key_id: str = Field(description="Hex: SHA-256(name || 0x0A || 0x04 || key)[:4].")
    vkey: str = Field(description="The note verifier key: name+key id+base64(0x04 || key).")
    url: str = Field(description="Its C2SP tlog-witness submission prefix.")


class WitnessesAnswer(BaseModel):
    model_config = example(examples.WITNESSES_ANSWER)

    required: int = Field(description="How many of these witnesses must cosign a checkpoint.")
    witnesses: list[Witness]


class CheckpointsAnswer(ReadAnswer):
    model_config = example(examples.CHECKPOINTS_ANSWER)

    after: int
    checkpoints: list[Checkpoint]
    next: int | None


class Inclusion(BaseModel):
    event_id: str
    position: int
    tree_size: int
    leaf_hash: str
    hashes: list[str] = Field(description="The audit path, from the leaf up (RFC 6962).")
    checkpoint: Checkpoint


class InclusionAnswer(ReadAnswer):
    model_config = example(examples.INCLUSION_ANSWER)

    inclusion: Inclusion


class Consistency(BaseModel):
    first: Checkpoint
    second: Checkpoint
    hashes: list[str]


class LogKeyAnswer(ReadAnswer):
    model_config = example(examples.LOG_KEY_ANSWER)

    log_key: LogKeyProof
    checkpoint: Checkpoint


class ConsistencyAnswer(ReadAnswer):
    model_config = example(examples.CONSISTENCY_ANSWER)

    consistency: Consistency


class PublicKey(BaseModel):
    key_id: str
    public_key: str = Field(description="Base64 Ed25519 public key.")
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None


class AuthorityKeys(BaseModel):
    code: str
    name: str
    jurisdiction: str
    keys: list[PublicKey]


class LogKey(BaseModel):
    key_id: str
    public_key: str
    origin: str
    verifier_key: str = Field(description="The note verifier key (C2SP signed-note).")


class KeysAnswer(ReadAnswer):
    model_config = example(examples.KEYS_ANSWER)

    root: AuthorityKeys | None
    log_key: LogKey | None
    log_key_declarations: list[dict[str, Any]] = Field(
        description="The root-signed declarations of the log keys."
    )
    authorities: list[AuthorityKeys]


class ReadModelsHealth(BaseModel):
    log_size: int
    folded: int
    behind: int
    error: str | None = Field(None, description="Why the read models cannot fold the log.")


class Health(BaseModel):
    """The process, its database and its read models (503 unless ``ok``)."""

    model_config = example(examples.HEALTH_ANSWER)

    status: Literal["ok", "degraded", "unavailable"]
    events: int | None = None
    read_models: ReadModelsHealth | None = None
    error: str | None = Field(None, description="With 'unavailable': why.")
