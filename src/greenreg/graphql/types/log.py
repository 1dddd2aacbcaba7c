"""The transparency log for inspectors: signed checkpoints, proofs, signed receipts.

Hashes are lowercase hex; a checkpoint's root is given in hex (``root``) and in base64
(``rootBase64``, as its signed note writes it). Positions are leaf indexes from 0. Verify a
proof with the log public key and RFC 9162 (``greenreg.registry.log.verify_inclusion`` /
``verify_consistency``).
"""

from __future__ import annotations

import json

import strawberry

from greenreg.receipts import ReceiptText
from greenreg.storage.queries import AnsweredAt, SignedCheckpoint
from greenreg.storage.queries import ConsistencyProof as ConsistencyView
from greenreg.storage.queries import InclusionProof as InclusionView

OLD_FIELD = "read dataVersion in the response's extensions, or logSize on DataVersion"


@strawberry.type(
    description="A signed checkpoint of the transparency log (C2SP tlog-checkpoint): the log "
    "had `size` leaves with this root hash, signed by the log key `keyId`."
)
class Checkpoint:
    size: int = strawberry.field(description="The tree size: how many events the log held.")
    root: str = strawberry.field(description="The root hash, hex (RFC 9162 SHA-256).")
    root_base64: str = strawberry.field(description="The root hash, base64, as in the note.")
    origin: str = strawberry.field(description="The log's name, the note's first line.")
    note: str = strawberry.field(
        description="The C2SP signed note, verbatim: check it with the log public key."
    )
    key_id: str | None = strawberry.field(
        description="The id of the log key that signed it (declared by the root: see the keys)."
    )
    event_count: int = strawberry.field(deprecation_reason=OLD_FIELD)
    last_position: int = strawberry.field(deprecation_reason=OLD_FIELD)
    projected_position: int = strawberry.field(deprecation_reason=OLD_FIELD)
    up_to_date: bool = strawberry.field(deprecation_reason=OLD_FIELD)

    @classmethod
    def of(cls, checkpoint: SignedCheckpoint, version: AnsweredAt) -> Checkpoint:
        data = version.data
        return cls(
            size=checkpoint.tree_size,
            root=checkpoint.root_hash,
            root_base64=checkpoint.root_base64,
            origin=checkpoint.origin,
            note=checkpoint.note,
            key_id=checkpoint.key_id,
            event_count=data.event_count,
            last_position=data.last_position,
            projected_position=data.projected_position,
            up_to_date=data.up_to_date,
        )


@strawberry.type(description="Proof (RFC 9162 §2.1.3) that an event is a leaf of a signed tree.")
class InclusionProof:
    event_id: str = strawberry.field(description="'{aggregate uuid}/{version}'.")
    position: int = strawberry.field(description="The leaf index, from 0.")
    tree_size: int
    leaf_hash: str = strawberry.field(description="SHA-256(0x00 || leaf bytes), hex.")
    hashes: list[str] = strawberry.field(description="The audit path, leaf upwards, hex.")
    checkpoint: Checkpoint = strawberry.field(description="The signed tree the proof leads to.")

    @classmethod
    def of(cls, proof: InclusionView, version: AnsweredAt) -> InclusionProof:
        return cls(
            event_id=proof.event_id,
            position=proof.position,
            tree_size=proof.checkpoint.tree_size,
            leaf_hash=proof.leaf_hash,
            hashes=proof.hashes,
            checkpoint=Checkpoint.of(proof.checkpoint, version),
        )


@strawberry.type(
    description="Proof (RFC 9162 §2.1.4) that the first signed tree is a prefix of the second."
)
class ConsistencyProof:
    first: Checkpoint
    second: Checkpoint
    hashes: list[str] = strawberry.field(description="The consistency path, hex.")

    @classmethod
    def of(cls, proof: ConsistencyView, version: AnsweredAt) -> ConsistencyProof:
        return cls(
            first=Checkpoint.of(proof.old, version),
            second=Checkpoint.of(proof.new, version),
            hashes=proof.hashes,
        )


@strawberry.type(
    description="A signed receipt: the question, the answer and its data version, asOf and "
    "knownAt, and the checkpoint it was answered at, signed by the log key. Keep `file` (or "
    "`document`) byte for byte; `greenreg receipt verify FILE` checks it offline."
)
class Receipt:
    document: str = strawberry.field(description="The signed receipt, compact JSON.")
    key_id: str = strawberry.field(description="The log key that signed it.")
    file: str = strawberry.field(
        description="The receipt file to keep: the document, its key id and the proof that "
        "the root declared that log key (a log entry in the checkpoint's tree), JSON; "
        "`greenreg receipt verify FILE --root-public-key ROOT` checks the whole chain "
        "(docs/receipts.md)."
    )

    @classmethod
    def of(cls, text: ReceiptText) -> Receipt:
        return cls(
            document=text.document,
            key_id=text.key_id,
            file=json.dumps(text.file(), ensure_ascii=False, separators=(",", ":")),
        )
