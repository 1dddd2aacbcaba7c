"""Signed checkpoints of the transparency log, in the C2SP signed-note format.

A checkpoint (https://c2sp.org/tlog-checkpoint) says "the log named *origin* has *size* leaves
and this root hash". It is a signed note (https://c2sp.org/signed-note)::

    greenreg.log                          <- origin: the log's name
    1234                                  <- tree size, decimal
    KgKz8ZV1...=                          <- root hash, base64
                                          <- an empty line ends the note text
    — greenreg.log Ab3x...==              <- em dash, key name, base64(key hash || signature)

The signature is Ed25519 over the note text (the three lines with their newlines). The key hash
is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || public key); 0x01 marks Ed25519.
The key name is the origin. :func:`verifier_key` gives the key in the ``name+hash+key`` form the
Go ``note`` package and other C2SP tools read.

The log key and how an inspector comes to trust it
--------------------------------------------------
The registry *operator* signs checkpoints (and receipts, see :mod:`greenreg.receipts`) with its
Ed25519 log key. Where the operator keeps it is the composition root's business
(:mod:`greenreg.storage.log_key`). The root key is the inspector's only trust anchor, so the root
declares the log key: :func:`declare_log_key` is an act signed by the root key (type
``declare_log_key``: the log key, its origin and from when it signs) that the registry records
as a log entry (the event ``LogKeyDeclared`` on the root's aggregate), so every later checkpoint
covers it and a consistency proof shows it was never swapped. The registry also keeps the
declarations beside the checkpoints (``/api/v1/log/keys``, the export's ``log-keys.json``).
Stores older than that kept only a root-signed statement there, not a log entry (no ``act_id``,
with a ``log_key_id``): :func:`check_log_key` still reads both. docs/receipts.md is the
specification of the chain from the root key to a receipt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from greenreg.errors import ActFormatError, GreenregError, SignatureError
from greenreg.events.acts import read_signed_act, sign_act
from greenreg.events.canonical import canonical_bytes
from greenreg.events.signing import (
    Signer,
    b64decode,
    b64encode,
    check_public_key,
    key_id_of,
    verify_signature,
)

DEFAULT_ORIGIN = "greenreg.log"
ED25519 = b"\x01"
SIGNATURE_PREFIX = "— "  # an em dash and a space


@dataclass(frozen=True)
class Checkpoint:
    """The log named ``origin`` had ``size`` leaves with this ``root``."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"


def check_key_name(name: str, what: str) -> str:
    """``name`` if it can name a key in a signed note (https://c2sp.org/signed-note): not empty,
    no Unicode space, no plus sign, no control character. Verifiers refuse a whole note with one
    signature line under another name (Go's ``note.Open``: "malformed note"), so a log origin or
    a witness name outside these rules would make every checkpoint it signs unreadable."""
    if not name or "+" in name or any(c.isspace() or ord(c) < 0x20 for c in name):
        raise GreenregError(
            f"{what} {name!r} cannot name a key in a signed note: "
            "write it without spaces or plus signs, e.g. registry.example.org/log"
        )
    return name


def key_hash(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """The note verifier key: ``name+<key hash hex>+<base64(0x01 || public key)>``."""
    encoded = base64.b64encode(ED25519 + public_key).decode("ascii")
    return f"{name}+{key_hash(name, public_key).hex()}+{encoded}"


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The checkpoint as a signed note, signed by ``signer`` under the origin's name."""
    text = checkpoint.text()
    signature = signer.sign(text.encode("utf-8"))
    blob = base64.b64encode(key_hash(checkpoint.origin, signer.public_key) + signature)
    return f"{text}\n{SIGNATURE_PREFIX}{checkpoint.origin} {blob.decode('ascii')}\n"


def parse_checkpoint(note: str) -> tuple[Checkpoint, list[tuple[str, bytes, bytes]]]:
    """Split a signed note into its checkpoint and its signatures ``(name, key hash, sig)``;
    nothing is verified here."""
    text, sep, signatures = note.partition("\n\n")
    lines = text.split("\n")
    if not sep or len(lines) < 3:
        raise ActFormatError("a checkpoint has an origin, a size and a root, then a blank line")
    origin, size, root = lines[0], lines[1], lines[2]
    if not size.isdigit() or (size != "0" and size.startswith("0")):
        raise ActFormatError(f"the checkpoint size {size!r} is not a decimal number")
    try:
        root_hash = base64.b64decode(root, validate=True)
    except binascii.Error as error:
        raise ActFormatError("the checkpoint root is not base64") from error
    if len(root_hash) != hashlib.sha256().digest_size:
        raise ActFormatError("the checkpoint root is not a SHA-256 hash")
    found = []
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            raise ActFormatError(f"a note signature line starts with an em dash: {line!r}")
        name, _, blob = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        raw = b64decode(blob, "checkpoint signature")
        if len(raw) < 4:
            raise SignatureError("a note signature is too short")
        found.append((name, raw[:4], raw[4:]))
    return Checkpoint(origin, int(size), root_hash), found


def open_checkpoint(note: str, public_key: bytes) -> Checkpoint:
    """The checkpoint, if ``note`` carries a valid signature by ``public_key``."""
    checkpoint, signatures = parse_checkpoint(note)
    wanted = key_hash(checkpoint.origin, public_key)
    text = checkpoint.text().encode("utf-8")
    for name, hashed, signature in signatures:
        if name == checkpoint.origin and hashed == wanted:
            verify_signature(public_key, text, signature)
            return checkpoint
    raise SignatureError(
        f"the checkpoint of size {checkpoint.size} is not signed by log key {key_id_of(public_key)}"
    )


def note_key_hashes(note: str) -> list[bytes]:
    return [hashed for _, hashed, _ in parse_checkpoint(note)[1]]


# --- the root declares the log key ---------------------------------------------------------


@dataclass(frozen=True)
class LogKey:
    """A log key the root declared: it signs checkpoints of ``origin`` from ``valid_from`` on."""

    key_id: str
    public_key: bytes
    origin: str
    valid_from: datetime


def declare_log_key(
    root: Signer,
    log_public_key: bytes,
    origin: str,
    valid_from: datetime,
    *,
    signed_at: datetime | None = None,
    act_id: UUID | None = None,
) -> dict[str, Any]:
    """The root's signed act declaring that ``log_public_key`` signs ``origin``'s checkpoints
    (and receipts) from ``valid_from`` on; submitted to the registry, it becomes a log entry."""
    check_public_key(log_public_key)
    signed = signed_at or valid_from
    return sign_act(
        {
            "type": "declare_log_key",
            "act_id": str(act_id or uuid4()),
            "authority": "root",
            "signed_at": signed.isoformat(),
            "effective_date": signed.date().isoformat(),
            "document": {"number": f"declaration of log key {key_id_of(log_public_key)}"},
            "origin": origin,
            "public_key": b64encode(log_public_key),
            "valid_from": valid_from.isoformat(),
        },
        root,
    )


def check_log_key(declaration: dict[str, Any], root_public_key: bytes) -> LogKey:
    """Read a declaration and check it is signed by the root key; raise otherwise."""
    body, key_id, signature = read_signed_act(declaration)
    if key_id != key_id_of(root_public_key):
        raise SignatureError(f"the log key declaration is signed by {key_id}, not the root key")
    verify_signature(root_public_key, canonical_bytes(body), signature)
    if body.get("type") != "declare_log_key":
        raise ActFormatError("a log key declaration has 'type': 'declare_log_key'")
    public_key = b64decode(str(body.get("public_key", "")), "log public key")
    check_public_key(public_key)
    try:
        valid_from = datetime.fromisoformat(str(body["valid_from"]))
    except (KeyError, ValueError) as error:
        raise ActFormatError("a log key declaration says from when the key is valid") from error
    return LogKey(key_id_of(public_key), public_key, str(body.get("origin", "")), valid_from)


def declared_key_id(declaration: dict[str, Any]) -> str:
    """The key id of the log key a declaration names (nothing is verified here)."""
    act = declaration.get("act")
    text = act.get("public_key") if isinstance(act, dict) else None
    return key_id_of(b64decode(str(text), "log public key"))
