"""What a green code's QR code carries: a short URL on the registry, ``/V/<id>.<signature>``.

The statement a green code stands for (:func:`greenreg.receipts.issue_green_code`) is made again
from its id whenever it is asked for, byte for byte (Ed25519 signatures are deterministic and the
statement holds nothing but what the log held at the checkpoint), so the registry stores nothing
per code. The id is two log positions:

- ``registered``: the position of the unit's registration (the first event of its aggregate),
  a short name for the unit;
- ``size``: the size of the signed checkpoint the statement was made at.

The signature is the log key's, over the statement's RFC 8785 bytes, in base32 (RFC 4648,
upper case, no padding: 103 characters)::

    HTTPS://GREENREG.EXAMPLE/V/1234.56789.<103 characters of A-Z and 2-7>

Digits, capitals, ``.``, ``/`` and ``:`` are all in the QR code's alphanumeric mode (5.5 bits a
character instead of 8 in byte mode), so the whole URL fits a version 6 QR code at error
correction M (41 x 41 modules) where base64url would need version 8. Host names are case-blind
and the registry answers ``/V/`` as ``/v/``; a public URL with a path keeps its case (and byte
mode).

:func:`parse` refuses anything but the one canonical spelling of a reference
(:class:`CodeReferenceError`); the page says "not valid" and why.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import segno

from greenreg.errors import GreenregError
from greenreg.events.signing import SIGNATURE_LENGTH

MAX_POSITION = 2**62
SIGNATURE_CHARACTERS = 103  # 64 bytes in base32 without padding
_SHAPE = re.compile(r"(0|[1-9][0-9]{0,18})\.([1-9][0-9]{0,18})\.([A-Z2-7]{103})")


class CodeReferenceError(GreenregError):
    """A scanned URL that names no green code: malformed, or not the canonical spelling."""

    code = "bad_reference"


@dataclass(frozen=True)
class CodeReference:
    """A green code's id (two log positions) and the log key's signature of its statement."""

    registered: int
    size: int
    signature: bytes

    def text(self) -> str:
        """``<registered>.<size>.<base32 signature>``: the URL's last segment."""
        encoded = base64.b32encode(self.signature).decode("ascii").rstrip("=")
        return f"{self.registered}.{self.size}.{encoded}"


def parse(text: str) -> CodeReference:
    """The reference a scanned URL's last segment spells; refused unless canonical."""
    found = _SHAPE.fullmatch(text.upper())
    if found is None:
        raise CodeReferenceError(
            "the address does not name a green code: it has the form "
            "<log position>.<checkpoint size>.<signature: 103 characters A-Z, 2-7>"
        )
    registered, size = int(found[1]), int(found[2])
    if registered >= size or size > MAX_POSITION:
        raise CodeReferenceError(
            f"the unit's log position {registered} is not inside a log of size {size}"
        )
    try:
        signature = base64.b32decode(found[3] + "=")
    except binascii.Error as error:
        raise CodeReferenceError("the signature is not base32") from error
    reference = CodeReference(registered, size, signature)
    if len(signature) != SIGNATURE_LENGTH or reference.text() != text.upper():
        raise CodeReferenceError("the signature is not the canonical base32 of 64 bytes")
    return reference


def scan_url(base: str, reference: CodeReference) -> str:
    """The URL a green code carries: upper case where that cannot change its meaning (a
    registry at the root of its host), so the QR code can use alphanumeric mode."""
    base = base.rstrip("/")
    if urlsplit(base).path in ("", "/"):
        return f"{base.upper()}/V/{reference.text()}"
    return f"{base}/v/{reference.text()}"


ERROR_CORRECTION = "m"  # 15 % of the code may be lost (a scratched print, a glare)


def qr_code(url: str) -> segno.QRCode:
    """The QR code of a URL (error correction M; segno picks alphanumeric mode where it can)."""
    return segno.make(url, error=ERROR_CORRECTION, micro=False)


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="svg", scale=8, border=4, xmldecl=False, title="green code")
    return buffer.getvalue()
