"""Signed receipts: what the registry answered, provable later with the log public key alone.

A bank checking borrowers, or anyone looking a unit up, may ask for a receipt. It is JSON::

    {"receipt": {
        "type": "greenreg.receipt/1",
        "kind": "certification_check",        (or "lookup", "green_code", ...)
        "question": {...},                    the normalised question
        "answer": ...,                        the answer, as the registry gave it
        "as_of": "2024-05-01" | null,         valid time asked about
        "known_at": "2024-06-01T00:00:00+00:00" | null,   record time asked about
        "issued_at": "2026-11-21T04:00:00+00:00",
        "checkpoint": "greenreg.log\\n1234\\n<root>\\n\\n— greenreg.log <sig>\\n",
        "log_key_id": "<key id of the log key>"},
     "key_id": "<the same key id>",
     "signature": "<base64 Ed25519 signature>"}

The signature is Ed25519 by the log key over the RFC 8785 canonical bytes of ``receipt`` (the
same rule as an authority's act). ``checkpoint`` is the signed checkpoint the answer was given
at, a C2SP signed note by the same key: with a consistency proof from it to any later
checkpoint, the bank also shows the registry's history has not been rewritten since.

A bank's own verifier: canonicalise ``receipt`` with RFC 8785, verify the signature with the log
public key (its key id is the first 16 bytes of SHA-256 of the raw key, hex), then verify the
checkpoint note's signature (see :mod:`greenreg.registry.checkpoints`).

The public interfaces issue receipts on request (GraphQL ``certifications(..., receipt: true)``,
REST ``?receipt=true`` on a unit and on the lookup) with :func:`receipt_at`: ``answer`` then holds
the answer as the interface gave it plus its ``data_version``, and the receipt comes back as
:class:`ReceiptText`, the compact JSON to store as it is (``greenreg receipt verify FILE`` reads
it) and its key id. Receipt JSON has no fractional numbers (a search score is written as a
decimal string), so the strict parser that reads acts reads receipts too.

A unit's green code (企业绿码, 003 art. 26) is a receipt of kind ``green_code``: the unit and its
designations in force (usable titles only, :data:`~greenreg.projections.views.USABLE`), those it
holds but may not use (under a warning, with the deadline to rectify), with the receipt's compact
JSON as a QR code (:func:`qr_code`, what ``greenreg receipt green-code`` writes). A unit with no
usable title gets no green code. The registry's pages give each green code a short URL instead
(:mod:`greenreg.green_codes`, :mod:`greenreg.code_reference`): the statement at a checkpoint,
made again from the URL's id, and checked by the page it opens.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import segno

from greenreg.errors import ActFormatError, NotFoundError, SignatureError
from greenreg.events.acts import read_signed_act, sign_act
from greenreg.events.canonical import canonical_bytes, parse_json
from greenreg.events.places import name_of
from greenreg.events.signing import Signer, key_id_of, verify_signature
from greenreg.projections.views import RESTRICTED, USABLE
from greenreg.registry.checkpoints import open_checkpoint
from greenreg.registry.unit import Designation, Unit
from greenreg.storage.queries import SignedCheckpoint

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
) -> dict[str, Any]:
    """A signed receipt; ``question`` and ``answer`` must be JSON (no floats)."""
    body = {
        "type": RECEIPT_TYPE,
        "kind": kind,
        "question": question,
        "answer": answer,
        "as_of": as_of.isoformat() if as_of else None,
        "known_at": known_at.isoformat() if known_at else None,
        "issued_at": issued_at.isoformat(),
        "checkpoint": checkpoint,
        "log_key_id": signer.key_id,
    }
    return sign_act(body, signer)


@dataclass(frozen=True)
class ReceiptText:
    """A signed receipt as an interface hands it out: ``document`` is the receipt's compact JSON
    (store it byte for byte), ``key_id`` the log key that signed it."""

    document: str
    key_id: str


def receipt_at(
    signer: Signer | None,
    checkpoint: SignedCheckpoint | None,
    *,
    kind: str,
    question: dict[str, Any],
    answer: Any,
    issued_at: datetime,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> ReceiptText:
    """A receipt for an answer given at ``checkpoint``; refused (not found) where the registry
    has no log key or no signed checkpoint yet."""
    if signer is None or checkpoint is None:
        raise NotFoundError(
            "this registry cannot sign receipts yet: it has no log key or no signed checkpoint"
        )
    receipt = issue_receipt(
        signer,
        checkpoint.note,
        kind=kind,
        question=json_value(question),
        answer=json_value(answer),
        issued_at=issued_at,
        as_of=as_of,
        known_at=known_at,
    )
    return ReceiptText(compact(receipt), signer.key_id)


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


def read_receipt(text: str) -> dict[str, Any]:
    """A receipt file: the signed receipt itself, or the ``{"document", "key_id"}`` object the
    REST API answers with (its ``document`` is then the receipt)."""
    data = parse_json(text)
    if isinstance(data, dict) and "act" not in data and isinstance(data.get("document"), str):
        data = parse_json(data["document"])
    if not isinstance(data, dict):
        raise ActFormatError("a receipt is a JSON object")
    return data


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
    signer: Signer, checkpoint: str, unit: Unit, issued_at: datetime
) -> dict[str, Any]:
    return issue_receipt(
        signer,
        checkpoint,
        kind="green_code",
        question={"unit": str(unit.id)},
        answer=green_code_answer(unit),
        issued_at=issued_at,
        as_of=issued_at.date(),
    )


def compact(receipt: dict[str, Any]) -> str:
    """The receipt as one line of JSON: what the QR code carries."""
    return json.dumps(receipt, ensure_ascii=False, separators=(",", ":"))


def qr_code(receipt: dict[str, Any]) -> segno.QRCode:
    """The QR code of the receipt's compact JSON (byte mode, error correction L)."""
    return segno.make(compact(receipt), error="l", micro=False)
