"""A green code's URL: ``/V/<registered>.<size>.<base32 signature>``, short enough for a small QR
code, read back exactly, and every other spelling refused."""

from __future__ import annotations

import base64

import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st

from greenreg.code_reference import (
    MAX_POSITION,
    CodeReference,
    CodeReferenceError,
    parse,
    scan_url,
)

SIGNATURE = bytes(range(64))
TEXT = CodeReference(12, 345, SIGNATURE).text()


@given(
    registered=st.integers(0, MAX_POSITION - 1),
    extra=st.integers(1, 2**20),
    signature=st.binary(min_size=64, max_size=64),
)
def test_a_reference_reads_back_as_written(registered: int, extra: int, signature: bytes) -> None:
    size = min(registered + extra, MAX_POSITION)
    reference = CodeReference(registered, size, signature)
    text = reference.text()
    assert parse(text) == reference
    assert parse(text.lower()) == reference  # typed by hand, or lowered on the way
    assert set(text) <= set("0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_the_signature_is_base32_of_its_64_bytes() -> None:
    registered, size, signature = TEXT.split(".")
    assert (registered, size) == ("12", "345")
    assert len(signature) == 103
    assert base64.b32decode(signature + "=") == SIGNATURE


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "does not name a green code"),
        ("12.345", "does not name a green code"),  # no signature
        (TEXT[:-1], "does not name a green code"),  # a character short
        (TEXT + "A", "does not name a green code"),  # a character long
        (TEXT.replace("12.", "012.", 1), "does not name a green code"),  # a leading zero
        (TEXT.replace("12.345", "12.0", 1), "does not name a green code"),  # an empty log
        (TEXT.replace("12.", "-12.", 1), "does not name a green code"),
        (TEXT.replace(".", ":", 1), "does not name a green code"),
        (TEXT[:-1] + "1", "does not name a green code"),  # 1 is not base32
        (TEXT[:-1] + "=", "does not name a green code"),  # no padding
        (TEXT + "/", "does not name a green code"),
        ("345.12." + TEXT.split(".")[2], "not inside a log of size 12"),
        ("12.12." + TEXT.split(".")[2], "not inside a log of size 12"),
        (f"1.{2**63}." + TEXT.split(".")[2], "not inside a log"),  # beyond any log
        ("１２.３４５." + TEXT.split(".")[2], "does not name a green code"),  # full-width digits
    ],
)
def test_a_malformed_reference_is_refused(text: str, why: str) -> None:
    with pytest.raises(CodeReferenceError, match=why):
        parse(text)


def test_only_the_canonical_base32_is_accepted() -> None:
    """103 characters carry 515 bits for 512: the last 3 bits must be zero, or two spellings
    would name the same signature."""
    signature = TEXT.split(".")[2]
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".index(signature[-1])
    assert last % 8 == 0
    altered = signature[:-1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[last + 1]
    assert base64.b32decode(altered + "=") == SIGNATURE  # Python reads it as the same bytes
    with pytest.raises(CodeReferenceError, match="canonical base32"):
        parse(f"12.345.{altered}")


def test_a_registry_at_its_host_root_gets_an_upper_case_url() -> None:
    reference = CodeReference(12, 345, SIGNATURE)
    url = scan_url("https://greenreg.example/", reference)
    assert url == f"HTTPS://GREENREG.EXAMPLE/V/{TEXT}"
    # Under a path, case matters: the URL keeps it, and the QR code its byte mode.
    assert scan_url("https://example.org/Greenreg", reference) == (
        f"https://example.org/Greenreg/v/{TEXT}"
    )


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:54321", "https://greenreg.example.cn", "https://lvma.miit.gov.cn"]
)
def test_the_qr_code_is_version_6_or_less_at_error_correction_m(base: str) -> None:
    """Alphanumeric mode: a long registry host, positions in the millions, still 41 modules."""
    url = scan_url(base, CodeReference(9_999_999, 99_999_999, b"\xff" * 64))
    code = segno.make(url, error="m", micro=False)
    assert code.mode == "alphanumeric"
    assert code.error == "M"
    assert code.version <= 6
    # base64url in byte mode would not fit: the reason for base32 in capitals.
    signature = base64.urlsafe_b64encode(b"\xff" * 64).decode().rstrip("=")
    assert segno.make(f"{base}/v/9999999.99999999.{signature}", error="m").version > 6
