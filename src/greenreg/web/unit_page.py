"""A unit's page at ``/units/{id}``: who it is, its designations, bans, timeline, green code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from greenreg.projections.views import (
    BanView,
    DesignationView,
    FormerName,
    HistoryEntry,
    UnitView,
)
from greenreg.web import labels
from greenreg.web.designations import designation_table
from greenreg.web.html import Markup, join, render
from greenreg.web.labels import UI, Label
from greenreg.web.layout import AssetUrl, bilingual, location, page
from greenreg.web.signers import signature
from greenreg.web.timeline import timeline
from greenreg.web.words import chinese_date, jurisdiction_name


@dataclass(frozen=True)
class UnitPage:
    """Everything the page shows, as the read models answered it."""

    unit: UnitView
    designations: Sequence[DesignationView]
    bans: Sequence[BanView]
    timeline: Sequence[HistoryEntry]
    related: dict[str, UnitView]  # predecessors and successors by id, where known
    green_code: Markup


def _former_name(former: FormerName) -> Markup:
    """A former name and the days it held; only its day for a name replaced the day it took
    effect (it held for no day)."""
    start = chinese_date(former.valid_from)
    if former.valid_until < former.valid_from:
        return render("<div>{name} <small>({start})</small></div>", name=former.name, start=start)
    return render(
        "<div>{name} <small>({start} – {end})</small></div>",
        name=former.name,
        start=start,
        end=chinese_date(former.valid_until),
    )


def _facts(unit: UnitView, related: dict[str, UnitView]) -> Markup:
    rows = [(UI["kind"], bilingual(labels.kind(unit.kind)))]
    if unit.credit_code:
        rows.append(
            (UI["credit_code"], render('<span class="code">{c}</span>', c=unit.credit_code))
        )
    rows.append((UI["location"], render("{p}", p=location(unit.division))))
    if unit.former_names:
        rows.append(
            (
                UI["former_names"],
                join(_former_name(f) for f in unit.former_names),
            )
        )
    for key, ids in (("predecessors", unit.predecessors), ("successors", unit.successors)):
        if ids:
            links = join(
                render(
                    '<div><a href="/units/{id}">{name}</a></div>',
                    id=str(i),
                    name=related[str(i)].name if str(i) in related else str(i),
                )
                for i in ids
            )
            rows.append((UI[key], links))
    return render(
        '<dl class="facts">{rows}</dl>',
        rows=join(render("<dt>{k}</dt><dd>{v}</dd>", k=bilingual(k), v=v) for k, v in rows),
    )


def _bans(bans: Sequence[BanView]) -> Markup:
    if not bans:
        return Markup("")
    items = join(
        render(
            "<li><strong>{programme}</strong> · {level} · {place}<br>"
            "<time>{first}</time> – <time>{last}</time> <small>({rule}; {document})</small></li>",
            programme=bilingual(labels.programme(b.programme)),
            level=bilingual(labels.level(b.level)),
            place=jurisdiction_name(b.jurisdiction),
            first=chinese_date(b.first_day),
            last=chinese_date(b.last_day),
            rule=b.rule,
            document=b.document_number,
        )
        for b in bans
    )
    return render(
        '<h2>{title}</h2><ul class="bans">{items}</ul>', title=bilingual(UI["bans"]), items=items
    )


def unit_page(data: UnitPage, asset: AssetUrl) -> Markup:
    unit = data.unit
    signatures = {e.evidence.event_id: signature(e) for e in data.timeline}
    names = {unit_id: other.name for unit_id, other in data.related.items()}
    names[str(unit.id)] = unit.name
    ceased = Markup("")
    if unit.ceased:
        ceased = render(
            '<p class="ceased">{text}</p>',
            text=bilingual(Label("该单位已因重组终止", "This unit ceased in a reorganisation")),
        )
    body = render(
        '<p class="back"><a href="/">← {back}</a></p>'
        '<article class="unit"><h1>{name}</h1>{ceased}{facts}'
        "<h2>{designations_title}</h2>{designations}{bans}{timeline}"
        '<h2>{code_title}</h2><figure class="green-code">{code}</figure></article>',
        back=bilingual(UI["back"]),
        name=unit.name,
        ceased=ceased,
        facts=_facts(unit, data.related),
        designations_title=bilingual(UI["designations"]),
        designations=designation_table(data.designations, full=True, signatures=signatures),
        bans=_bans(data.bans),
        timeline=timeline(data.timeline, names),
        code_title=bilingual(UI["green_code"]),
        code=data.green_code,
    )
    return page(f"{unit.name} · {UI['title'].zh}", body, asset)


def not_found_page(reference: str, asset: AssetUrl) -> Markup:
    body = render(
        '<p class="back"><a href="/">← {back}</a></p><h1>{title}</h1><p><code>{ref}</code></p>',
        back=bilingual(UI["back"]),
        title=bilingual(UI["not_found"]),
        ref=reference,
    )
    return page(str(UI["not_found"]), body, asset)
