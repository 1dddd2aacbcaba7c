"""Proof questions the public interfaces answer (REST and GraphQL expose these).

Every answer is tied to a signed checkpoint, so a client checks it with the log public key only:
an inclusion proof shows an event is leaf ``position`` of the tree the checkpoint signs; a
consistency proof shows an older checkpoint's tree is a prefix of a newer one. Hashes are hex.
Verify with :func:`greenreg.registry.log.verify_inclusion` / ``verify_consistency`` (RFC 9162).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from greenreg.errors import NotFoundError
from greenreg.registry.checkpoints import parse_checkpoint
from greenreg.registry.log import consistency_proof, inclusion_proof
from greenreg.storage.log_tables import LogTables


@dataclass(frozen=True)
class SignedCheckpoint:
    tree_size: int
    root_hash: str
    note: str


@dataclass(frozen=True)
class InclusionProof:
    originator_id: UUID
    originator_version: int
    position: int
    leaf_hash: str
    hashes: list[str]
    checkpoint: SignedCheckpoint


@dataclass(frozen=True)
class ConsistencyProof:
    old: SignedCheckpoint
    new: SignedCheckpoint
    hashes: list[str]


class TransparencyLog:
    """Read-only questions about the log of one registry (``registry.recorder``)."""

    def __init__(self, recorder: object) -> None:
        if not isinstance(recorder, LogTables):
            raise NotFoundError("this event store keeps no transparency log")
        self.recorder = recorder

    def checkpoint(self, size: int | None = None) -> SignedCheckpoint:
        """The latest signed checkpoint, or the one at ``size``."""
        if size is None:
            latest = self.recorder.latest_checkpoint()
            if latest is None:
                raise NotFoundError("the log has no signed checkpoint yet")
            note = latest[1]
        else:
            found = self.recorder.checkpoint_note(size)
            if found is None:
                raise NotFoundError(f"there is no signed checkpoint of size {size}")
            note = found
        checkpoint, _ = parse_checkpoint(note)
        return SignedCheckpoint(checkpoint.size, checkpoint.root.hex(), note)

    def inclusion(
        self, originator_id: UUID, version: int, size: int | None = None
    ) -> InclusionProof:
        """Proof that event (``originator_id``, ``version``) is in the checkpoint's tree."""
        checkpoint = self.checkpoint(size)
        position = self.recorder.position_of(originator_id, version)
        if position is None or position >= checkpoint.tree_size:
            raise NotFoundError(
                f"event {originator_id} version {version} is not in the log of size "
                f"{checkpoint.tree_size}"
            )
        leaf = self.recorder.read_nodes([(0, position)])[(0, position)]
        hashes = inclusion_proof(position, checkpoint.tree_size, self.recorder.read_nodes)
        return InclusionProof(
            originator_id, version, position, leaf.hex(), [h.hex() for h in hashes], checkpoint
        )

    def consistency(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        """Proof that the checkpoint of ``old_size`` is a prefix of the later one."""
        old, new = self.checkpoint(old_size), self.checkpoint(new_size)
        if new.tree_size < old.tree_size:
            raise NotFoundError(f"size {old_size} is after size {new.tree_size}")
        hashes = (
            consistency_proof(old.tree_size, new.tree_size, self.recorder.read_nodes)
            if old.tree_size != new.tree_size
            else []
        )
        return ConsistencyProof(old, new, [h.hex() for h in hashes])
