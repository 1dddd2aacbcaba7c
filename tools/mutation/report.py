"""The report of a run: ``report.json`` (every mutant) and ``summary.md`` (kill rate by file and
the surviving mutants), both in the output folder.

The kill rate of a file is (killed + timeout) / (killed + timeout + survived + uncovered):
a hang counts as a kill, a line no test runs as a survivor; driver errors count in neither.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

from tools.mutation.mutants import Mutant
from tools.mutation.runner import ERROR, KILLED, SURVIVED, TIMEOUT, UNCOVERED, Outcome

STATUSES = (KILLED, TIMEOUT, SURVIVED, UNCOVERED, ERROR)


@dataclass(frozen=True)
class Run:
    """What a run was asked, and what it measured."""

    commit: str
    selection: list[str]
    population: int
    seed: int | None
    jobs: int
    wall_seconds: float
    coverage_seconds: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    failing_tests: list[str]


def rate(counts: dict[str, int]) -> float:
    killed = counts[KILLED] + counts[TIMEOUT]
    tried = killed + counts[SURVIVED] + counts[UNCOVERED]
    return killed / tried if tried else 1.0


def by_file(results: list[tuple[Mutant, Outcome]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for mutant, outcome in results:
        counts = table.setdefault(mutant.path, dict.fromkeys(STATUSES, 0))
        counts[outcome.status] += 1
    return dict(sorted(table.items()))


def write(out: Path, run: Run, results: list[tuple[Mutant, Outcome]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    table = by_file(results)
    total = dict.fromkeys(STATUSES, 0)
    for counts in table.values():
        for status, n in counts.items():
            total[status] += n
    document = {
        "run": run.__dict__,
        "summary": {
            "total": {**total, "kill_rate": round(rate(total), 4)},
            "by_file": {path: {**c, "kill_rate": round(rate(c), 4)} for path, c in table.items()},
        },
        "mutants": [
            {
                "id": mutant.id,
                "file": mutant.path,
                "line": mutant.line,
                "operator": mutant.operator,
                "original": mutant.original,
                "mutated": mutant.mutated,
                "status": outcome.status,
                "killed_by": outcome.killed_by,
                "seconds": round(outcome.seconds, 2),
                "tests_run": outcome.tests,
                **({"detail": outcome.detail} if outcome.detail else {}),
            }
            for mutant, outcome in results
        ],
    }
    (out / "report.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (out / "summary.md").write_text(_markdown(run, table, total, results), encoding="utf-8")


def _markdown(
    run: Run,
    table: dict[str, dict[str, int]],
    total: dict[str, int],
    results: list[tuple[Mutant, Outcome]],
) -> str:
    sampled = len(results)
    how = f"{sampled} of {run.population} mutants" + (
        f" (sample, seed {run.seed})" if run.seed is not None else " (all)"
    )
    lines = [
        "# Mutation run",
        "",
        f"Commit `{run.commit}`; {how}; tests: `{shlex.join(run.selection)}`; "
        f"{run.jobs} process(es); {run.wall_seconds:.0f} s for the mutants "
        f"({run.wall_seconds / max(sampled, 1):.1f} s each), coverage map "
        f"{run.coverage_seconds:.0f} s; load average {_load(run.load_before)} before, "
        f"{_load(run.load_after)} after. Written by `python -m tools.mutation`; see README.md.",
        "",
        "| file | mutants | killed | timeout | survived | uncovered | error | kill rate |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for path, counts in [*table.items(), ("**total**", total)]:
        cells = " | ".join(str(counts[s]) for s in STATUSES)
        lines.append(f"| {path} | {sum(counts.values())} | {cells} | {rate(counts):.1%} |")
    if run.failing_tests:
        lines += ["", "Tests that failed on the unmutated code (left out of every run):", ""]
        lines += [f"- `{test}`" for test in run.failing_tests]
    lines += ["", "## Surviving mutants", ""]
    current = ""
    for mutant, outcome in results:
        if outcome.status not in (SURVIVED, UNCOVERED, ERROR):
            continue
        if mutant.path != current:
            current = mutant.path
            lines += ["", f"### {current}", ""]
        note = "" if outcome.status == SURVIVED else f" ({outcome.status})"
        lines.append(
            f"- line {mutant.line}, {mutant.operator}: `{_short(mutant.original)}` → "
            f"`{_short(mutant.mutated)}`{note}"
        )
    return "\n".join(lines) + "\n"


def _short(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split()).replace("`", "'")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _load(load: tuple[float, float, float]) -> str:
    return "/".join(f"{value:.2f}" for value in load)
