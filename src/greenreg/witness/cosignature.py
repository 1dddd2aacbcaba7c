"""Cosignatures in the C2SP tlog-cosignature format (``cosignature/v1``, Ed25519).

A cosignature is one more signature line on a checkpoint note::

    — <witness name> base64(key id || timestamp || signature)

- key id: the first 4 bytes of SHA-256(name || 0x0A || 0x04 || 32-byte public key);
- timestamp: 8 bytes, unsigned big-endian, POSIX seconds when the witness cosigned;
- signature: Ed25519 over ``"cosignature/v1\\ntime <timestamp>\\n"`` followed by the note body
  (the checkpoint's lines with their newlines, no signature lines).

It says: at that time, the largest consistent tree the witness had seen of the log named by the
origin line had this root. A witness is known to verifiers by its name and key, written as a
note verifier key: ``<name>+<key id hex>+<base64(0x04 || public key)>``
(:func:`witness_vkey`), what ``greenreg witness --vkey`` prints and ``/api/v1/log/witnesses``
publishes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path

from greenreg.errors import GreenregError, SignatureError
from greenreg.events.signing import Signer, check_public_key, verify_signature
from greenreg.registry.checkpoints import SIGNATURE_PREFIX

COSIGNATURE_V1 = b"\x04"
"""The signature type byte of an Ed25519 cosignature/v1 key."""
HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = 2**63 - 1


class WitnessPolicyError(GreenregError):
    """A checkpoint has fewer valid cosignatures than the witness policy requires."""


@dataclass(frozen=True)
class WitnessKey:
    """A witness as verifiers know it: its name and Ed25519 public key."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return cosigner_key_id(self.name, self.public_key)

    @property
    def vkey(self) -> str:
        return witness_vkey(self.name, self.public_key)


def cosigner_key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + COSIGNATURE_V1 + public_key).digest()[:4]


def witness_vkey(name: str, public_key: bytes) -> str:
    encoded = base64.b64encode(COSIGNATURE_V1 + public_key).decode("ascii")
    return f"{name}+{cosigner_key_id(name, public_key).hex()}+{encoded}"


def parse_witness_vkey(text: str) -> WitnessKey:
    """A witness key from its verifier key text; a clear error if it is not one."""
    name, _, rest = text.strip().partition("+")
    hashed, _, encoded = rest.partition("+")
    if not name or not hashed or not encoded or any(c.isspace() for c in name):
        raise GreenregError(
            f"{text.strip()!r} is not a witness key: write it as <name>+<key id>+<base64 key>"
        )
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise GreenregError(f"the witness key of {name} is not base64") from None
    if raw[:1] != COSIGNATURE_V1 or len(raw) != 33:
        raise GreenregError(
            f"the witness key of {name} is not an Ed25519 cosignature/v1 key (type 0x04)"
        )
    key = WitnessKey(name, raw[1:])
    check_public_key(key.public_key)
    if key.key_id.hex() != hashed:
        raise GreenregError(
            f"the witness key of {name} has a key id that does not match it"
            " (8 lowercase hex digits, as `greenreg witness --vkey` prints them)"
        )
    return key


def note_body(note: str) -> str:
    """The text a note's signatures cover: up to and with the newline before the blank line."""
    body, sep, _ = note.partition("\n\n")
    if not sep:
        raise GreenregError("a signed note ends its text with a blank line")
    return body + "\n"


def signed_message(body: str, timestamp: int) -> bytes:
    """The bytes a cosignature/v1 signs: header, time line, then the checkpoint body."""
    return f"{HEADER}time {timestamp}\n{body}".encode()


def cosign(signer: Signer, name: str, body: str, timestamp: int) -> str:
    """The cosignature line (ending in a newline) of ``signer`` as witness ``name``."""
    if not 0 < timestamp <= MAX_TIMESTAMP:
        raise GreenregError(f"a cosignature's timestamp {timestamp} is out of range")
    signature = signer.sign(signed_message(body, timestamp))
    blob = cosigner_key_id(name, signer.public_key) + timestamp.to_bytes(8, "big") + signature
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(blob).decode('ascii')}\n"


def signature_lines(note: str) -> list[str]:
    """The signature lines of a note (each without its newline)."""
    _, _, signatures = note.partition("\n\n")
    return [line for line in signatures.splitlines() if line]


def _blob(line: str) -> tuple[str, bytes] | None:
    if not line.startswith(SIGNATURE_PREFIX):
        return None
    name, _, encoded = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
    try:
        return name, base64.b64decode(encoded, validate=True)
    except binascii.Error:
        return None


def cosignature_time(key: WitnessKey, body: str, line: str) -> int:
    """The timestamp of ``line`` if it is ``key``'s valid cosignature on ``body``; raise
    :class:`SignatureError` saying why not."""
    parsed = _blob(line)
    if parsed is None:
        raise SignatureError(f"{line!r} is not a note signature line")
    name, blob = parsed
    if name != key.name or blob[:4] != key.key_id:
        raise SignatureError(f"the line is not a cosignature by witness {key.name}")
    if len(blob) != 4 + 8 + 64:
        raise SignatureError(f"the cosignature of {key.name} is not key id, time and signature")
    timestamp = int.from_bytes(blob[4:12], "big")
    if not 0 < timestamp <= MAX_TIMESTAMP:
        raise SignatureError(f"the cosignature of {key.name} has no valid timestamp")
    verify_signature(key.public_key, signed_message(body, timestamp), blob[12:])
    return timestamp


def cosignatures_by(key: WitnessKey, note: str) -> list[str]:
    """The signature lines of ``note`` that name ``key`` (name and key id), valid or not."""
    found = []
    for line in signature_lines(note):
        parsed = _blob(line)
        if parsed is not None and parsed[0] == key.name and parsed[1][:4] == key.key_id:
            found.append(line)
    return found


@dataclass(frozen=True)
class WitnessPolicy:
    """Which witnesses a verifier trusts and how many of them must have cosigned."""

    keys: tuple[WitnessKey, ...]
    required: int

    def __post_init__(self) -> None:
        if self.required < 0:
            raise GreenregError("the number of witnesses required is not negative")
        if self.required > len(self.keys):
            raise GreenregError(
                f"the policy requires {self.required} witnesses but names only {len(self.keys)}"
            )
        # One witness counts once: a key (or a name) given twice would let one witness's
        # cosignature meet a policy of two.
        names = [k.name for k in self.keys]
        public_keys = [k.public_key for k in self.keys]
        for key in self.keys:
            if names.count(key.name) > 1 or public_keys.count(key.public_key) > 1:
                raise GreenregError(
                    f"the policy names the witness {key.name} twice (by its name or its key): "
                    "each witness counts once"
                )

    def as_json(self) -> dict[str, object]:
        return {
            "required": self.required,
            "witnesses": [
                {
                    "name": k.name,
                    "public_key": base64.b64encode(k.public_key).decode("ascii"),
                    "key_id": k.key_id.hex(),
                    "vkey": k.vkey,
                }
                for k in self.keys
            ],
        }


def read_policy(key_files: list[Path], required: int) -> WitnessPolicy:
    """A policy from witness key files (each holds a witness verifier key, as ``greenreg
    witness --vkey`` prints and ``/api/v1/log/witnesses`` publishes) and the number required."""
    keys = []
    for path in key_files:
        try:
            text = path.read_text("utf-8")
        except OSError as error:
            raise GreenregError(f"cannot read the witness key {path}: {error}") from None
        keys.append(parse_witness_vkey(text))
    return WitnessPolicy(tuple(keys), required)


def check_witnessed(note: str, policy: WitnessPolicy) -> list[str]:
    """The names of the policy's witnesses that validly cosigned ``note``, if at least
    ``policy.required`` did; otherwise raise :class:`WitnessPolicyError` naming the witnesses
    whose cosignature is missing and those whose cosignature is not valid (and why).

    The log's own signature is not checked here (see
    :func:`greenreg.registry.checkpoints.open_checkpoint`); lines by keys outside the policy
    are ignored, as the specification asks."""
    body = note_body(note)
    valid: list[str] = []
    missing: list[str] = []
    invalid: list[str] = []
    for key in policy.keys:
        lines = cosignatures_by(key, note)
        if not lines:
            missing.append(key.name)
            continue
        reasons = []
        for line in lines:
            try:
                cosignature_time(key, body, line)
            except GreenregError as error:
                reasons.append(str(error))
            else:
                valid.append(key.name)
                break
        else:
            invalid.append(f"{key.name} ({'; '.join(reasons)})")
    if len(valid) < policy.required:
        size = body.split("\n")[1] if body.count("\n") >= 2 else "?"
        parts = [f"{len(valid)} valid of the {policy.required} required"]
        if missing:
            parts.append(f"missing: {', '.join(missing)}")
        if invalid:
            parts.append(f"not valid: {', '.join(invalid)}")
        raise WitnessPolicyError(
            f"the checkpoint of size {size} is not witnessed as the policy requires: "
            + "; ".join(parts)
        )
    return valid
