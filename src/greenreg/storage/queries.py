"""Proof questions the public interfaces answer (REST and GraphQL expose these).

Every answer is tied to a signed checkpoint, so a client checks it with the log public key only:
an inclusion proof shows an event is leaf ``position`` of the tree the checkpoint signs; a
consistency proof shows an older checkpoint's tree is a prefix of a newer one. Verify with
:func:`greenreg.registry.log.verify_inclusion` / ``verify_consistency`` (RFC 9162).

Encodings: hashes in proofs are lowercase hex; a checkpoint's root is given both in hex
(``root_hash``) and in standard base64 (``root_base64``, as the signed note writes it). Log
positions are leaf indexes, counted from 0 in commit order; a tree of size ``n`` holds positions
``0 .. n - 1``. Proofs are given only against sizes the registry signed a checkpoint at; a size
beyond the log, or a leaf outside the tree asked about, is refused as out of range
(:class:`LogRangeError`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from uuid import UUID

from greenreg.errors import GreenregError, NotFoundError
from greenreg.events.signing import Signer, b64decode, b64encode, key_id_of
from greenreg.projections.views import DataVersion
from greenreg.registry.authority import ROOT, authority_id_for
from greenreg.registry.checkpoints import key_hash, parse_checkpoint
from greenreg.registry.log import EMPTY_ROOT, consistency_proof, inclusion_proof
from greenreg.storage.log_tables import LogTables, stored_bytes
from greenreg.witness.cosignature import WitnessPolicy, check_witnessed

MAX_CHECKPOINTS = 1_000
"""Checkpoints per page of :meth:`TransparencyLog.checkpoints`."""


class LogRangeError(GreenregError):
    """A proof asked about a size or a position outside the log (HTTP 422)."""

    code = "out_of_range"


@dataclass(frozen=True)
class SignedCheckpoint:
    """A signed checkpoint: ``tree_size`` leaves with root ``root_hash`` (hex; ``root_base64``
    as in the note), the C2SP signed ``note`` itself, and the id of the log key that signed it
    (``None`` if the registry no longer knows that key)."""

    tree_size: int
    root_hash: str
    note: str
    origin: str
    root_base64: str
    key_id: str | None


@dataclass(frozen=True)
class InclusionProof:
    originator_id: UUID
    originator_version: int
    position: int
    leaf_hash: str
    hashes: list[str]
    checkpoint: SignedCheckpoint

    @property
    def event_id(self) -> str:
        return f"{self.originator_id}/{self.originator_version}"


@dataclass(frozen=True)
class ConsistencyProof:
    old: SignedCheckpoint
    new: SignedCheckpoint
    hashes: list[str]


@dataclass(frozen=True)
class WitnessedProof:
    """The latest checkpoint that meets the registry's witness policy, as the note with the
    witnesses' cosignature lines (``cosigned_note``), and the consistency proof (hex) from an
    earlier checkpoint of ``since`` leaves to it: what a receipt file carries as ``witnessed``
    (docs/receipts.md, "Witness cosignatures")."""

    checkpoint: SignedCheckpoint
    cosigned_note: str
    since: int
    hashes: list[str]
    witnesses: list[str]  # the policy's witnesses whose cosignatures are on the note

    def as_json(self) -> dict[str, Any]:
        return {"checkpoint": self.cosigned_note, "consistency": self.hashes}


def parse_event_id(event_id: str) -> tuple[UUID, int]:
    """``"{aggregate uuid}/{version}"`` as its two parts; a :class:`LogRangeError` otherwise."""
    aggregate, _, version = event_id.strip().partition("/")
    try:
        parsed = UUID(aggregate), int(version)
    except ValueError:
        raise LogRangeError(
            f"{event_id!r} is not an event id: write it as '<aggregate uuid>/<version>'"
        ) from None
    if parsed[1] < 1:
        raise LogRangeError(f"{event_id!r} is not an event id: versions start at 1")
    return parsed


PARSED_NOTES = 64
"""How many parsed checkpoint notes a :class:`TransparencyLog` keeps (a note never changes)."""


class TransparencyLog:
    """Read-only questions about the log of one registry (``registry.recorder``)."""

    def __init__(self, recorder: object, policy: WitnessPolicy | None = None) -> None:
        if not isinstance(recorder, LogTables):
            raise NotFoundError("this event store keeps no transparency log")
        self.recorder = recorder
        self.policy = policy
        self._key_ids: dict[bytes, str] = {}
        self._declarations: dict[str, tuple[int, dict[str, Any]]] = {}
        self._parsed: dict[str, SignedCheckpoint] = {}

    @property
    def signer(self) -> Signer | None:
        """The log key that signs this registry's checkpoints and receipts now."""
        return self.recorder.log_signer

    # --- checkpoints ------------------------------------------------------------------------

    def latest(self) -> SignedCheckpoint | None:
        """The latest signed checkpoint, or ``None`` before the first write."""
        found = self.recorder.latest_checkpoint()
        return None if found is None else self._signed(found[1])

    def checkpoint(self, size: int | None = None) -> SignedCheckpoint:
        """The latest signed checkpoint, or the one at ``size``."""
        if size is None:
            latest = self.latest()
            if latest is None:
                raise NotFoundError("the log has no signed checkpoint yet")
            return latest
        self._check_size(size)
        found = self.recorder.checkpoint_note(size)
        if found is None:
            raise NotFoundError(
                f"the registry signed no checkpoint at size {size}; "
                "the sizes it signed are listed at /api/v1/log/checkpoints"
            )
        return self._signed(found)

    def checkpoints(self, after: int = 0, limit: int = MAX_CHECKPOINTS) -> list[SignedCheckpoint]:
        """Signed checkpoints of size greater than ``after``, smallest first, at most ``limit``."""
        query = self.recorder.sql(
            "SELECT note FROM {checkpoints} WHERE tree_size > ? ORDER BY tree_size LIMIT ?"
        )
        with self.recorder.reading() as c:
            c.execute(query, (after, min(limit, MAX_CHECKPOINTS)))
            notes = [str(row["note"]) for row in c.fetchall()]
        return [self._signed(note) for note in notes]

    # --- witnesses ---------------------------------------------------------------------------

    def cosigned_note(self, checkpoint: SignedCheckpoint) -> str:
        """The checkpoint's note with the cosignature lines the registry holds for it."""
        lines = self.recorder.cosignatures(checkpoint.tree_size)
        return checkpoint.note + "".join(line + "\n" for _, line in lines)

    def witnessed_size(self) -> int | None:
        """The size of the latest checkpoint that meets the witness policy (with no witness
        required: the latest checkpoint); ``None`` without a policy or before one does."""
        if self.policy is None:
            return None
        if self.policy.required == 0:
            latest = self.recorder.latest_checkpoint()
            return None if latest is None else latest[0]
        names = [key.name for key in self.policy.keys]
        return self.recorder.latest_size_cosigned_by(names, self.policy.required)

    def witnessed(self, since: int | None = None) -> WitnessedProof | None:
        """The latest checkpoint that meets the witness policy, with the consistency proof from
        the checkpoint of ``since`` leaves (default: itself); ``None`` without a policy, when
        no checkpoint meets it yet, or when the one that does is smaller than ``since`` (the
        witnesses have not cosigned that far yet)."""
        size = self.witnessed_size()
        if size is None or (since is not None and since > size):
            return None
        checkpoint = self.checkpoint(size)
        note = self.cosigned_note(checkpoint)
        assert self.policy is not None  # noqa: S101 (a witnessed size means a policy)
        try:
            names = check_witnessed(note, self.policy)
        except GreenregError:
            return None  # lines stored under a name whose key the policy has since changed
        start = size if since is None else since
        hashes = [] if start == size else self.consistency(start, size).hashes
        return WitnessedProof(checkpoint, note, start, hashes, names)

    # --- proofs -----------------------------------------------------------------------------

    def inclusion(
        self, originator_id: UUID, version: int, size: int | None = None
    ) -> InclusionProof:
        """Proof that event (``originator_id``, ``version``) is in the checkpoint's tree."""
        checkpoint = self.checkpoint(size)
        position = self.recorder.position_of(originator_id, version)
        if position is None:
            raise NotFoundError(f"event {originator_id}/{version} is not in the log")
        return self._inclusion(position, checkpoint, originator_id, version)

    def inclusion_at(self, position: int, size: int | None = None) -> InclusionProof:
        """Proof that the event at log ``position`` is in the checkpoint's tree."""
        checkpoint = self.checkpoint(size)
        query = self.recorder.sql(
            "SELECT originator_id, originator_version FROM {entries} WHERE position = ?"
        )
        with self.recorder.reading() as c:
            c.execute(query, (position,))
            rows = c.fetchall()
        if position < 0 or not rows:
            raise LogRangeError(
                f"position {position} is not in the log of size {checkpoint.tree_size}: "
                f"positions run from 0 to {checkpoint.tree_size - 1}"
            )
        row = rows[0]
        return self._inclusion(
            position,
            checkpoint,
            self.recorder.py_id(row["originator_id"]),
            int(row["originator_version"]),
        )

    def consistency(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        """Proof that the checkpoint of ``old_size`` is a prefix of the later one."""
        new = self.checkpoint(new_size)
        if old_size < 1 or old_size > new.tree_size:
            raise LogRangeError(
                f"a consistency proof runs from a size between 1 and {new.tree_size} to size "
                f"{new.tree_size}, not from {old_size}"
            )
        old = self.checkpoint(old_size)
        hashes = (
            consistency_proof(old.tree_size, new.tree_size, self.recorder.read_nodes)
            if old.tree_size != new.tree_size
            else []
        )
        return ConsistencyProof(old, new, [h.hex() for h in hashes])

    def log_key_proof(self, key_id: str, size: int) -> dict[str, Any] | None:
        """The root's declaration of log key ``key_id`` as the log entry that records it, with
        its inclusion proof in the signed tree of ``size`` leaves (docs/receipts.md, "the log
        key proof"); ``None`` when no entry before ``size`` declares that key (a store whose log
        key was declared before declarations were log entries, or a key never declared)."""
        found = self._declaration_entry(key_id)
        if found is None or found[0] >= size:
            return None
        position, entry = found
        hashes = inclusion_proof(position, size, self.recorder.read_nodes)
        return {"position": position, "entry": entry, "inclusion": [h.hex() for h in hashes]}

    def _declaration_entry(self, key_id: str) -> tuple[int, dict[str, Any]] | None:
        if key_id in self._declarations:
            return self._declarations[key_id]
        recorder = self.recorder
        query = recorder.sql(
            "SELECT e.position AS position, e.originator_version AS version, s.topic AS topic, "
            "s.state AS state FROM {entries} e JOIN {events} s "
            "ON s.originator_id = e.originator_id AND s.originator_version = e.originator_version "
            "WHERE e.originator_id = ? ORDER BY e.position"
        )
        root_id = authority_id_for(ROOT)
        with recorder.reading() as c:
            c.execute(query, (recorder.db_id(root_id),))
            rows = c.fetchall()
        for row in rows:
            state = stored_bytes(row["state"])
            if not str(row["topic"]).endswith(":LogKeyDeclared") or state is None:
                continue
            if json.loads(state).get("log_key_id") != key_id:
                continue
            entry = {
                "originator_id": str(root_id),
                "originator_version": int(row["version"]),
                "topic": str(row["topic"]),
                "state_base64": b64encode(state),
            }
            self._declarations[key_id] = (int(row["position"]), entry)
            return self._declarations[key_id]
        return None

    # --- keys -------------------------------------------------------------------------------

    def log_key_declarations(self) -> list[dict[str, Any]]:
        """The root-signed declarations of the log keys (see ``greenreg log declare-key``)."""
        return self.recorder.log_key_declarations()

    # --- helpers ----------------------------------------------------------------------------

    def _inclusion(
        self, position: int, checkpoint: SignedCheckpoint, originator_id: UUID, version: int
    ) -> InclusionProof:
        if position >= checkpoint.tree_size:
            raise LogRangeError(
                f"event {originator_id}/{version} is at position {position}, after the tree of "
                f"size {checkpoint.tree_size}: ask for a later checkpoint"
            )
        leaf = self.recorder.read_nodes([(0, position)])[(0, position)]
        hashes = inclusion_proof(position, checkpoint.tree_size, self.recorder.read_nodes)
        return InclusionProof(
            originator_id, version, position, leaf.hex(), [h.hex() for h in hashes], checkpoint
        )

    def _check_size(self, size: int) -> None:
        latest = self.recorder.latest_checkpoint()
        largest = 0 if latest is None else latest[0]
        if not 1 <= size <= largest:
            raise LogRangeError(
                f"size {size} is outside the log: signed sizes run from 1 to {largest}"
            )

    def _signed(self, note: str) -> SignedCheckpoint:
        """The checkpoint a signed note states; a note whose key is known is parsed once (every
        read answer states the latest checkpoint)."""
        found = self._parsed.get(note)
        if found is not None:
            return found
        signed = self._parse(note)
        if signed.key_id is not None:
            if len(self._parsed) >= PARSED_NOTES:
                self._parsed.clear()
            self._parsed[note] = signed
        return signed

    def _parse(self, note: str) -> SignedCheckpoint:
        checkpoint, signatures = parse_checkpoint(note)
        key_id = next(
            (
                found
                for name, hashed, _ in signatures
                if name == checkpoint.origin
                and (found := self._key_id_of(checkpoint.origin, hashed)) is not None
            ),
            None,
        )
        return SignedCheckpoint(
            tree_size=checkpoint.size,
            root_hash=checkpoint.root.hex(),
            note=note,
            origin=checkpoint.origin,
            root_base64=checkpoint.text().split("\n")[2],
            key_id=key_id,
        )

    def _key_id_of(self, origin: str, hashed: bytes) -> str | None:
        """The id of the log key whose note key hash is ``hashed``: the current key or a
        declared one."""
        if hashed not in self._key_ids:
            for public_key, key_id in self._known_keys():
                self._key_ids[key_hash(origin, public_key)] = key_id
        return self._key_ids.get(hashed)

    def _known_keys(self) -> list[tuple[bytes, str]]:
        known = []
        if self.signer is not None:
            known.append((self.signer.public_key, self.signer.key_id))
        for declaration in self.log_key_declarations():
            act = declaration.get("act", {})
            try:
                public_key = b64decode(str(act.get("public_key", "")), "log public key")
            except GreenregError:
                continue
            known.append((public_key, key_id_of(public_key)))
        return known


# --- the data version an answer states -----------------------------------------------------


DATA_VERSION_HEADER = "Greenreg-Data-Version"
NOT_STORED = "no-store"
"""The ``Cache-Control`` of an answer no cache may keep (one signed anew each time)."""


@dataclass(frozen=True)
class AnsweredAt:
    """The data version a read answer states: the latest signed checkpoint when the answer was
    given (log size and root; ``None`` before the first write or without a log) and how far the
    store and the read models had got (``data``: event count, last position, projected
    position). Two answers stating the same size and root saw the same signed history."""

    checkpoint: SignedCheckpoint | None
    data: DataVersion

    @property
    def log_size(self) -> int:
        return 0 if self.checkpoint is None else self.checkpoint.tree_size

    @property
    def root_hash(self) -> str:
        """The root in hex; the empty tree's root (SHA-256 of nothing) before the first write."""
        return EMPTY_ROOT.hex() if self.checkpoint is None else self.checkpoint.root_hash

    def header(self) -> str:
        """As the ``Greenreg-Data-Version`` header of every read answer states it: ``size=12;
        root=<hex>; events=12; position=11; projected=11; behind=no``."""
        return self._header

    @cached_property
    def _header(self) -> str:  # written once: a version is stated by every answer given at it
        data = self.data
        return (
            f"size={self.log_size}; root={self.root_hash}; events={data.event_count}; "
            f"position={data.last_position}; projected={data.projected_position}; "
            f"behind={'yes' if data.behind else 'no'}"
        )

    def as_json(self) -> dict[str, Any]:
        """As REST answers and receipts state it."""
        return {
            "log_size": self.log_size,
            "root_hash": self.root_hash,
            "checkpoint_key_id": self.checkpoint.key_id if self.checkpoint else None,
            "event_count": self.data.event_count,
            "last_position": self.data.last_position,
            "projected_position": self.data.projected_position,
            "behind": self.data.behind,
        }


def answered_at(log: TransparencyLog | None, data_version: Callable[[], DataVersion]) -> AnsweredAt:
    """Read the latest checkpoint, then the read models' data version, before an answer."""
    checkpoint = None if log is None else log.latest()
    return AnsweredAt(checkpoint, data_version())


def transparency_log_of(
    recorder: object, policy: WitnessPolicy | None = None
) -> TransparencyLog | None:
    """The log of a registry's recorder (held to the witness ``policy`` it publishes, if any),
    or ``None`` for an event store without one."""
    return TransparencyLog(recorder, policy) if isinstance(recorder, LogTables) else None
