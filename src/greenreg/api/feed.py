"""REST: the signed event feed, for inspectors who re-verify everything with public keys only.

``GET /api/v1/events?after=N&limit=M`` gives the events after position ``N``, in log order, each
with the signed act exactly as signed (RFC 8785 text), its signature and key id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from greenreg.api.encoding import answer
from greenreg.api.intake import event_id
from greenreg.api.problems import READ_REFUSALS
from greenreg.api.reading import Reads
from greenreg.bootstrap import Greenreg
from greenreg.events.vocabulary import RegistryEvent

MAX_EVENTS = 1_000


def feed_router(greenreg: Greenreg, reads: Reads) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["events"], responses=READ_REFUSALS)
    registry = greenreg.registry

    def read_feed(after: int, limit: int) -> JSONResponse:
        version = reads.version()
        notifications = registry.recorder.select_notifications(start=after + 1, limit=limit)
        items: list[dict[str, Any]] = []
        for notification in notifications:
            event = registry.mapper.to_domain_event(notification)
            item: dict[str, Any] = {
                "position": notification.id,
                "event_id": event_id(event.originator_id, event.originator_version),
                "type": type(event).__name__,
            }
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
        last = items[-1]["position"] if items else after
        total = registry.event_count()
        return answer(
            version,
            {
                "after": after,
                "events": items,
                "next": last if last < total else None,
                "last_position": total,
            },
        )

    @router.get("/events", summary="The signed events after a position, in log order")
    async def events(
        after: Annotated[int, Query(ge=0, le=2**62, description="Last position seen.")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_EVENTS)] = 100,
    ) -> JSONResponse:
        return await run_in_threadpool(read_feed, after, limit)

    return router
