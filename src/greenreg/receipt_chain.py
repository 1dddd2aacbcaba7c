"""From the root public key to a receipt: the chain a bank checks (docs/receipts.md, section 6).

:func:`verify_receipt_chain` takes a receipt file (:class:`~greenreg.receipts.ReceiptFile`: the
signed receipt and its log key proof) and the root public key, the one trust anchor, and checks
in this order, each step naming the break when it fails:

1. the log key proof's entry is an act of the root key: ``declare_log_key``, signed by the root;
   the log public key is the one that act names;
2. the receipt names that log key (``key_id`` and ``log_key_id``), and the position it reports
   for the declaration (``log_key_position``) is the proof's;
3. the receipt's checkpoint is a signed note of that key, under the declared origin;
   then the witnesses (:mod:`greenreg.receipt_witnessed`): the file's witnessed checkpoint, if
   it has one, is signed by the same key and extends the receipt's checkpoint (a consistency
   proof), and, under a witness policy, carries the cosignatures it requires;
4. the declaration entry is a leaf of the checkpoint's tree (RFC 9162 inclusion), so every later
   checkpoint consistent with this one covers the same declaration;
5. the receipt itself is signed by the log key (RFC 8785 bytes of ``act``);
6. beyond the signatures: the log key was valid when the receipt was issued, and the answer's
   data version, if it states one, is the checkpoint's tree.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from greenreg.errors import ActFormatError, GreenregError, SignatureError
from greenreg.events.acts import read_signed_act
from greenreg.events.canonical import canonical_bytes, parse_json
from greenreg.events.signing import b64decode, check_public_key, key_id_of, verify_signature
from greenreg.receipt_witnessed import Witnessing, check_witnessed_receipt
from greenreg.receipts import RECEIPT_TYPE, ReceiptFile
from greenreg.registry.checkpoints import Checkpoint, open_checkpoint
from greenreg.registry.log import ProofError, event_leaf, leaf_hash, verify_inclusion
from greenreg.witness.cosignature import WitnessPolicy

DECLARATION_TOPIC = ":LogKeyDeclared"


class ChainError(SignatureError):
    """A link of the chain from the root key to the receipt does not hold."""


@dataclass(frozen=True)
class VerifiedReceipt:
    """A receipt whose chain holds: its content (``act``), and what the witnesses' step found
    (``None`` when the file has no witnessed checkpoint and no policy was asked for)."""

    body: dict[str, Any]
    witnessing: Witnessing | None


def verify_receipt_chain(
    file: ReceiptFile, root_public_key: bytes, policy: WitnessPolicy | None = None
) -> VerifiedReceipt:
    """The receipt if the whole chain holds, held to the witness ``policy`` if one is given; a
    :class:`ChainError` (or :class:`~greenreg.receipt_witnessed.WitnessedError`) naming the
    break, or :class:`~greenreg.errors.ActFormatError` for a malformed file, otherwise."""
    check_public_key(root_public_key)
    body, key_id, signature = read_signed_act(file.receipt)
    if body.get("type") != RECEIPT_TYPE or not isinstance(body.get("checkpoint"), str):
        raise ActFormatError(f"not a {RECEIPT_TYPE} receipt")
    if file.log_key is None:
        raise ChainError(
            "the receipt carries no proof that the root declared its log key "
            f"{key_id} (fetch it: GET /api/v1/log/log-key?key_id={key_id}&size=<its "
            "checkpoint's size>, or check it with --log-public-key)"
        )
    position, entry, state, hashes = _read_proof(file.log_key)
    declaration = _declaration(entry, state, position, root_public_key)
    log_public_key = b64decode(str(declaration.get("public_key")), "declared log public key")
    check_public_key(log_public_key)
    declared = key_id_of(log_public_key)
    if key_id != declared or body.get("log_key_id") != declared:
        raise ChainError(
            f"the receipt is signed by log key {key_id}, which this root did not declare: "
            f"the declaration at position {position} names {declared}"
        )
    reported = body.get("log_key_position")
    if reported is not None and reported != position:
        raise ChainError(
            f"the receipt reports its log key's declaration at position {reported}, "
            f"the proof at {position}"
        )
    try:
        checkpoint = open_checkpoint(body["checkpoint"], log_public_key)
    except GreenregError as error:
        raise ChainError(
            f"the receipt's checkpoint is not signed by the log key: {error}"
        ) from None
    if checkpoint.origin != declaration.get("origin"):
        raise ChainError(
            f"the checkpoint is of log {checkpoint.origin!r}; the root declared the key for "
            f"{declaration.get('origin')!r}"
        )
    witnessing = check_witnessed_receipt(
        checkpoint, body["checkpoint"], file.witnessed, log_public_key, policy
    )
    _check_included(entry, state, position, hashes, checkpoint)
    try:
        verify_signature(log_public_key, canonical_bytes(body), signature)
    except SignatureError as error:
        raise ChainError(f"the receipt was altered or not signed by the log key: {error}") from None
    _check_validity(body, declaration)
    _check_data_version(body, checkpoint)
    return VerifiedReceipt(body, witnessing)


def _read_proof(proof: dict[str, Any]) -> tuple[int, dict[str, Any], bytes, list[bytes]]:
    try:
        position = proof["position"]
        entry = proof["entry"]
        state = b64decode(str(entry["state_base64"]), "declaration entry's state")
        hashes = [bytes.fromhex(h) for h in proof["inclusion"]]
    except (KeyError, TypeError, ValueError) as error:
        raise ActFormatError(
            "a log key proof has 'position', 'entry' (originator_id, originator_version, topic, "
            f"state_base64) and 'inclusion' (hex hashes): {error}"
        ) from None
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise ActFormatError("a log key proof's 'position' is a whole number from 0")
    return position, entry, state, hashes


def _declaration(
    entry: dict[str, Any], state: bytes, position: int, root_public_key: bytes
) -> dict[str, Any]:
    """The declaration act the entry records, if the root key signed it."""
    if not str(entry.get("topic", "")).endswith(DECLARATION_TOPIC):
        raise ChainError(f"the entry at position {position} is not a log key declaration")
    try:
        stored = parse_json(state)
        signed_act = str(stored["signed_act"])
        signature = b64decode(str(stored["signature"]), "declaration signature")
        signer = str(stored["key_id"])
        act = parse_json(signed_act)
    except (ValueError, KeyError, TypeError) as error:
        raise ActFormatError(
            f"the declaration entry's state is not a stored act: {error}"
        ) from None
    root_id = key_id_of(root_public_key)
    if signer != root_id:
        raise ChainError(
            f"the log key declaration at position {position} is signed by key {signer}, "
            f"not by this root key {root_id}"
        )
    try:
        verify_signature(root_public_key, signed_act.encode("utf-8"), signature)
    except SignatureError:
        raise ChainError(
            f"the log key declaration at position {position} is not signed by this root key"
        ) from None
    if not isinstance(act, dict) or act.get("type") != "declare_log_key":
        raise ChainError(f"the root's act at position {position} does not declare a log key")
    if act.get("authority") != "root":
        raise ChainError(f"the act at position {position} is not the root's")
    return act


def _check_included(
    entry: dict[str, Any], state: bytes, position: int, hashes: list[bytes], tree: Checkpoint
) -> None:
    try:
        leaf = event_leaf(
            UUID(str(entry["originator_id"])),
            int(entry["originator_version"]),
            str(entry["topic"]),
            state,
        )
        verify_inclusion(position, tree.size, leaf_hash(leaf), hashes, tree.root)
    except (ProofError, ValueError, KeyError, TypeError, binascii.Error) as error:
        raise ChainError(
            f"the log key declaration at position {position} is not proven in the checkpoint "
            f"of size {tree.size}: {error}"
        ) from None


def _check_validity(body: dict[str, Any], declaration: dict[str, Any]) -> None:
    try:
        issued = datetime.fromisoformat(str(body.get("issued_at")))
        valid_from = datetime.fromisoformat(str(declaration.get("valid_from")))
    except ValueError as error:
        raise ActFormatError(f"a time in the receipt is not ISO 8601: {error}") from None
    for said, moment in (("issued_at", issued), ("the log key's valid_from", valid_from)):
        if moment.utcoffset() is None:
            raise ActFormatError(
                f"{said} ({moment.isoformat()}) has no UTC offset, so it names no instant"
            )
    if issued < valid_from:
        raise ChainError(
            f"the receipt was issued at {issued.isoformat()}, before its log key was valid "
            f"(from {valid_from.isoformat()})"
        )


def _check_data_version(body: dict[str, Any], tree: Checkpoint) -> None:
    answer = body.get("answer")
    version = answer.get("data_version") if isinstance(answer, dict) else None
    if not isinstance(version, dict) or "log_size" not in version:
        return
    if version.get("log_size") != tree.size or version.get("root_hash") != tree.root.hex():
        raise ChainError(
            f"the answer states data version {version.get('log_size')} "
            f"({version.get('root_hash')}), not the checkpoint's {tree.size} ({tree.root.hex()})"
        )
