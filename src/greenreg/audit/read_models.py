"""The read models checked against the log: rebuilt in memory and compared row by row.

A live database's read models (the lists, bans, histories and as-of intervals the API serves)
must be exactly what folding the log gives. :func:`read_model_problems` asks the projections'
:func:`~greenreg.projections.comparison.compare_with_rebuild` (which writes nothing) and names
each differing row as a problem. That comparison stops at the read models' own position, so read
models behind the log are a problem of their own: an answer from them misses recorded events.
An export has no read models, so the offline audit skips this.
"""

from __future__ import annotations

from greenreg.audit.report import Problem
from greenreg.projections.comparison import compare_with_rebuild
from greenreg.projections.database import ReadStore
from greenreg.projections.fold import Fold
from greenreg.projections.lag import lag_of
from greenreg.projections.runner import Projector
from greenreg.projections.schema import TRACKING
from greenreg.registry.application import Registry


def read_model_problems(registry: Registry, store: ReadStore) -> list[Problem]:
    """Every live read-model row that differs from a rebuild from the log, and a problem if
    the read models have not folded the whole log."""
    return read_model_check(registry, store)[0]


def read_model_check(
    registry: Registry, store: ReadStore, fold: Fold | None = None
) -> tuple[list[Problem], int]:
    """:func:`read_model_problems`, and the log size the read models were compared at; the
    rebuild is folded into ``fold``, if given (an audit state keeps its rows)."""
    comparison = compare_with_rebuild(registry, store, fold)
    at = Projector(registry, store).leaf_index(comparison.position) + 1
    return [
        *_behind(registry, store, comparison.position),
        *(
            Problem(
                "read model",
                f"{difference.describe()} (the live read models differ from a rebuild from the "
                f"log at position {comparison.position})",
            )
            for difference in comparison.differences
        ),
    ], at


def _behind(registry: Registry, store: ReadStore, position: int) -> list[Problem]:
    """A problem if read models that were built have not folded the whole log (read models
    never built, as in a store only written through the registry, serve nothing)."""
    with store.snapshot() as cursor:
        if not store.has_table(cursor, TRACKING.name):
            return []
    projector = Projector(registry, store)
    lag = lag_of(projector, position)
    if not lag.behind:
        return []
    cause = projector.locate_failure(pending_only=True)
    why = f"; {cause.describe()}" if cause else " (run `greenreg project` to fold them)"
    return [
        Problem(
            "read model",
            f"the read models are behind the log: they have folded {lag.folded} of its "
            f"{lag.log_size} entries, so every answer misses the last {lag.behind}{why}",
            lag.folded,
        )
    ]
