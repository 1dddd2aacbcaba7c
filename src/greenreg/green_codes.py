"""Green codes at checkpoints: each one a signed statement the registry can make again from its id.

A green code (企业绿码, 003 art. 26) is the signed statement of
:func:`greenreg.receipts.issue_green_code`: the unit and its designations in force, signed by the
log key, at a signed checkpoint. Here every input of that statement is fixed by two log
positions (:class:`~greenreg.code_reference.CodeReference`):

- the unit: the aggregate whose first event sits at position ``registered``;
- its state: the unit as of its last event inside the checkpoint's tree (``position < size``);
- the checkpoint: the note the registry signed at ``size``;
- the time: when the last event of that tree was recorded (``issued_at``; ``as_of`` its day).

Ed25519 signatures are deterministic, so the same id gives the same bytes and the same signature
every time: a code printed years ago is checked against the statement made again today, and
nothing is stored per code. A statement is refused (:class:`~greenreg.errors.NotFoundError`, with
the reason) when the position names no unit, the registry signed no checkpoint at that size, or
the unit had no title it may use then.

After the log key is rotated, a code printed before names a checkpoint a former log key signed.
The registry no longer holds that key, but it needs none to check the code: the statement is made
again as that key signed it (its key id, the position of its declaration) and carries the URL's
signature, which the scan checks against the former key the root declared
(:attr:`GreenCode.public_key`). Only a scanned code is made so; a unit's page shows a code of the
current key.

:meth:`GreenCodes.of` gives a unit's code at the latest checkpoint (what its page shows), or,
where the registry has witnesses, at the latest checkpoint they cosigned as its policy requires
if the unit has not changed since: the QR code then names a witnessed checkpoint.
:meth:`GreenCodes.at` gives the code a scanned URL names, and ``changed_at``: the position of the
unit's first event after that checkpoint, if there is one (the code then speaks of an older
state). :meth:`GreenCodes.witnessed` is the witnessed checkpoint that covers a code, with the
consistency proof to it (docs/receipts.md), once there is one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from greenreg.code_reference import CodeReference
from greenreg.errors import GreenregError, NotFoundError
from greenreg.events.canonical import canonical_bytes
from greenreg.events.signing import Signer, b64decode, b64encode, key_id_of
from greenreg.receipts import compact, green_code_body, issue_green_code
from greenreg.registry.application import Registry
from greenreg.registry.checkpoints import key_hash, note_key_hashes, parse_checkpoint
from greenreg.registry.unit import Unit
from greenreg.storage.log_tables import LogTables
from greenreg.storage.queries import TransparencyLog, WitnessedProof
from greenreg.witness.cosignature import WitnessPolicy

KEPT = 1_024  # statements kept in memory


@dataclass(frozen=True)
class GreenCode:
    """One unit's signed statement at one checkpoint."""

    unit_id: UUID
    reference: CodeReference
    statement: dict[str, Any]  # the signed envelope: {"act", "key_id", "signature"}
    changed_at: int | None  # the unit's first log position after the checkpoint, if any
    public_key: bytes  # the log key that signed the checkpoint (and so the statement)

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.statement["act"]
        return body

    @property
    def json(self) -> str:
        """The signed statement as one line of JSON (``greenreg receipt verify`` reads it)."""
        return compact(self.statement)

    @property
    def signed_bytes(self) -> bytes:
        """What the log key signed: the statement's RFC 8785 bytes."""
        return canonical_bytes(self.body)


class GreenCodes:
    """The green codes of one registry, one per unit and checkpoint, made on demand."""

    def __init__(self, registry: Registry, policy: WitnessPolicy | None = None) -> None:
        self.registry, self.policy = registry, policy
        self._kept: OrderedDict[tuple[UUID, int], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._proofs: TransparencyLog | None = None  # one, so its declarations are read once

    def _log(self) -> tuple[LogTables, Signer] | None:
        recorder = self.registry.recorder
        if not isinstance(recorder, LogTables) or recorder.log_signer is None:
            return None
        return recorder, recorder.log_signer

    def log_key_proof(self, code: GreenCode) -> dict[str, Any] | None:
        """The root's declaration of the log key that signed ``code``, with its inclusion in
        the code's checkpoint (docs/receipts.md); ``None`` where the log holds none."""
        log = self._log()
        if log is None:
            return None
        return self._transparency(log[0]).log_key_proof(log[1].key_id, code.reference.size)

    def _transparency(self, recorder: LogTables) -> TransparencyLog:
        if self._proofs is None or self._proofs.recorder is not recorder:
            self._proofs = TransparencyLog(recorder, self.policy)
        return self._proofs

    def witnessed(self, code: GreenCode) -> WitnessedProof | None:
        """The latest checkpoint the witnesses cosigned as the policy requires, if it covers
        ``code``'s checkpoint, with the consistency proof from it; ``None`` otherwise."""
        log = self._log()
        if log is None:
            return None
        return self._transparency(log[0]).witnessed(code.reference.size)

    @property
    def public_key(self) -> bytes | None:
        """The log key's public key, or ``None`` if the registry signs no green codes."""
        log = self._log()
        return None if log is None else log[1].public_key

    def of(self, unit_id: UUID) -> GreenCode | None:
        """The unit's green code at the latest checkpoint, or at the latest witnessed one if
        the unit has not changed since; ``None`` if the registry has no log key or no
        checkpoint yet; refused (not found, saying why) for a unit with no title it may use."""
        log = self._log()
        latest = None if log is None else log[0].latest_checkpoint()
        if log is None or latest is None:
            return None
        size = latest[0]
        witnessed = self._transparency(log[0]).witnessed_size()
        if witnessed is not None and witnessed < size and self._signed_by(log, witnessed):
            last = max((p for _, p in log[0].positions_of(unit_id)), default=None)
            if last is not None and last < witnessed:
                size = witnessed
        return self._code(*log, unit_id, size)

    def _signed_by(self, log: tuple[LogTables, Signer], size: int) -> bool:
        """Whether the current log key signed the checkpoint of ``size``."""
        note = log[0].checkpoint_note(size)
        origin = log[0].log_origin
        return note is not None and key_hash(origin, log[1].public_key) in note_key_hashes(note)

    def at(self, registered: int, size: int, signature: bytes | None = None) -> GreenCode:
        """The green code of the unit registered at log position ``registered``, at the
        checkpoint of ``size``; refused (not found, saying why) where there is none. A scanned
        code gives the URL's ``signature``: where a former log key signed that checkpoint, the
        statement carries it, to be checked against that key."""
        log = self._log()
        if log is None:
            raise NotFoundError("this registry signs no green codes: it has no log key")
        entry = log[0].entry_at(registered)
        first: object = None
        if entry is not None and entry[1] == 1 and registered < size:
            first = self.registry.repository.get(entry[0], version=1)
        if entry is None or not isinstance(first, Unit):
            raise NotFoundError(f"no unit was registered at log position {registered}")
        return self._code(*log, entry[0], size, signature)

    def _code(
        self,
        recorder: LogTables,
        signer: Signer,
        unit_id: UUID,
        size: int,
        scanned: bytes | None = None,
    ) -> GreenCode:
        positions = recorder.positions_of(unit_id)
        inside = [(version, position) for version, position in positions if position < size]
        if not inside or inside[0][0] != 1:
            raise NotFoundError(f"the unit {unit_id} is not in the log of size {size}")
        note = recorder.checkpoint_note(size)
        if note is None:
            raise NotFoundError(f"the registry signed no checkpoint at size {size}")
        origin = parse_checkpoint(note)[0].origin
        if key_hash(origin, signer.public_key) in note_key_hashes(note):
            public_key = signer.public_key
            statement = self._statement(recorder, signer, unit_id, size, inside[-1][0], note)
        else:
            public_key = self._former_key(recorder, origin, note, size, scanned)
            statement = self._former_statement(
                recorder, public_key, unit_id, size, inside[-1][0], note, scanned or b""
            )
        return GreenCode(
            unit_id=unit_id,
            reference=CodeReference(
                inside[0][1], size, b64decode(statement["signature"], "signature")
            ),
            statement=statement,
            changed_at=next((p for _, p in positions if p >= size), None),
            public_key=public_key,
        )

    def _former_key(
        self, recorder: LogTables, origin: str, note: str, size: int, scanned: bytes | None
    ) -> bytes:
        """The former log key, declared by the root, that signed the checkpoint ``note``."""
        if scanned is None:
            raise NotFoundError(
                f"the checkpoint of size {size} was signed by a former log key: "
                "scan the unit's current green code"
            )
        signed_by = note_key_hashes(note)
        for declaration in recorder.log_key_declarations():
            try:
                public_key = b64decode(str(declaration["act"]["public_key"]), "log public key")
            except (KeyError, TypeError, GreenregError):
                continue
            if key_hash(origin, public_key) in signed_by:
                return public_key
        raise NotFoundError(
            f"the checkpoint of size {size} is signed by no log key the root declared"
        )

    def _former_statement(  # noqa: PLR0917 (what the statement is made of)
        self,
        recorder: LogTables,
        public_key: bytes,
        unit_id: UUID,
        size: int,
        version: int,
        note: str,
        signature: bytes,
    ) -> dict[str, Any]:
        """The statement a former log key signed at ``size``, made again, with the scanned
        URL's ``signature`` (checked against that key by the scan, not here)."""
        unit: object = self.registry.repository.get(unit_id, version=version)
        if not isinstance(unit, Unit):
            raise NotFoundError(f"{unit_id} is not a unit")
        key_id = key_id_of(public_key)
        proof = self._transparency(recorder).log_key_proof(key_id, size)
        body = green_code_body(
            key_id,
            note,
            unit,
            self._recorded_at(recorder, size - 1),
            None if proof is None else int(proof["position"]),
        )
        return {"act": body, "key_id": key_id, "signature": b64encode(signature)}

    def _statement(  # noqa: PLR0917 (what the statement is made of)
        self,
        recorder: LogTables,
        signer: Signer,
        unit_id: UUID,
        size: int,
        version: int,
        note: str,
    ) -> dict[str, Any]:
        key = (unit_id, size)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        unit: object = self.registry.repository.get(unit_id, version=version)
        if not isinstance(unit, Unit):
            raise NotFoundError(f"{unit_id} is not a unit")
        proof = self._transparency(recorder).log_key_proof(signer.key_id, size)
        statement = issue_green_code(
            signer,
            note,
            unit,
            self._recorded_at(recorder, size - 1),
            None if proof is None else int(proof["position"]),
        )
        with self._lock:
            statement = self._kept.setdefault(key, statement)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return statement

    def _recorded_at(self, recorder: LogTables, position: int) -> datetime:
        """When the event at ``position`` was recorded."""
        entry = recorder.entry_at(position)
        if entry is None:
            raise NotFoundError(f"the log has no position {position}")
        originator, version = entry
        (event,) = self.registry.events.get(originator, gt=version - 1, lte=version)
        timestamp: datetime = getattr(event, "timestamp")  # noqa: B009 (every aggregate event has one)
        return timestamp
