"""Where an event sits: its event id and its position in the registry's log.

An **event id** is ``"{aggregate_uuid}/{version}"``: stable for ever, as events are never
rewritten. A **log position** is, for now, the event store's notification id (dense and in
commit order on both databases); this is the one place to change when the log numbers its
leaves differently.
"""

from __future__ import annotations

from uuid import UUID


def event_id(aggregate_id: UUID | str, version: int) -> str:
    return f"{aggregate_id}/{version}"


def log_position(notification_id: int) -> int:
    """The log position of the event stored with this notification id."""
    return notification_id
