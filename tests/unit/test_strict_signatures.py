"""Strict Ed25519: keys anyone can sign under, and signatures OpenSSL alone would accept.

Each refusal here is of something pyca/cryptography (OpenSSL) accepts by itself: the test first
shows OpenSSL accepting it, then the registry's verification refusing it.
"""

from __future__ import annotations

import pytest

from greenreg.errors import SignatureError
from greenreg.events.signing import (
    Ed25519Signer,
    check_public_key,
    key_id_of,
    key_weakness,
    verify_signature,
)
from tests.forgery import (
    FORGED_SIGNATURE,
    SMALL_ORDER_ENCODINGS,
    WEAK_KEYS,
    L,
    openssl_accepts,
    small_order_r_signature,
)


@pytest.mark.parametrize("public_key", SMALL_ORDER_ENCODINGS, ids=lambda k: k.hex()[:8])
def test_every_encoding_of_a_small_order_point_is_refused_as_a_key(public_key: bytes) -> None:
    # OpenSSL accepts R = B, S = 1 under this key for some message ...
    messages = [f"act {i}".encode() for i in range(64)]
    forged = next(m for m in messages if openssl_accepts(public_key, m, FORGED_SIGNATURE))
    # ... the registry refuses the key, and so the forgery.
    with pytest.raises(SignatureError, match=key_id_of(public_key)):
        check_public_key(public_key)
    with pytest.raises(SignatureError, match="anyone could sign under it"):
        verify_signature(public_key, forged, FORGED_SIGNATURE)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("identity", "the identity point"),
        ("non-canonical y = p + 1", "not canonical"),
        ("order 2", "order 2"),
    ],
)
def test_the_refusal_says_why(name: str, why: str) -> None:
    assert why in key_weakness(WEAK_KEYS[name])


def test_a_real_key_still_verifies() -> None:
    signer = Ed25519Signer.generate()
    assert key_weakness(signer.public_key) == ""
    verify_signature(signer.public_key, b"act", signer.sign(b"act"))


def test_a_signature_whose_r_has_small_order_is_refused() -> None:
    """A real key can sign with R = the identity (S = h a): OpenSSL accepts it, strict
    verification (ed25519-dalek's verify_strict, libsodium) does not."""
    signer = Ed25519Signer.generate()
    signature = small_order_r_signature(signer.seed, b"act")
    assert openssl_accepts(signer.public_key, b"act", signature)
    with pytest.raises(SignatureError, match="R is the identity point"):
        verify_signature(signer.public_key, b"act", signature)


def test_a_non_canonical_s_is_refused() -> None:
    """S + L instead of S: OpenSSL refuses it itself (kept here so that a change of library
    cannot let it through unnoticed)."""
    signer = Ed25519Signer.generate()
    signature = signer.sign(b"act")
    s = int.from_bytes(signature[32:], "little")
    malleated = signature[:32] + (s + L).to_bytes(32, "little")
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(signer.public_key, b"act", malleated)
