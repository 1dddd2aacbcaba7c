"""Ed25519 signatures over canonical bytes, behind a small interface.

pyca/cryptography sits behind :class:`Ed25519Signer` and :func:`verify_signature`; nothing else
in the registry touches it. A key is named by its key id: the first 16 bytes of the SHA-256 of
its raw public key, in hex.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from greenreg.errors import SignatureError

PUBLIC_KEY_LENGTH = 32
SIGNATURE_LENGTH = 64


class Signer(Protocol):
    """Something that signs bytes on behalf of one key."""

    @property
    def key_id(self) -> str: ...

    @property
    def public_key(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


def key_id_of(public_key: bytes) -> str:
    """The key id of a raw 32-byte Ed25519 public key."""
    return hashlib.sha256(public_key).hexdigest()[:32]


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as error:
        raise SignatureError(f"the {what} is not valid base64") from error


class Ed25519Signer:
    """An Ed25519 private key that can sign."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self._public_key = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._key_id = key_id_of(self._public_key)

    @classmethod
    def generate(cls) -> Ed25519Signer:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519Signer:
        """A signer from its 32-byte private seed (the content of a key file, base64)."""
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def seed(self) -> bytes:
        return self._private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def public_key(self) -> bytes:
        return self._public_key

    def sign(self, message: bytes) -> bytes:
        return self._private_key.sign(message)


def check_public_key(public_key: bytes) -> None:
    if len(public_key) != PUBLIC_KEY_LENGTH:
        raise SignatureError(
            f"an Ed25519 public key has {PUBLIC_KEY_LENGTH} bytes, this one has {len(public_key)}"
        )


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> None:
    """Raise :class:`SignatureError` unless ``signature`` is ``public_key``'s over ``message``."""
    check_public_key(public_key)
    if len(signature) != SIGNATURE_LENGTH:
        raise SignatureError(
            f"an Ed25519 signature has {SIGNATURE_LENGTH} bytes, this one has {len(signature)}"
        )
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature as error:
        raise SignatureError(
            "the signature does not match the act: the act was altered after signing, "
            "or it was signed with another key"
        ) from error
