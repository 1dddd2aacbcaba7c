"""The notification a watchlist's endpoint receives, signed with the log key.

The body is JSON (UTF-8, compact)::

    {"type": "greenreg.notification/1",
     "watchlist_id": "...", "position": 1234,          the event's log position (from 0)
     "change": "removed",                              see greenreg.subscribers.changes
     "unit": {"id": "...", "name": "...", "credit_code": "..." | null},
     "event": {"event_id", "type", "summary", "effective_date", "recorded_at",
               "document_number", "signed_act", "signature", "key_id"},
     "stored_event": {"originator_id", "originator_version", "topic", "state_base64"},
     "checkpoint": {"tree_size", "root_hash", "note"}, the first signed checkpoint holding it
     "inclusion_proof": ["<hex>", ...]}                the event's leaf in that tree (RFC 9162)

and is sent with the headers::

    Greenreg-Signature: keyid=<log key id>,sig=<base64 Ed25519 signature of the body bytes>
    Greenreg-Delivery: <watchlist id>/<position>       the same on every retry

The signature is detached, over the exact bytes of the body, by the log key (the key that signs
checkpoints and receipts; its public key is declared by the root key, ``/api/v1/log/keys``).
:func:`verify_notification` is what a receiver runs: the signature, the checkpoint note's own
signature, and the inclusion of the stored event (its leaf recomputed from ``stored_event``) in
that checkpoint's tree. Delivery is at least once: a receiver keeps ``Greenreg-Delivery`` (or
``watchlist_id`` and ``position``) and ignores one it has already processed.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent

from greenreg.errors import GreenregError, SignatureError
from greenreg.events.signing import Signer, b64decode, b64encode, key_id_of, verify_signature
from greenreg.events.vocabulary import RegistryEvent
from greenreg.projections.database import ReadStore
from greenreg.registry.application import Registry
from greenreg.registry.checkpoints import open_checkpoint
from greenreg.registry.log import ProofError, event_leaf, leaf_hash, verify_inclusion
from greenreg.storage.log_tables import LogTables
from greenreg.storage.queries import TransparencyLog

NOTIFICATION_TYPE = "greenreg.notification/1"
SIGNATURE_HEADER = "Greenreg-Signature"
DELIVERY_HEADER = "Greenreg-Delivery"


@dataclass(frozen=True)
class Notification:
    """A notification ready to send: its exact body and the signature header's value."""

    body: bytes
    signature: str


def signature_header(signer: Signer, body: bytes) -> str:
    return f"keyid={signer.key_id},sig={b64encode(signer.sign(body))}"


class Notifier:
    """Builds and signs the notification of the event at a log position."""

    def __init__(self, registry: Registry, store: ReadStore) -> None:
        recorder = registry.recorder
        if not isinstance(recorder, LogTables) or recorder.log_signer is None:
            raise GreenregError("webhooks are signed with the log key: this store has none")
        self.registry = registry
        self.recorder = recorder
        self.signer: Signer = recorder.log_signer
        self.log = TransparencyLog(recorder)
        self.store = store

    def build(self, watchlist_id: str, position: int, change: str) -> Notification:
        entry = next(iter(self.recorder.log_entries(position, position + 1)))
        if entry.topic is None or entry.state is None:
            raise GreenregError(f"the log names an event at {position} the store lacks")
        stored = StoredEvent(
            entry.originator_id, entry.originator_version, entry.topic, entry.state
        )
        event = self.registry.mapper.to_domain_event(stored)
        if not isinstance(event, RegistryEvent):
            raise GreenregError(f"the event at {position} is not a registry event")
        proof = self.log.inclusion_at(position, self._signed_size_after(position))
        unit_id = str(entry.originator_id)
        body = {
            "type": NOTIFICATION_TYPE,
            "watchlist_id": watchlist_id,
            "position": position,
            "change": change,
            "unit": self._unit(unit_id),
            "event": {
                "event_id": f"{unit_id}/{entry.originator_version}",
                "type": type(event).__name__,
                "summary": self._summary(unit_id, position),
                "effective_date": event.effective_date.isoformat(),
                "recorded_at": event.timestamp.isoformat(),
                "document_number": event.document_number,
                "signed_act": event.signed_act,
                "signature": event.signature,
                "key_id": event.key_id,
            },
            "stored_event": {
                "originator_id": unit_id,
                "originator_version": entry.originator_version,
                "topic": entry.topic,
                "state_base64": b64encode(entry.state),
            },
            "checkpoint": {
                "tree_size": proof.checkpoint.tree_size,
                "root_hash": proof.checkpoint.root_hash,
                "note": proof.checkpoint.note,
            },
            "inclusion_proof": proof.hashes,
        }
        data = orjson.dumps(body)
        return Notification(data, signature_header(self.signer, data))

    def _signed_size_after(self, position: int) -> int:
        """The smallest signed tree that holds ``position`` (a write signs at its end)."""
        with self.recorder.reading() as c:
            c.execute(
                self.recorder.sql(
                    "SELECT MIN(tree_size) AS size FROM {checkpoints} WHERE tree_size > ?"
                ),
                (position,),
            )
            size = c.fetchall()[0]["size"]
        if size is None:
            raise GreenregError(f"no signed checkpoint holds log position {position} yet")
        return int(size)

    def _unit(self, unit_id: str) -> dict[str, Any]:
        rows = self.store.query(
            "SELECT name, credit_code FROM rm_units WHERE unit_id = ?", (unit_id,)
        )
        name, code = rows[0] if rows else (None, None)
        return {"id": unit_id, "name": name, "credit_code": code}

    def _summary(self, unit_id: str, position: int) -> str | None:
        rows = self.store.query(
            "SELECT summary FROM rm_history WHERE unit_id = ? AND position = ?",
            (unit_id, position),
        )
        return str(rows[0][0]) if rows else None


def parse_signature_header(value: str) -> tuple[str, bytes]:
    """``keyid=...,sig=...`` as (key id, signature)."""
    fields = dict(part.strip().partition("=")[::2] for part in value.split(","))
    if "keyid" not in fields or "sig" not in fields:
        raise SignatureError(f"the {SIGNATURE_HEADER} header reads keyid=...,sig=...")
    return fields["keyid"], b64decode(fields["sig"], "notification signature")


def verify_notification(body: bytes, header: str, public_key: bytes) -> dict[str, Any]:
    """The notification's content, if ``public_key`` (the log key) signed these exact bytes,
    its checkpoint is signed by the same key, and the stored event is a leaf of that tree.
    Raises :class:`SignatureError` otherwise."""
    key_id, signature = parse_signature_header(header)
    if key_id != key_id_of(public_key):
        raise SignatureError(f"signed by key {key_id}, not by the log key {key_id_of(public_key)}")
    verify_signature(public_key, body, signature)
    content: dict[str, Any] = orjson.loads(body)
    tree = open_checkpoint(content["checkpoint"]["note"], public_key)
    stored = content["stored_event"]
    try:
        leaf = event_leaf(
            UUID(stored["originator_id"]),
            int(stored["originator_version"]),
            stored["topic"],
            base64.b64decode(stored["state_base64"], validate=True),
        )
        verify_inclusion(
            int(content["position"]),
            tree.size,
            leaf_hash(leaf),
            [bytes.fromhex(h) for h in content["inclusion_proof"]],
            tree.root,
        )
    except (ProofError, ValueError, binascii.Error) as error:
        raise SignatureError(f"the event is not proven in the signed checkpoint: {error}") from None
    return content
