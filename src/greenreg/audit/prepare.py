"""The stateless half of the audit, on all cores: what each log entry says on its own.

A log entry can be checked without any history for most of its cost: its Merkle leaf hash, its
JSON, its signed act's JSON and the Ed25519 signature over the signed bytes (a key id names
exactly one public key: the id is the key's hash). The main process sends entries in chunks
with the public keys declared so far; a worker answers each entry with a compact
:class:`Prepared` tuple (plain values, cheap to send back), and the main process keeps only the
stateful work: the fold, keys' validity, competence and the rulebooks.

Checkpoint notes are opened here too, in chunks: each signed note against the declared log keys.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from greenreg.errors import GreenregError
from greenreg.events.canonical import parse_json
from greenreg.events.signing import (
    PUBLIC_KEY_LENGTH,
    SIGNATURE_LENGTH,
    b64decode,
    key_id_of,
    key_weakness,
    signature_weakness,
)
from greenreg.registry.checkpoints import Checkpoint, LogKey, open_checkpoint, parse_checkpoint
from greenreg.registry.log import event_leaf_hash

Raw = tuple[bytes, int, str | None, bytes | None]
"""An entry as sent to a worker: (originator id bytes, version, topic, state)."""

SIGNED = "signed"
"""The signature verifies under the key its key id names."""
FORGED = "forged"
"""The signature does not verify (or is not an Ed25519 signature)."""
UNKNOWN_KEY = "unknown key"
"""No declared public key has the key id the event names."""
WEAK_KEY = "weak key"
"""The key the event names is one anyone can sign under (see :func:`key_weakness`)."""


class Prepared(NamedTuple):
    """What a worker found in one entry. ``error`` set: the stored event cannot be read."""

    leaf: bytes
    signature_status: str = ""
    act_id: str = ""
    timestamp: str = ""
    key_id: str = ""
    signature: bytes = b""
    signed_act: str = ""
    body: dict[str, Any] | None = None
    error: str = ""


def prepare_chunk(raws: list[Raw], keys: dict[str, bytes]) -> list[Prepared]:
    """Each entry's leaf hash, signature status and parsed act (see :class:`Prepared`): every
    entry of the chunk is read first, then every signature is verified (:func:`verified`)."""
    read = [_read(raw) for raw in raws]
    return [verified(prepared, keys.get(prepared.key_id)) for prepared in read]


def _read(raw: Raw) -> Prepared:
    originator, version, topic, state = raw
    if topic is None or state is None:
        return Prepared(b"")
    return read_entry(UUID(bytes=originator), version, topic, state)


def prepare_entry(
    originator: UUID,
    version: int,
    topic: str,
    state: bytes,
    keys: dict[str, bytes],
) -> Prepared:
    """One stored event's leaf hash, signature status (under ``keys``) and parsed act."""
    prepared = read_entry(originator, version, topic, state)
    return verified(prepared, keys.get(prepared.key_id))


def read_entry(originator: UUID, version: int, topic: str, state: bytes) -> Prepared:
    """:func:`prepare_entry` but the signature: its status is left empty for :func:`verified`.

    Reading a chunk's entries and then verifying their signatures one after another is
    faster than doing both entry by entry: the verifications then run with the processor's
    caches holding their own tables, not the JSON just read."""
    return read_signed(originator, version, topic, state)[0]


def read_signed(originator: UUID, version: int, topic: str, state: bytes) -> tuple[Prepared, bytes]:
    """:func:`read_entry`, and the bytes signed (the signed act's UTF-8; ``b""`` if the stored
    event cannot be read)."""
    leaf = event_leaf_hash(originator, version, topic, state)
    try:
        stored = _loads(state)
        signed_act: str = stored["signed_act"]
        key_id: str = stored["key_id"]
        timestamp: str = stored["timestamp"]["_data_"]
        act_id: str = stored["act_id"]["_data_"]
        signed = signed_act.encode("utf-8")  # the bytes signed: text that has them
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        return Prepared(leaf, error=f"{type(error).__name__}: {error}"), b""
    try:
        signature = b64decode(stored.get("signature"), "signature")
    except (GreenregError, AttributeError):
        signature = b""  # not base64: it cannot verify
    try:
        body = parse_json(signed)  # the text, as its UTF-8 bytes decode to it
    except GreenregError:
        body = None  # the replay reads it again and names what is wrong
    return Prepared(leaf, "", act_id, timestamp, key_id, signature, signed_act, body), signed


def verified(prepared: Prepared, public_key: bytes | None) -> Prepared:
    """The entry read by :func:`read_entry` with its signature status under ``public_key``
    (``None``: no declared key has the entry's key id)."""
    if prepared.error or not prepared.leaf:
        return prepared
    if public_key is None:
        return prepared._replace(signature_status=UNKNOWN_KEY)
    status = signature_status(public_key, prepared.signed_act.encode("utf-8"), prepared.signature)
    return prepared._replace(signature_status=status)


def _loads(state: bytes) -> Any:
    """The stored JSON, parsed: by orjson, or by :mod:`json` where orjson refuses it (text
    :mod:`json` reads that orjson does not: ``NaN``, UTF-16...), so what reads is the same."""
    try:
        return orjson.loads(state)
    except orjson.JSONDecodeError:
        return json.loads(state)


def signature_status(public_key: bytes, message: bytes, signature: bytes) -> str:
    """Strict verification, as :func:`greenreg.events.signing.verify_signature` makes it:
    :data:`SIGNED`, :data:`FORGED` or :data:`WEAK_KEY`."""
    if len(signature) != SIGNATURE_LENGTH or len(public_key) != PUBLIC_KEY_LENGTH:
        return FORGED
    loaded = _loaded(public_key)
    if loaded is None:
        return WEAK_KEY
    if signature_weakness(signature):
        return FORGED
    try:
        loaded.verify(signature, message)
    except InvalidSignature:
        return FORGED
    return SIGNED


@cache
def _loaded(public_key: bytes) -> Ed25519PublicKey | None:
    """The key, ready to verify; ``None`` for a key anyone can sign under."""
    if key_weakness(public_key):
        return None
    return Ed25519PublicKey.from_public_bytes(public_key)


KEY_EVENTS = (":RegistryFounded", ":KeyAdded")
"""The topics of the events that declare a public key."""


def declared_keys(topic: str | None, state: bytes | None) -> dict[str, bytes]:
    """The public key a key event declares, by key id (nothing for other events)."""
    if state is None or topic is None or not topic.endswith(KEY_EVENTS):
        return {}
    try:
        stored = json.loads(state)
        text = stored.get("public_key") or stored.get("root_public_key")
        key = b64decode(str(text), "public key")
    except (ValueError, AttributeError, GreenregError):
        return {}
    return {key_id_of(key): key}


Opened = tuple[int, Checkpoint | None, str]
"""(stored size, the checkpoint if a declared log key signed it, else why not)"""


def open_checkpoints(notes: list[tuple[int, str]], keys: list[LogKey]) -> list[Opened]:
    """Each stored checkpoint note opened with the declared log keys."""
    return [_open(size, note, keys) for size, note in notes]


def _open(size: int, note: str, keys: list[LogKey]) -> Opened:
    try:
        claimed, _ = parse_checkpoint(note)
    except GreenregError as error:
        return size, None, f"checkpoint of size {size} is malformed: {error}"
    for key in keys:
        if key.origin != claimed.origin:
            continue
        try:
            checkpoint = open_checkpoint(note, key.public_key)
        except GreenregError:
            continue
        if checkpoint.size != size:
            return size, None, f"checkpoint stored at size {size} says {checkpoint.size}"
        return size, checkpoint, ""
    return size, None, f"checkpoint of size {size} is not signed by a log key the root declared"
