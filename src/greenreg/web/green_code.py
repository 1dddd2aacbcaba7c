"""A unit's green code (企业绿码, 003 art. 26) on its page, as a QR code.

Only a unit with a title it may use gets a green code (a title under a warning or suspended may
not be used, :data:`~greenreg.projections.views.USABLE`); for any other unit the page says why
there is none (:func:`withheld_figure`).

Where the registry keeps a transparency log with a log key, the green code is the signed
statement of :mod:`greenreg.receipts`: the unit and its designations in force, signed by the log
key at the latest checkpoint; the QR code carries its compact JSON, which anyone can check with
``greenreg receipt verify`` and the log public key. Where there is no log key, the QR code holds
the unit's public page URL instead, and the page says so.

A signed statement's QR code is large (about 900 bytes of JSON) and slow to draw (tens of ms),
so the page links it as an image, fetched after the text, and each unit's statement and drawing
are kept until the log grows: one statement per unit and checkpoint.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from uuid import UUID

import segno

from greenreg.errors import GreenregError
from greenreg.events.places import name_of
from greenreg.projections.views import RESTRICTED, DesignationView
from greenreg.receipts import compact, issue_green_code
from greenreg.registry.application import Registry
from greenreg.storage.log_tables import LogTables
from greenreg.storage.queries import TransparencyLog
from greenreg.web import labels
from greenreg.web.html import Markup, join, render
from greenreg.web.labels import UI, Label
from greenreg.web.layout import bilingual

SIGNED = Label(
    "由登记簿日志密钥签名的认定声明", "A statement of the designations, signed by the log key"
)
UNSIGNED = Label("本页地址（未签名）", "This page's address (not signed)")
DOWNLOAD = Label("下载签名声明", "Download the signed statement")
KEPT = 1_024  # statements kept in memory


@dataclass
class GreenCode:
    """One unit's signed statement at one checkpoint, and its QR code drawn once."""

    statement: dict[str, Any]

    @property
    def json(self) -> str:
        return compact(self.statement)

    @cached_property
    def svg(self) -> bytes:
        """A standalone SVG image of the QR code (error correction L, as ``receipts``)."""
        buffer = io.BytesIO()
        segno.make(self.json, error="l", micro=False).save(
            buffer, kind="svg", scale=4, border=2, xmldecl=False, title="green code"
        )
        return buffer.getvalue()


class GreenCodes:
    """Signed green codes of one registry, one per unit and checkpoint."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._kept: OrderedDict[tuple[UUID, str], GreenCode] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, unit_id: UUID) -> GreenCode | None:
        """The unit's signed green code now, or ``None`` if the registry has no log key yet;
        refused (:class:`~greenreg.errors.NotFoundError`, saying why) for a unit with no title
        it may use."""
        recorder = self.registry.recorder
        if not isinstance(recorder, LogTables) or recorder.log_signer is None:
            return None
        log = TransparencyLog(recorder)
        try:
            checkpoint = log.checkpoint()
        except GreenregError:
            return None
        note = checkpoint.note
        key = (unit_id, note)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        unit = self.registry.unit(str(unit_id))
        proof = log.log_key_proof(recorder.log_signer.key_id, checkpoint.tree_size)
        position = None if proof is None else int(proof["position"])
        code = GreenCode(
            issue_green_code(recorder.log_signer, note, unit, self.registry.clock(), position)
        )
        with self._lock:
            code = self._kept.setdefault(key, code)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return code


def signed_figure(code: GreenCode, unit_url: str) -> Markup:
    """The signed green code's QR image, what it is, and a link to its JSON."""
    body = code.statement.get("act", {})  # a signed envelope: {"act", "key_id", "signature"}
    return render(
        '<img class="qr" src="{url}/green-code.svg" alt="{what}" loading="lazy" width="400" '
        'height="400"><figcaption>{what_label}<br><small>{issued}</small><br>'
        '<a href="{url}/green-code.json" download>{download}</a></figcaption>',
        url=unit_url,
        what=str(SIGNED),
        what_label=bilingual(SIGNED),
        issued=f"{body.get('issued_at', '')} · {code.statement.get('key_id', '')}",
        download=bilingual(DOWNLOAD),
    )


def url_figure(url: str) -> Markup:
    """A QR code of ``url`` (error correction M), inline, with the URL under it."""
    qr = segno.make(url, error="m", micro=False)
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
