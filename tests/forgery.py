"""Weak Ed25519 public keys and the forgery they allow, for the tests that refuse them.

Under a public key of small order a "signature" with R = the base point B and S = 1 needs no
private key: [S]B = R + [h]A holds whenever [h]A is the identity, that is always for the identity
key (order 1) and for about one message in two for a key of order 2. OpenSSL accepts such keys;
:func:`forged_act` signs an act this way and changes its act id until OpenSSL accepts the
forgery, so each test shows a forgery that only the registry's own checks refuse.
"""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import uuid4

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from greenreg.events.canonical import canonical_bytes
from greenreg.events.issuer import Issuer
from greenreg.events.signing import key_id_of

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
"""The order of the base point."""
BASE = bytes.fromhex("5866666666666666666666666666666666666666666666666666666666666666")
"""The base point B, encoded."""

WEAK_KEYS = {
    "identity": (1).to_bytes(32, "little"),
    "non-canonical y = p + 1": (P + 1).to_bytes(32, "little"),
    "order 2": (P - 1).to_bytes(32, "little"),
}
"""The three weak keys the registry must refuse: the identity point, the identity again with
y = p + 1 (a non-canonical encoding), and the point (0, -1) of order 2."""

SMALL_ORDER_ENCODINGS = [
    bytes.fromhex(text)
    for text in (
        # the 8 points of small order, canonical (the libsodium / ed25519-dalek blocklist)
        "0100000000000000000000000000000000000000000000000000000000000000",  # order 1
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
        "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
        "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
        # x = 0 with the sign bit set (order 1 and 2): a "negative zero"
        "0100000000000000000000000000000000000000000000000000000000000080",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        # y + p for y = 0 and y = 1 (the only small-order y below 19), with either sign
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    )
]
"""Every encoding of a point of small order that OpenSSL loads as a public key."""

FORGED_SIGNATURE = BASE + (1).to_bytes(32, "little")
"""R = B, S = 1."""


def openssl_accepts(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether OpenSSL alone (pyca/cryptography) accepts the signature."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        return False
    return True


class Forger:
    """A "signer" for a weak public key, with no private key: every signature is R = B, S = 1."""

    def __init__(self, public_key: bytes) -> None:
        self.public_key = public_key
        self.key_id = key_id_of(public_key)

    def sign(self, message: bytes) -> bytes:
        return FORGED_SIGNATURE


def forged_act(authority: str, public_key: bytes, type: str, **fields: Any) -> dict[str, Any]:
    """An act "signed" by ``authority`` under the weak ``public_key`` that OpenSSL accepts."""
    issuer = Issuer(authority, Forger(public_key))
    for _ in range(200):
        act = issuer.act(type, act_id=uuid4(), **fields)
        if openssl_accepts(public_key, canonical_bytes(act["act"]), FORGED_SIGNATURE):
            return act
    raise AssertionError("no act id gave a forgery OpenSSL accepts")  # pragma: no cover


def small_order_r_signature(seed: bytes, message: bytes) -> bytes:
    """A signature by a real key (its 32-byte seed) whose R is the identity point: S = h a."""
    digest = hashlib.sha512(seed).digest()
    a = int.from_bytes(digest[:32], "little")
    a = (a & ((1 << 254) - 8)) | (1 << 254)
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    encoded = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    r = WEAK_KEYS["identity"]
    h = int.from_bytes(hashlib.sha512(r + encoded + message).digest(), "little") % L
    return r + (h * a % L).to_bytes(32, "little")
