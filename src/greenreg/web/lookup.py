"""The lookup page at ``/``: one search box, the results, and the counts-by-province chart.

The results are a fragment of their own (``results``) so the page's script can fetch and swap
them while the user types; without the script the form's GET ``/?q=...`` renders the same
fragment inside the whole page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from greenreg.events.places import name_of
from greenreg.projections.coverage import Coverage
from greenreg.projections.views import LookupHit, Statistics
from greenreg.web import labels
from greenreg.web.chart import bar_chart
from greenreg.web.coverage import coverage_note, coverage_summary, searched_note
from greenreg.web.designations import designation_table
from greenreg.web.html import Markup, join, render
from greenreg.web.labels import UI
from greenreg.web.layout import AssetUrl, bilingual, location, page, search_form


def counts_by_province(statistics: Statistics) -> list[tuple[str, int]]:
    """Designations in force per province, most first (ties by province code)."""
    counts: Counter[str] = Counter()
    for row in statistics.rows:
        counts[row.province] += row.count
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(name_of(province), count) for province, count in ordered]


def _hit(hit: LookupHit) -> Markup:
    unit = hit.unit
    match = Markup("")
    if hit.matched != "name":
        match = render(
            '<p class="match">{matched}: <mark>{text}</mark></p>',
            matched=bilingual(labels.match(hit.matched)),
            text=hit.matched_text,
        )
    return render(
        '<li class="hit"><h3><a href="/units/{id}">{name}</a></h3>'
        '<p class="meta">{kind}{code}{place}</p>{match}{certified}{table}</li>',
        id=str(unit.id),
        name=unit.name,
        kind=bilingual(labels.kind(unit.kind)),
        code=render(' · <span class="code">{c}</span>', c=unit.credit_code)
        if unit.credit_code
        else Markup(""),
        place=render(" · {p}", p=location(unit.division)),
        match=match,
        certified=_certified(hit),
        table=designation_table(hit.titles),
    )


def _certified(hit: LookupHit) -> Markup:
    """One line answering the question: may the unit use a title now?"""
    if hit.certified:
        text, css = UI["certified"], "yes"
    elif hit.titles:
        text, css = UI["not_certified_now"], "no"
    else:
        text, css = UI["never_listed"], "no"
    return render('<p class="certified {css}">{text}</p>', css=css, text=bilingual(text))


def results(
    query: str,
    found: Sequence[LookupHit],
    counts: Sequence[tuple[str, int]],
    covered: Coverage | None = None,
) -> Markup:
    """What goes under the search box: a hint, what the registry covers (``covered``) and the
    chart; the hits; or "no match" with what was searched and what the registry covers, so
    that it is not read as "not certified"."""
    if not query:
        return render(
            '<p class="hint">{hint}</p>{coverage}<h2>{title}</h2>{chart}',
            hint=bilingual(UI["hint"]),
            coverage=coverage_summary(covered) if covered is not None else Markup(""),
            title=bilingual(UI["by_province"]),
            chart=bar_chart(counts),
        )
    if not found:
        return render(
            '<p class="none">{none}: <q>{query}</q></p>{searched}{coverage}'
            '<p class="hint">{hint}</p>',
            none=bilingual(UI["no_results"]),
            query=query,
            searched=searched_note(query),
            coverage=coverage_note(covered) if covered is not None else Markup(""),
            hint=bilingual(UI["hint"]),
        )
    return render(
        '<h2>{title} <span class="count">({n})</span></h2><ol class="hits">{hits}</ol>',
        title=bilingual(UI["results"]),
        n=len(found),
        hits=join(_hit(f) for f in found),
    )


def message(text: str) -> Markup:
    """A refusal of the query itself (too long, not understood), in the registry's words."""
    return render('<p class="error" role="alert">{text}</p>', text=text)


def lookup_page(query: str, fragment: Markup, asset: AssetUrl) -> Markup:
    title = f"{query} · {UI['title'].zh}" if query else str(UI["title"])
    body = render(
        '{form}<section id="results" aria-live="polite">{fragment}</section>',
        form=search_form(query, autofocus=not query),
        fragment=fragment,
    )
    return page(title, body, asset)
