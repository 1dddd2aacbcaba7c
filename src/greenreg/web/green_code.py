"""A unit's green code (企业绿码, 003 art. 26) on its page, as a QR code.

Only a unit with a title it may use gets a green code (a title under a warning or suspended may
not be used, :data:`~greenreg.projections.views.USABLE`); for any other unit the page says why
there is none (:func:`withheld_figure`).

Where the registry keeps a transparency log with a log key, the green code is a signed statement
(:mod:`greenreg.green_codes`) and its QR code carries a short URL on the registry,
``/V/<id>.<signature>`` (:mod:`greenreg.code_reference`): a phone that scans it opens the page
that shows the statement and checks its signature in the browser (:mod:`greenreg.web.scan_page`).
The statement itself is linked as JSON, for ``greenreg receipt verify``. Where there is no log
key, the QR code holds the unit's public page URL instead, and the page says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from greenreg.code_reference import qr_code, scan_url
from greenreg.events.places import name_of
from greenreg.green_codes import GreenCode
from greenreg.projections.views import RESTRICTED, DesignationView
from greenreg.web import labels
from greenreg.web.html import Markup, join, render
from greenreg.web.labels import UI, Label
from greenreg.web.layout import bilingual

SIGNED = Label(
    "扫码即可核验：由登记簿日志密钥签名的认定声明",
    "Scan to verify: a statement of the designations, signed by the log key",
)
UNSIGNED = Label("本页地址（未签名）", "This page's address (not signed)")
DOWNLOAD = Label("下载签名声明", "Download the signed statement")
SHANGHAI = ZoneInfo("Asia/Shanghai")
ERROR_CORRECTION = "m"  # 15 % of the code may be lost (a scratched print, a glare)


def shanghai_time(moment: Any) -> str:
    """A statement's ISO 8601 time as Beijing time, ``2026-11-21 12:00 (北京时间)``."""
    try:
        local = datetime.fromisoformat(str(moment)).astimezone(SHANGHAI)
    except ValueError:
        return str(moment)
    return f"{local:%Y-%m-%d %H:%M} (北京时间 Beijing time)"


def signed_figure(code: GreenCode, unit_url: str, base: str) -> Markup:
    """The signed green code's QR image, what it is, its URL and a link to its JSON."""
    url = scan_url(base, code.reference)
    return render(
        '<img class="qr" src="{unit}/green-code.png" alt="{what}" width="264" height="264">'
        "<figcaption>{what_label}<br><small>{issued} · {key}</small><br>"
        '<a class="scan-url" href="{url}">{url}</a><br>'
        '<a href="{unit}/green-code.json" download>{download}</a></figcaption>',
        unit=unit_url,
        what=str(SIGNED),
        what_label=bilingual(SIGNED),
        issued=shanghai_time(code.body.get("issued_at", "")),
        key=code.statement.get("key_id", ""),
        url=url,
        download=bilingual(DOWNLOAD),
    )


def url_figure(url: str) -> Markup:
    """A QR code of ``url`` (error correction M), inline, with the URL under it."""
    qr = qr_code(url)
    svg = qr.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr", title=url)
    return render(
        '{svg}<figcaption>{what}<br><a href="{url}">{url}</a></figcaption>',
        svg=Markup(svg),
        what=bilingual(UNSIGNED),
        url=url,
    )


def withheld_figure(designations: Sequence[DesignationView]) -> Markup:
    """Why a unit with no title it may use gets no green code: each title it holds but may not
    use, with its status and the deadline to rectify."""
    items = join(
        render(
            "<li>{programme} · {level} · {place}: {status}{until}</li>",
            programme=bilingual(labels.programme(d.programme)),
            level=bilingual(labels.level(d.level)),
            place=name_of(d.jurisdiction),
            status=bilingual(labels.status(d.status)),
            until=_rectify_by(d),
        )
        for d in designations
        if d.status in RESTRICTED
    )
    return render(
        '<p class="no-green-code" role="note">{why}</p>{list}',
        why=bilingual(UI["no_green_code"]),
        list=render('<ul class="restricted">{items}</ul>', items=items) if items else Markup(""),
    )


def _rectify_by(d: DesignationView) -> Markup:
    if d.rectify_by is None:
        return Markup("")
    return render(
        ", {label} <time>{day}</time>",
        label=bilingual(UI["rectify_by"]),
        day=d.rectify_by.isoformat(),
    )
