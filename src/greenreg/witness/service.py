"""What a witness does with an ``add-checkpoint`` request (C2SP tlog-witness).

The request body::

    old <size the client believes the witness last cosigned>
    <consistency proof hash, base64>        zero to 63 lines
    <empty line>
    <the checkpoint note, signed by the log>

:meth:`Witness.add_checkpoint` answers the cosignature line, or raises :class:`RefusedError`
with the status the specification gives and a sentence saying why:

=====  =================================================================================
400    the body is malformed, or the old size is larger than the checkpoint's (a log does
       not shrink: a rolled-back checkpoint sent against the witness's size)
403    no valid signature by a log key the witness trusts for that origin
404    the witness follows no log of that origin
409    the old size is not the size the witness last cosigned (a stale client, or a
       rolled-back checkpoint sent against its own size); ``size`` carries the witness's
422    the consistency proof does not verify (a fork), a checkpoint of the same size has
       another root, a proof from size 0, or an empty tree with a non-empty root
=====  =================================================================================

Signatures by keys the witness does not know are ignored.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from greenreg.errors import GreenregError
from greenreg.events.signing import Signer
from greenreg.registry.checkpoints import (
    ED25519,
    Checkpoint,
    key_hash,
    open_checkpoint,
    parse_checkpoint,
)
from greenreg.registry.log import EMPTY_ROOT, ProofError, verify_consistency
from greenreg.witness.cosignature import WitnessKey, cosign, note_body
from greenreg.witness.state import Witnessed, WitnessState

MAX_PROOF_LINES = 63


class RefusedError(GreenregError):
    """The witness does not cosign: ``status`` as the specification says, and why."""

    def __init__(self, status: int, reason: str, size: int | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.size = status, reason, size


@dataclass(frozen=True)
class Submission:
    old: int
    proof: list[bytes]
    note: str


def _decimal(text: str, what: str) -> int:
    if not text.isdigit() or not text.isascii() or (text != "0" and text.startswith("0")):
        raise RefusedError(
            400, f"the {what} {text!r} is not a decimal number without leading zeroes"
        )
    return int(text)


def parse_submission(body: str) -> Submission:
    """The parts of an add-checkpoint body; 400 if it is not one."""
    head, sep, note = body.partition("\n\n")
    if not sep:
        raise RefusedError(400, "the body is the old size line, proof lines, an empty line, a note")
    lines = head.split("\n")
    if not lines[0].startswith("old "):
        raise RefusedError(400, "the body starts with 'old <size>'")
    old = _decimal(lines[0][4:], "old size")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise RefusedError(400, f"a consistency proof has at most {MAX_PROOF_LINES} lines")
    proof = []
    for line in lines[1:]:
        try:
            proof.append(base64.b64decode(line, validate=True))
        except binascii.Error:
            raise RefusedError(400, f"the proof line {line!r} is not base64") from None
    return Submission(old, proof, note)


@dataclass
class Witness:
    """A witness named ``name`` signing with ``signer``, following the logs in ``logs`` (origin
    -> the log public keys it trusts), remembering what it cosigned in ``state``."""

    name: str
    signer: Signer
    logs: dict[str, list[bytes]]
    state: WitnessState
    clock: Callable[[], float] = field(default=time.time)

    @property
    def key(self) -> WitnessKey:
        return WitnessKey(self.name, self.signer.public_key)

    def add_checkpoint(self, body: str) -> str:
        """The cosignature line for the submitted checkpoint, once stored; or a refusal."""
        submission = parse_submission(body)
        checkpoint = self._open(submission.note)
        old, size = submission.old, checkpoint.size
        if old > size:
            raise RefusedError(
                400,
                f"the checkpoint of size {size} is smaller than the old size {old}: "
                "a log does not shrink (a rolled-back checkpoint)",
            )
        if size == 0 and checkpoint.root != EMPTY_ROOT:
            raise RefusedError(422, "a checkpoint of size 0 has the empty tree's root")
        text = note_body(submission.note)

        def check(latest: Witnessed) -> None:
            self._check(latest, submission, checkpoint)

        def cosigned() -> str:
            return cosign(self.signer, self.name, text, int(self.clock()))

        return self.state.advance(
            checkpoint.origin,
            check=check,
            size=size,
            root=checkpoint.root,
            note=submission.note,
            cosign=cosigned,
        )

    def _open(self, note: str) -> Checkpoint:
        try:
            checkpoint, _ = parse_checkpoint(note)
        except GreenregError as error:
            raise RefusedError(400, f"the checkpoint is malformed: {error}") from None
        keys = self.logs.get(checkpoint.origin)
        if keys is None:
            raise RefusedError(404, f"this witness follows no log named {checkpoint.origin!r}")
        reasons = []
        for key in keys:
            try:
                return open_checkpoint(note, key)
            except GreenregError as error:
                reasons.append(str(error))
        raise RefusedError(403, "no valid signature by a trusted log key: " + "; ".join(reasons))

    @staticmethod
    def _check(latest: Witnessed, submission: Submission, checkpoint: Checkpoint) -> None:
        old, size = submission.old, checkpoint.size
        if old != latest.size:
            rolled = size < latest.size
            raise RefusedError(
                409,
                f"the witness last cosigned size {latest.size}, not {old}"
                + (
                    f": the checkpoint of size {size} would roll the log back"
                    if rolled
                    else ": send the consistency proof from that size"
                ),
                size=latest.size,
            )
        if old == size and checkpoint.root != latest.root:
            raise RefusedError(
                422,
                f"the checkpoint of size {size} has another root than the one the witness "
                "cosigned at that size: the log has forked (two different histories), so the "
                "witness does not cosign it",
            )
        if old == 0 and submission.proof:
            raise RefusedError(422, "a consistency proof from size 0 is empty")
        try:
            verify_consistency(old, size, latest.root, checkpoint.root, submission.proof)
        except ProofError as error:
            raise RefusedError(
                422,
                f"the consistency proof from size {old} to {size} does not verify ({error}): "
                f"the checkpoint is not an extension of the one the witness cosigned at size "
                f"{old}; the log has forked or been rewritten, so the witness does not cosign it",
            ) from None


def trusted_logs(vkeys: Iterable[str]) -> dict[str, list[bytes]]:
    """Origin -> log public keys, from log verifier keys (``origin+hash+base64(0x01||key)``,
    the ``verifier_key`` of ``/api/v1/log/keys``)."""
    logs: dict[str, list[bytes]] = {}
    for text in vkeys:
        name, _, rest = text.strip().partition("+")
        hashed, _, encoded = rest.partition("+")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raw = b""
        if not name or raw[:1] != ED25519 or len(raw) != 33:
            raise GreenregError(
                f"{text.strip()!r} is not a log verifier key (<origin>+<hash>+<base64 key>)"
            )
        if key_hash(name, raw[1:]).hex() != hashed:
            raise GreenregError(
                f"the verifier key of log {name} has a hash that does not match"
                " (8 lowercase hex digits, as /api/v1/log/keys gives it)"
            )
        logs.setdefault(name, []).append(raw[1:])
    return logs
