"""The read models checked against the log: rebuilt in memory and compared row by row.

A live database's read models (the lists, bans, histories and as-of intervals the API serves)
must be exactly what folding the log gives. :func:`read_model_problems` asks the projections'
:func:`~greenreg.projections.comparison.compare_with_rebuild` (which writes nothing) and names
each differing row as a problem. An export has no read models, so the offline audit skips this.
"""

from __future__ import annotations

from greenreg.audit.report import Problem
from greenreg.projections.comparison import compare_with_rebuild
from greenreg.projections.database import ReadStore
from greenreg.registry.application import Registry


def read_model_problems(registry: Registry, store: ReadStore) -> list[Problem]:
    """Every live read-model row that differs from a rebuild from the log."""
    comparison = compare_with_rebuild(registry, store)
    return [
        Problem(
            "read model",
            f"{difference.describe()} (the live read models differ from a rebuild from the "
            f"log at position {comparison.position})",
        )
        for difference in comparison.differences
    ]
