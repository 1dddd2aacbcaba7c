"""What every benchmark module returns, and the one table that shows them side by side.

A benchmark module ``bench/bench_<name>.py`` exposes ``run(quick: bool) -> dict``::

    {"benchmark": "append",                 # short name
     "metrics": [metric(...), ...],         # the figures the table shows, one row each
     "details": {...}}                      # anything else worth keeping in the JSON

Each metric is one measured figure, optionally beside its base (the plain alternative measured
in the same run: bare eventsourcing, raw Ed25519, a bare FastAPI endpoint) and a target from the
issues, with ``met`` true, false, or null when there is no target. ``peak_rss_mb`` is added by
the runner, which runs each module in its own process.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from rich.table import Table

Metric = dict[str, Any]


def metric(
    name: str,
    value: float,
    unit: str,
    *,
    base_name: str | None = None,
    base_value: float | None = None,
    target: str | None = None,
    met: bool | None = None,
) -> Metric:
    """One row of the table; ``ratio`` is value ÷ base when there is a base."""
    ratio = round(value / base_value, 3) if base_value else None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "base_name": base_name,
        "base_value": base_value,
        "ratio": ratio,
        "target": target,
        "met": met,
    }


def runs(key: str, unit: str, samples: Sequence[float], digits: int = 2) -> dict[str, Any]:
    """A repeated figure in a benchmark's details: its median as ``<key>_<unit>`` and every
    run as ``<key>_runs_<unit>``."""
    return {
        f"{key}_{unit}": round(statistics.median(samples), digits),
        f"{key}_runs_{unit}": [round(x, digits) for x in samples],
    }


def verdict(met: bool | None) -> str:
    return {True: "met", False: "NOT MET", None: "—"}[met]


def number(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


ROW = ("benchmark", "metric", "value", "base", "ratio", "target", "verdict", "peak RSS")


def rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    """The table's rows: one per metric, and one per benchmark that did not run."""
    out: list[tuple[str, ...]] = []
    for name, result in report["benchmarks"].items():
        rss = result.get("peak_rss_mb")
        rss_text = f"{rss:,.0f} MB" if rss is not None else "—"
        if result.get("status") != "ok":
            out.append((name, result.get("status", "?"), "", "", "", "", "", rss_text))
            continue
        for m in result.get("metrics", []):
            base = (
                f"{number(m['base_value'])} ({m['base_name']})"
                if m.get("base_value") is not None
                else "—"
            )
            out.append(
                (
                    name,
                    m["name"],
                    f"{number(m['value'])} {m['unit']}",
                    base,
                    "—" if m.get("ratio") is None else f"{m['ratio']:.2f}",
                    m.get("target") or "—",
                    verdict(m.get("met")),
                    rss_text,
                )
            )
    return out


def table(report: dict[str, Any]) -> Table:
    out = Table(title=f"greenreg benchmarks ({'quick' if report['quick'] else 'full'} run)")
    for heading in ROW:
        out.add_column(heading, justify="right" if heading in ("value", "ratio") else "left")
    for row in rows(report):
        style = "red" if row[6] == "NOT MET" else None
        out.add_row(*row, style=style)
    return out


def markdown(report: dict[str, Any]) -> str:
    """The same table in Markdown, for the README."""
    lines = ["| " + " | ".join(ROW) + " |", "|" + "---|" * len(ROW)]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows(report)
    ]
    return "\n".join(lines) + "\n"
