"""Ed25519 signatures over canonical bytes, behind a small interface.

pyca/cryptography sits behind :class:`Ed25519Signer` and :func:`verify_signature`; nothing else
in the registry touches it. A key is named by its key id: the first 16 bytes of the SHA-256 of
its raw public key, in hex.

Verification is strict, as ed25519-dalek's ``verify_strict`` and libsodium are (see "Taming the
many EdDSAs", Chalkias, Garillot and Nikolaenko, 2020). OpenSSL already refuses a signature whose
S is not below the group order L, and one whose R is not the canonical encoding of the point it
computes; it accepts any 32 bytes as a public key, though, and a signature whose R has small
order. So a public key whose encoding is not canonical (y >= p) or that is one of the eight
points of small order (the identity among them) is refused wherever a key is read
(:func:`check_public_key`): under such a key anyone can "sign" without a private key (with the
identity key, R = the base point and S = 1 verifies for every message). A signature whose R has
small order is refused too (:func:`check_signature_form`).
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
FIELD_PRIME = 2**255 - 19
"""p: an encoded point's y coordinate is canonical only below it."""
_Y_BITS = (1 << 255) - 1
"""An encoded point is y (255 bits, little-endian) and the sign of x (the top bit)."""
_ORDER_8_Y = 0x05FC536D880238B13933C6D305ACDFD5F098EFF289F4C345B027B2C28F95E826
SMALL_ORDER_Y = {
    1: "the identity point (order 1)",
    FIELD_PRIME - 1: "a point of order 2",
    0: "a point of order 4",
    _ORDER_8_Y: "a point of order 8",
    FIELD_PRIME - _ORDER_8_Y: "a point of order 8",
}
"""The y coordinates of the eight points of small order (the torsion subgroup): a y and the sign
of x name a point, so every encoding of a small-order point with a canonical y has one of these
(the libsodium and ed25519-dalek blocklists hold the same points)."""


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

    @classmethod
    def from_pem(cls, text: str) -> Ed25519Signer:
        """A signer from a PKCS#8 PEM private key (``-----BEGIN PRIVATE KEY-----``); a
        :class:`ValueError` for anything else."""
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            kind = type(key).__name__.removesuffix("PrivateKey")
            raise ValueError(f"it holds a {kind} key")  # noqa: TRY004 (a file's content)
        return cls(key)

    def pem(self) -> str:
        """The private key as PKCS#8 PEM, unencrypted (the key file protects it: mode 0600)."""
        return self._private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

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


def public_key_from_pem(text: str) -> bytes:
    """The raw 32-byte public key of a PEM ``-----BEGIN PUBLIC KEY-----`` (SubjectPublicKeyInfo,
    as ``openssl pkey -pubout`` writes it); a :class:`ValueError` for anything else."""
    key = serialization.load_pem_public_key(text.encode("ascii"))
    if not isinstance(key, Ed25519PublicKey):
        kind = type(key).__name__.removesuffix("PublicKey")
        raise ValueError(f"it holds a {kind} key")  # noqa: TRY004 (a file's content)
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_weakness(public_key: bytes) -> str:
    """Why this public key cannot be trusted (anyone could sign under it), or ""."""
    if len(public_key) != PUBLIC_KEY_LENGTH:
        return f"it has {len(public_key)} bytes, not {PUBLIC_KEY_LENGTH}"
    y = int.from_bytes(public_key, "little") & _Y_BITS
    if y >= FIELD_PRIME:
        return "its encoding is not canonical (its y coordinate is not below 2^255 - 19)"
    order = SMALL_ORDER_Y.get(y)
    if order is not None:
        return f"it is {order}, a key without a private key"
    return ""


def check_public_key(public_key: bytes) -> None:
    """Refuse anything but the canonical encoding of an Ed25519 point of large order."""
    if len(public_key) != PUBLIC_KEY_LENGTH:
        raise SignatureError(
            f"an Ed25519 public key has {PUBLIC_KEY_LENGTH} bytes, this one has {len(public_key)}"
        )
    weakness = key_weakness(public_key)
    if weakness:
        raise SignatureError(
            f"the public key {key_id_of(public_key)} cannot be used: {weakness}; anyone could "
            "sign under it. Make a new key pair (greenreg keys new) and register its public key."
        )


def signature_weakness(signature: bytes) -> str:
    """Why a 64-byte signature is not strict Ed25519 (beyond what OpenSSL refuses), or ""."""
    y = int.from_bytes(signature[:PUBLIC_KEY_LENGTH], "little") & _Y_BITS
    order = SMALL_ORDER_Y.get(y)
    return f"its R is {order}" if order is not None else ""


def check_signature_form(signature: bytes) -> None:
    """Refuse a signature of the wrong length, or whose R is a point of small order."""
    if len(signature) != SIGNATURE_LENGTH:
        raise SignatureError(
            f"an Ed25519 signature has {SIGNATURE_LENGTH} bytes, this one has {len(signature)}"
        )
    weakness = signature_weakness(signature)
    if weakness:
        raise SignatureError(f"the signature is not a strict Ed25519 signature: {weakness}")


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> None:
    """Raise :class:`SignatureError` unless ``signature`` is ``public_key``'s over ``message``."""
    check_public_key(public_key)
    check_signature_form(signature)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature as error:
        raise SignatureError(
            "the signature does not match the act: the act was altered after signing, "
            "or it was signed with another key"
        ) from error
