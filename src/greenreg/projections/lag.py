"""How far the read models are behind the log, in log entries, and why if they are stuck.

The read models' tracking record holds the store's notification id of the last event folded;
ids are not dense on PostgreSQL (a rolled-back write skips its numbers), so the lag is counted
in log positions instead: the log's size against one past the log position of the last event
folded. Used by ``/healthz``, ``/metrics`` and ``greenreg verify``.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from greenreg.errors import ProjectionStalledError
from greenreg.projections.runner import ProjectionFailure, Projector


@dataclass(frozen=True)
class Lag:
    """The log's size, how many of its entries the read models have folded, and the failure
    that stopped them, if this process saw one."""

    log_size: int
    folded: int
    failure: ProjectionFailure | None

    @property
    def behind(self) -> int:
        return self.log_size - self.folded


def lag_of(projector: Projector, tracked: int | None = None) -> Lag:
    """Three or four small queries: the two positions, and the log position of each.
    ``tracked``: the read models' position, if already read."""
    tracked = projector.position() if tracked is None else tracked
    last = projector.last_position()
    return Lag(
        _entries_up_to(projector, last), _entries_up_to(projector, tracked), projector.failure
    )


def _entries_up_to(projector: Projector, notification_id: int) -> int:
    """How many log entries there are up to and including this notification."""
    if notification_id <= 0:
        return 0
    registry = projector.registry
    found = registry.recorder.select_notifications(start=notification_id, limit=1)
    return registry.log_positions(found)[0] + 1 if found else 0


def retried_lag(projector: Projector) -> Lag:
    """The lag after one attempt to fold the next page, if the read models are behind or
    stuck: so a failure any process hit is seen here (the attempt fails the same way), and a
    failure an operator has mended clears without waiting for the next write."""
    if projector.failure is not None or projector.position() < projector.last_position():
        with suppress(ProjectionStalledError):
            projector.catch_up(pages=1)
    return lag_of(projector)
