"""The counts-by-province chart: a horizontal bar chart drawn as inline SVG on the server.

No chart library and no script: the SVG scales to the screen width (``viewBox``), and a table
with the same numbers follows it for screen readers and for copying.
"""

from __future__ import annotations

from collections.abc import Sequence

from greenreg.web.html import Markup, join, render
from greenreg.web.labels import UI

_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")

ROW = 22  # height of one bar's row, in SVG units
LABEL_WIDTH = 52
BAR_WIDTH = 230
WIDTH = LABEL_WIDTH + BAR_WIDTH + 40


def short_province_name(name: str) -> str:
    """The name provinces usually go by: 广西壮族自治区 -> 广西, 江苏省 -> 江苏, 重庆市 -> 重庆."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def bar_chart(counts: Sequence[tuple[str, int]]) -> Markup:
    """``counts`` as (province name, number), drawn in the order given, largest bar full width."""
    if not counts:
        return render('<p class="empty">{text}</p>', text=UI["no_designations"])
    top = max(count for _, count in counts) or 1
    bars = []
    for row, (name, count) in enumerate(counts):
        y = row * ROW
        width = max(1, round(BAR_WIDTH * count / top))
        bars.append(
            render(
                '<g><text x="{lx}" y="{ty}" text-anchor="end">{label}</text>'
                '<rect x="{bx}" y="{ry}" width="{w}" height="{h}" rx="2"></rect>'
                '<text x="{cx}" y="{ty}" class="n">{count}</text></g>',
                lx=LABEL_WIDTH - 6,
                ty=y + 15,
                label=short_province_name(name),
                bx=LABEL_WIDTH,
                ry=y + 4,
                w=width,
                h=ROW - 8,
                cx=LABEL_WIDTH + width + 4,
                count=count,
            )
        )
    rows = join(
        render("<tr><th scope=row>{name}</th><td>{count}</td></tr>", name=name, count=count)
        for name, count in counts
    )
    return render(
        '<figure class="chart"><svg viewBox="0 0 {w} {h}" role="img" aria-label="{title}" '
        'xmlns="http://www.w3.org/2000/svg">{bars}</svg>'
        "<details><summary>{table_label}</summary><table><tbody>{rows}</tbody></table></details>"
        "</figure>",
        w=WIDTH,
        h=len(counts) * ROW,
        title=UI["by_province"],
        bars=join(bars),
        table_label=Markup("表格 Table"),
        rows=rows,
    )
