"""A unit's designations as a table: status, level, programme, since, document.

On a narrow screen the CSS turns each row into a small card, with each cell's label (the
``data-label`` attribute) written before its value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from greenreg.projections.views import DesignationView
from greenreg.web import labels
from greenreg.web.html import Markup, join, render
from greenreg.web.labels import UI
from greenreg.web.layout import badge, bilingual
from greenreg.web.signers import Signature
from greenreg.web.words import chinese_date, jurisdiction_name

_SHORT = ("status", "level", "programme", "since", "document")
_FULL = (*_SHORT, "jurisdiction", "batch", "grade", "rectify_by", "signed_by")


def _status(d: DesignationView) -> Markup:
    """The status; for a title held but not usable, the deadline to rectify beside it."""
    if d.in_force or d.rectify_by is None:
        return badge(labels.status(d.status), d.status)
    return render(
        '{badge} <small class="rectify-by">{until} <time>{day}</time></small>',
        badge=badge(labels.status(d.status), d.status),
        until=bilingual(UI["rectify_by"]),
        day=chinese_date(d.rectify_by),
    )


def _day(day: date | None) -> Markup:
    if day is None:
        return render("—")
    return render('<time datetime="{iso}">{day}</time>', iso=day.isoformat(), day=chinese_date(day))


def _signed(signed: Signature | None) -> Markup:
    if signed is None:
        return render("—")
    return render(
        '{who}<br><small class="signer">{meaning}</small>',
        who=bilingual(signed.who),
        meaning=bilingual(signed.meaning),
    )


def _cells(designation: DesignationView, signed: Signature | None) -> dict[str, Markup]:
    d = designation
    return {
        "status": _status(d),
        "level": bilingual(labels.level(d.level)),
        "programme": bilingual(labels.programme(d.programme)),
        "since": _day(d.since),
        "document": render("{number}", number=d.document_number),
        "jurisdiction": render("{name}", name=jurisdiction_name(d.jurisdiction)),
        "batch": render("{batch}", batch=d.batch or "—"),
        "grade": render("{grade}", grade=d.grade or "—"),
        "rectify_by": _day(d.rectify_by),
        "signed_by": _signed(signed),
    }


def designation_table(
    designations: Sequence[DesignationView],
    full: bool = False,
    signatures: Mapping[str, Signature] | None = None,
) -> Markup:
    """The table, or a line saying there is nothing to show. ``full`` adds the jurisdiction,
    batch, grade, deadline and who signed the act that gave each status (``signatures``, by
    event id)."""
    if not designations:
        return render('<p class="empty">{text}</p>', text=bilingual(UI["no_designations"]))
    columns = _FULL if full else _SHORT
    head = join(render("<th scope=col>{label}</th>", label=bilingual(UI[c])) for c in columns)
    rows = []
    for designation in designations:
        cells = _cells(designation, (signatures or {}).get(designation.evidence.event_id))
        rows.append(
            render(
                '<tr class="row-{status}">{cells}</tr>',
                status=designation.status,
                cells=join(
                    render(
                        '<td data-label="{label}"><span>{value}</span></td>',
                        label=UI[c],
                        value=cells[c],
                    )
                    for c in columns
                ),
            )
        )
    return render(
        '<table class="designations"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>',
        head=head,
        rows=join(rows),
    )
