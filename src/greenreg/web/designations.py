"""A unit's designations as a table: status, level, programme, since, document.

On a narrow screen the CSS turns each row into a small card, with each cell's label (the
``data-label`` attribute) written before its value.
"""

from __future__ import annotations

from collections.abc import Sequence

from greenreg.events.places import name_of
from greenreg.projections.views import DesignationView
from greenreg.web import labels
from greenreg.web.html import Markup, join, render
from greenreg.web.labels import UI
from greenreg.web.layout import badge, bilingual

_SHORT = ("status", "level", "programme", "since", "document")
_FULL = (*_SHORT, "jurisdiction", "batch", "grade", "rectify_by")


def _status(d: DesignationView) -> Markup:
    """The status; for a title held but not usable, the deadline to rectify beside it."""
    if d.in_force or d.rectify_by is None:
        return badge(labels.status(d.status), d.status)
    return render(
        '{badge} <small class="rectify-by">{until} <time>{day}</time></small>',
        badge=badge(labels.status(d.status), d.status),
        until=bilingual(UI["rectify_by"]),
        day=d.rectify_by.isoformat(),
    )


def _cells(designation: DesignationView) -> dict[str, Markup]:
    d = designation
    return {
        "status": _status(d),
        "level": bilingual(labels.level(d.level)),
        "programme": bilingual(labels.programme(d.programme)),
        "since": render("<time>{day}</time>", day=d.since.isoformat()),
        "document": render("{number}", number=d.document_number),
        "jurisdiction": render("{name}", name=name_of(d.jurisdiction)),
        "batch": render("{batch}", batch=d.batch or "—"),
        "grade": render("{grade}", grade=d.grade or "—"),
        "rectify_by": render(
            "{day}", day=d.rectify_by.isoformat() if d.rectify_by is not None else "—"
        ),
    }


def designation_table(designations: Sequence[DesignationView], full: bool = False) -> Markup:
    """The table, or a line saying there is nothing to show."""
    if not designations:
        return render('<p class="empty">{text}</p>', text=bilingual(UI["no_designations"]))
    columns = _FULL if full else _SHORT
    head = join(render("<th scope=col>{label}</th>", label=bilingual(UI[c])) for c in columns)
    rows = []
    for designation in designations:
        cells = _cells(designation)
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
