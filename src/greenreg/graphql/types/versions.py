"""The data version an answer was given at."""

from __future__ import annotations

import strawberry

from greenreg.projections.views import DataVersion as DataVersionView


@strawberry.type(
    description="How much of the registry an answer saw: the store's event count and last log "
    "position, and how far the read models had got. Until the transparency log is served, "
    "this is the checkpoint: a later answer with the same lastPosition saw the same events."
)
class DataVersion:
    event_count: int
    last_position: int
    projected_position: int
    up_to_date: bool

    @classmethod
    def of(cls, view: DataVersionView) -> DataVersion:
        return cls(
            event_count=view.event_count,
            last_position=view.last_position,
            projected_position=view.projected_position,
            up_to_date=view.up_to_date,
        )
