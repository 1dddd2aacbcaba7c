"""REST: the signed event feed, for inspectors who re-verify everything with public keys only.

``GET /api/v1/events?after=N&limit=M`` gives the events after the first ``N`` of the log, from
log position ``N`` (positions count from 0), in log order, each with the signed act exactly as
signed (RFC 8785 text), its signature and key id; ``next`` is the ``after`` of the next page. An
event the log names but the events table lacks is listed with ``type: null`` (``greenreg
verify`` names it).
"""

from __future__ import annotations

from typing import Annotated, Any

from eventsourcing.persistence import StoredEvent
from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from greenreg.api.answers import EventsAnswer
from greenreg.api.encoding import answer
from greenreg.api.intake import event_id
from greenreg.api.problems import READ_REFUSALS
from greenreg.api.reading import Reads
from greenreg.bootstrap import Greenreg
from greenreg.events.vocabulary import RegistryEvent
from greenreg.storage.log_tables import LogTables

MAX_EVENTS = 1_000


def feed_router(greenreg: Greenreg, reads: Reads) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["events"], responses=READ_REFUSALS)
    registry = greenreg.registry

    log = registry.recorder
    if not isinstance(log, LogTables):
        raise TypeError("the event feed reads the registry's log")

    def read_feed(after: int, limit: int) -> JSONResponse:
        version = reads.version()
        items: list[dict[str, Any]] = []
        for entry in log.log_entries(after, after + limit):
            item: dict[str, Any] = {
                "position": entry.position,
                "event_id": event_id(entry.originator_id, entry.originator_version),
                "type": None,
            }
            if entry.topic is not None and entry.state is not None:
                event = registry.mapper.to_domain_event(
                    StoredEvent(
                        entry.originator_id, entry.originator_version, entry.topic, entry.state
                    )
                )
                item["type"] = type(event).__name__
                if isinstance(event, RegistryEvent):
                    item.update(
                        recorded_at=event.timestamp.isoformat(),
                        signed_act=event.signed_act,
                        signature=event.signature,
                        key_id=event.key_id,
                        effective_date=event.effective_date.isoformat(),
                        flags=event.flags,
                    )
            items.append(item)
        size = log.log_size()
        seen = after + len(items)
        return answer(
            version,
            {
                "after": after,
                "events": items,
                "next": seen if items and seen < size else None,
                "log_size": size,
            },
        )

    @router.get(
        "/events",
        summary="The signed events from a log position on, in log order",
        response_model=EventsAnswer,
    )
    async def events(
        after: Annotated[
            int,
            Query(
                ge=0,
                le=2**62,
                description="How many events of the log you have (the next page's 'next'); the "
                "page starts at this log position.",
            ),
        ] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_EVENTS)] = 100,
    ) -> JSONResponse:
        return await run_in_threadpool(read_feed, after, limit)

    return router
