"""Who signed a record, and what that means, in words.

Every act in the registry is signed, but not always by the authority that issued what it says:
the shipped national lists are signed by a **transcriber** (an authority whose code ends in
``-transcription``, :func:`~greenreg.events.issuer.is_transcriber`), which read the published
notice and signed what it read. A page says which, on every record: "signed by the issuing
authority", or "transcribed from the published notice by ..., not signed by MIIT".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from greenreg.events.issuer import is_transcriber
from greenreg.projections.views import HistoryEntry
from greenreg.web import labels
from greenreg.web.labels import Label

SOME_ISSUER = Label("发布机关", "the issuing authority")


@dataclass(frozen=True)
class Signature:
    """``who`` signed (short, for a table cell) and ``meaning``: one sentence saying what it
    means for the reader."""

    who: Label
    meaning: Label
    transcribed: bool
    key_id: str


def list_issuer(details: Mapping[str, Any]) -> Label | None:
    """Who issues the list an act is on (its ``programme`` and ``jurisdiction``, or a
    complaint's ``listing``), or ``None`` for an act on no list."""
    programme, jurisdiction = details.get("programme"), details.get("jurisdiction")
    if not programme and isinstance(details.get("listing"), str):
        programme, _, jurisdiction = details["listing"].partition("@")
    if not programme or not jurisdiction:
        return None
    return labels.issuer(str(programme), str(jurisdiction))


def signature(entry: HistoryEntry) -> Signature:
    """Who signed ``entry`` and what that means."""
    name = entry.authority_name or entry.authority_code
    if is_transcriber(entry.authority_code):
        whose = list_issuer(entry.details) or SOME_ISSUER
        return Signature(
            who=Label(f"转录方（非{whose.zh}）", f"a transcriber, not {whose.en.split(',')[0]}"),
            meaning=Label(
                f"本条记录由{name}依据{whose.zh}公布的通知转录并签名，不是{whose.zh}本身的签名。",
                f"Transcribed from the published notice by {name}, not signed by {whose.en}.",
            ),
            transcribed=True,
            key_id=entry.key_id,
        )
    return Signature(
        who=Label(f"发布机关 {name}", "the issuing authority"),
        meaning=Label(
            f"本条记录由发布机关{name}以其登记的密钥签名。",
            f"Signed by the issuing authority, {name}, with a key registered to it.",
        ),
        transcribed=False,
        key_id=entry.key_id,
    )
