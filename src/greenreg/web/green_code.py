"""A unit's green code (企业绿码, 003 art. 26) on its page, as an inline SVG QR code.

Where the registry keeps a transparency log with a log key, the green code is the signed
statement of :mod:`greenreg.receipts`: the unit and its designations in force, signed by the log
key at the latest checkpoint; the QR code carries its compact JSON, which anyone can check with
``greenreg receipt verify`` and the log public key. Where there is no log key, the QR code holds
the unit's public page URL instead, and the page says so.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import segno

from greenreg.errors import GreenregError
from greenreg.receipts import compact, issue_green_code, qr_code
from greenreg.registry.application import Registry
from greenreg.storage.log_tables import LogTables
from greenreg.storage.queries import TransparencyLog
from greenreg.web.html import Markup, render
from greenreg.web.labels import Label
from greenreg.web.layout import bilingual

SIGNED = Label(
    "由登记簿日志密钥签名的认定声明", "A statement of the designations, signed by the log key"
)
UNSIGNED = Label("本页地址（未签名）", "This page's address (not signed)")
DOWNLOAD = Label("下载签名声明", "Download the signed statement")


def signed_green_code(registry: Registry, unit_id: UUID) -> dict[str, Any] | None:
    """The unit's signed green code now, or ``None`` if this registry has no log key yet."""
    recorder = registry.recorder
    if not isinstance(recorder, LogTables) or recorder.log_signer is None:
        return None
    try:
        note = TransparencyLog(recorder).checkpoint().note
    except GreenregError:
        return None
    unit = registry.unit(str(unit_id))
    return issue_green_code(recorder.log_signer, note, unit, registry.clock())


def _svg(qr: segno.QRCode, title: str) -> Markup:
    return Markup(qr.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr", title=title))


def signed_figure(statement: dict[str, Any], json_url: str) -> Markup:
    """The QR code of a signed green code, what it is, and a link to its JSON."""
    body = statement.get("act", {})  # a signed act's envelope: {"act", "key_id", "signature"}
    return render(
        '{svg}<figcaption>{what}<br><small>{issued}</small><br><a href="{url}" download>{download}'
        "</a></figcaption>",
        svg=_svg(qr_code(statement), "green code"),
        what=bilingual(SIGNED),
        issued=f"{body.get('issued_at', '')} · {statement.get('key_id', '')}",
        url=json_url,
        download=bilingual(DOWNLOAD),
    )


def url_figure(url: str) -> Markup:
    """A QR code of ``url`` (error correction M), with the URL under it."""
    qr = segno.make(url, error="m", micro=False)
    return render(
        '{svg}<figcaption>{what}<br><a href="{url}">{url}</a></figcaption>',
        svg=_svg(qr, url),
        what=bilingual(UNSIGNED),
        url=url,
    )


__all__ = ["compact", "signed_figure", "signed_green_code", "url_figure"]
