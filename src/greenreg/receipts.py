"""Signed receipts: what the registry answered, provable later from the root public key alone.

docs/receipts.md is the specification (exact bytes, encodings, the chain from the root key, test
vectors). In short, a signed receipt is the same envelope as an act::

    {"act": {
        "type": "greenreg.receipt/1",
        "kind": "certification_check",        (or "lookup", "green_code", "match", ...)
        "question": {...}, "answer": ...,      the normalised question, the answer as given
        "as_of": "2024-05-01" | null, "known_at": "..." | null,
        "issued_at": "2026-11-21T04:00:00+00:00",
        "checkpoint": "greenreg.log\\n1234\\n<root>\\n\\n— greenreg.log <sig>\\n",
        "log_key_id": "<key id of the log key>",
        "log_key_position": 1},                the log entry declaring the log key (if any)
     "key_id": "<the same key id>",
     "signature": "<base64 Ed25519 signature of the RFC 8785 bytes of 'act'>"}

and the receipt *file* a bank keeps is ``{"document": <that JSON, compact>, "key_id": ...,
"log_key": <the log key proof>, "witnessed": <the witnessed checkpoint>}`` (:class:`ReceiptText`):
the proof is the root-signed declaration of the log key as the log entry that records it, with
its inclusion in the checkpoint's tree, so ``greenreg receipt verify FILE --root-public-key ROOT``
checks the whole chain (:mod:`greenreg.receipt_chain`). Where the registry has witnesses,
``witnessed`` is the latest checkpoint they cosigned as its policy requires, with the
consistency proof from the receipt's checkpoint to it; it is absent until they have cosigned
that far, and ``GET /api/v1/log/witnessed?size=N`` (``greenreg receipt witnessed``) fetches it
later. The receipt itself is never signed again. ``log_key_position`` and ``log_key`` are absent
from receipts of stores whose log key was declared before declarations were log entries; such
receipts verify with the log public key (``--log-public-key``).

The public interfaces issue receipts on request (GraphQL ``certifications(..., receipt: true)``,
REST ``?receipt=true`` on a unit and on the lookup) with :func:`receipt_at`: ``answer`` then holds
the answer as the interface gave it plus its ``data_version``. Receipt JSON has no fractional
numbers (a search score is written as a decimal string), so the strict parser that reads acts
reads receipts too.

A unit's green code (企业绿码, 003 art. 26) is a receipt of kind ``green_code``: the unit and its
designations in force (usable titles only, :data:`~greenreg.projections.views.USABLE`), those it
holds but may not use (under a warning, with the deadline to rectify). A unit with no usable
title gets no green code. Its QR code carries a short URL, not the statement
(:mod:`greenreg.green_codes`, :mod:`greenreg.code_reference`): the statement at a checkpoint,
made again from the URL's id, and checked by the page it opens; ``greenreg receipt green-code``
writes the same.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from greenreg.errors import ActFormatError, NotFoundError, SignatureError
from greenreg.events.acts import read_signed_act, sign_act
from greenreg.events.canonical import canonical_bytes, parse_json
from greenreg.events.places import name_of
from greenreg.events.signing import Signer, key_id_of, verify_signature
from greenreg.projections.views import RESTRICTED, USABLE
from greenreg.registry.checkpoints import open_checkpoint
from greenreg.registry.unit import Designation, Unit
from greenreg.storage.queries import SignedCheckpoint, TransparencyLog

RECEIPT_TYPE = "greenreg.receipt/1"


def issue_receipt(
    signer: Signer,
    checkpoint: str,
    *,
    kind: str,
    question: dict[str, Any],
    answer: Any,
    issued_at: datetime,
    as_of: date | None = None,
    known_at: datetime | None = None,
    log_key_position: int | None = None,
) -> dict[str, Any]:
    """A signed receipt; ``question`` and ``answer`` must be JSON (no floats)."""
    body = receipt_body(
        signer.key_id,
        checkpoint,
        kind=kind,
        question=question,
        answer=answer,
        issued_at=issued_at,
        as_of=as_of,
        known_at=known_at,
        log_key_position=log_key_position,
    )
    return sign_act(body, signer)


def receipt_body(
    key_id: str,
    checkpoint: str,
    *,
    kind: str,
    question: dict[str, Any],
    answer: Any,
    issued_at: datetime,
    as_of: date | None = None,
    known_at: datetime | None = None,
    log_key_position: int | None = None,
) -> dict[str, Any]:
    """What a receipt signed by log key ``key_id`` states (its ``act``), before signing."""
    body: dict[str, Any] = {
        "type": RECEIPT_TYPE,
        "kind": kind,
        "question": question,
        "answer": answer,
        "as_of": as_of.isoformat() if as_of else None,
        "known_at": known_at.isoformat() if known_at else None,
        "issued_at": issued_at.isoformat(),
        "checkpoint": checkpoint,
        "log_key_id": key_id,
    }
    if log_key_position is not None:
        body["log_key_position"] = log_key_position
    return body


@dataclass(frozen=True)
class ReceiptText:
    """A signed receipt as an interface hands it out: ``document`` is the receipt's compact JSON
    (store it byte for byte), ``key_id`` the log key that signed it, ``log_key`` the proof that
    the root declared that key (docs/receipts.md; ``None`` where the store cannot give one),
    ``witnessed`` the witnessed checkpoint that covers the receipt's (``None``: none yet)."""

    document: str
    key_id: str
    log_key: dict[str, Any] | None = None
    witnessed: dict[str, Any] | None = None

    def file(self) -> dict[str, Any]:
        """The receipt file a bank keeps: what ``greenreg receipt verify`` reads."""
        kept = {"document": self.document, "key_id": self.key_id, "log_key": self.log_key}
        if self.witnessed is not None:
            kept["witnessed"] = self.witnessed
        return kept


def receipt_at(
    log: TransparencyLog | None,
    checkpoint: SignedCheckpoint | None,
    *,
    kind: str,
    question: dict[str, Any],
    answer: Any,
    issued_at: datetime,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> ReceiptText:
    """A receipt for an answer given at ``checkpoint``, signed by ``log``'s key, with the proof
    of the key's declaration in that checkpoint's tree and, where the log's witnesses have
    cosigned that far, the witnessed checkpoint; refused (not found) where the registry has no
    log key or no signed checkpoint yet."""
    signer = log.signer if log is not None else None
    if log is None or signer is None or checkpoint is None:
        raise NotFoundError(
            "this registry cannot sign receipts yet: it has no log key or no signed checkpoint"
        )
    proof = log.log_key_proof(signer.key_id, checkpoint.tree_size)
    receipt = issue_receipt(
        signer,
        checkpoint.note,
        kind=kind,
        question=json_value(question),
        answer=json_value(answer),
        issued_at=issued_at,
        as_of=as_of,
        known_at=known_at,
        log_key_position=None if proof is None else proof["position"],
    )
    witnessed = log.witnessed(checkpoint.tree_size)
    return ReceiptText(
        compact(receipt), signer.key_id, proof, None if witnessed is None else witnessed.as_json()
    )


def json_value(value: Any) -> Any:  # noqa: PLR0911 (one return per kind of value)
    """A view (a frozen dataclass), or anything inside one, as receipt JSON: dates in ISO 8601,
    ids as text, fractional numbers as decimal strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return json_value(value.value)
    if isinstance(value, float):
        return format(value, ".6g")
    return value


def verify_receipt(data: bytes | str | dict[str, Any], public_key: bytes) -> dict[str, Any]:
    """The receipt's content if it is signed by ``public_key`` and its checkpoint too; raise a
    :class:`SignatureError` (or :class:`ActFormatError` for a malformed file) otherwise."""
    body, key_id, signature = read_signed_act(data)
    if key_id != key_id_of(public_key):
        raise SignatureError(
            f"the receipt is signed by key {key_id}, not by {key_id_of(public_key)}"
        )
    try:
        verify_signature(public_key, canonical_bytes(body), signature)
    except SignatureError as error:
        raise SignatureError(
            f"the receipt was altered or not signed by this key: {error}"
        ) from None
    if body.get("type") != RECEIPT_TYPE or not isinstance(body.get("checkpoint"), str):
        raise ActFormatError(f"not a {RECEIPT_TYPE} receipt")
    open_checkpoint(body["checkpoint"], public_key)
    return body


@dataclass(frozen=True)
class ReceiptFile:
    """A receipt file as read: the signed receipt, the log key proof and the witnessed
    checkpoint if the file has them."""

    receipt: dict[str, Any]
    log_key: dict[str, Any] | None
    witnessed: dict[str, Any] | None = None


def read_receipt(text: str) -> ReceiptFile:
    """A receipt file: the signed receipt itself (as a QR code carries it), or the
    ``{"document", "key_id", "log_key", "witnessed"}`` object the interfaces answer with (its
    ``document`` is then the receipt; ``log_key`` and ``witnessed`` may be absent or null)."""
    data = parse_json(text)
    log_key = witnessed = None
    if isinstance(data, dict) and "act" not in data and isinstance(data.get("document"), str):
        log_key, witnessed = data.get("log_key"), data.get("witnessed")
        data = parse_json(data["document"])
        for name, value in (("log_key", log_key), ("witnessed", witnessed)):
            if value is not None and not isinstance(value, dict):
                raise ActFormatError(f"a receipt file's {name!r} is an object (or null)")
    if not isinstance(data, dict):
        raise ActFormatError("a receipt is a JSON object")
    return ReceiptFile(data, log_key, witnessed)


# --- the green code ----------------------------------------------------------------------------


def green_code_answer(unit: Unit) -> dict[str, Any]:
    """A unit and its designations in force, as the green code states them, and the titles it
    holds but may not use; refused (not found) when it has no title it may use."""
    state = unit.state
    held = sorted(state.designations.values(), key=lambda d: (d.programme, d.jurisdiction))
    usable = [d for d in held if d.status in USABLE]
    restricted = [d for d in held if d.status in RESTRICTED]
    if not usable:
        raise NotFoundError(f"{state.name} gets no green code: {no_usable_title(restricted)}")
    return {
        "unit_id": str(unit.id),
        "name": state.name,
        "credit_code": state.credit_code,
        "designations": [_stated(d) for d in usable],
        "restricted": [
            {
                **_stated(d),
                "restricted_since": d.changed_on.isoformat(),
                "rectify_by": d.rectify_by.isoformat() if d.rectify_by else None,
            }
            for d in restricted
        ],
    }


def no_usable_title(restricted: list[Designation]) -> str:
    """Why a unit may use no title, in words."""
    if not restricted:
        return "it holds no designation in force"
    return "it may not use its titles while it rectifies: " + "; ".join(
        f"{d.programme} ({d.jurisdiction}) {d.status} since {d.changed_on}"
        + (f", rectify by {d.rectify_by}" if d.rectify_by else "")
        for d in restricted
    )


def _stated(d: Designation) -> dict[str, Any]:
    return {
        "programme": d.programme,
        "jurisdiction": d.jurisdiction,
        "issuer_area": name_of(d.jurisdiction),
        "level": str(d.level),
        "since": d.since.isoformat(),
        "status": d.status,
        "document_number": d.document_number,
    }


def issue_green_code(
    signer: Signer,
    checkpoint: str,
    unit: Unit,
    issued_at: datetime,
    log_key_position: int | None = None,
) -> dict[str, Any]:
    return sign_act(
        green_code_body(signer.key_id, checkpoint, unit, issued_at, log_key_position), signer
    )


def green_code_body(
    key_id: str,
    checkpoint: str,
    unit: Unit,
    issued_at: datetime,
    log_key_position: int | None = None,
) -> dict[str, Any]:
    """What a unit's green code signed by log key ``key_id`` at ``checkpoint`` states: made
    again without the key when a former log key signed it (its signature is the URL's)."""
    return receipt_body(
        key_id,
        checkpoint,
        kind="green_code",
        question={"unit": str(unit.id)},
        answer=green_code_answer(unit),
        issued_at=issued_at,
        as_of=issued_at.date(),
        log_key_position=log_key_position,
    )


def compact(receipt: dict[str, Any]) -> str:
    """The receipt as one line of JSON: what the QR code carries."""
    return json.dumps(receipt, ensure_ascii=False, separators=(",", ":"))
