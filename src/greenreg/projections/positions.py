"""Where an event sits: its event id and its position in the registry's log.

An **event id** is ``"{aggregate_uuid}/{version}"``: stable for ever, as events are never
rewritten. A **log position** is the event's leaf index in the registry's transparency log,
counted from 0: dense, in commit order, and independent of the database's own ids (which count
from 1 and, on PostgreSQL, skip the numbers of rolled-back writes). Evidence, histories, the
event feed, intake receipts and inclusion proofs all use it;
:meth:`greenreg.registry.application.Registry.log_positions` finds it for stored events.
"""

from __future__ import annotations

from uuid import UUID


def event_id(aggregate_id: UUID | str, version: int) -> str:
    return f"{aggregate_id}/{version}"
