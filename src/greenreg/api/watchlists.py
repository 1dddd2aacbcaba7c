"""REST: watchlists with signed webhooks, for subscribers holding an API key.

    POST   /api/v1/watchlists                     register: entries (unit ids, credit codes)
                                                  and an HTTPS endpoint
    GET    /api/v1/watchlists/{id}                its state: cursor, pending notification
    DELETE /api/v1/watchlists/{id}                stop watching
    GET    /api/v1/watchlists/{id}/deliveries     the delivery log, ``after`` a sequence number
    POST   /api/v1/watchlists/{id}/replay         deliver again from a log position

Notifications are sent by the delivery worker (:mod:`greenreg.subscribers.delivery`), never
inside a request; registering only checks that the endpoint takes a TLS connection (see
:mod:`greenreg.subscribers.endpoints`). What is notified, and how it is signed:
:mod:`greenreg.subscribers.changes`, :mod:`greenreg.subscribers.notifications`.
"""

# No 'from __future__ import annotations': the routes' annotations name the local dependency
# 'holder', which FastAPI could not resolve from a string.

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from greenreg.api import examples
from greenreg.api.answers import example
from greenreg.api.body_limits import WATCHLIST_BODY_BYTES
from greenreg.api.problems import documented
from greenreg.subscribers.api_keys import ApiKey
from greenreg.subscribers.endpoints import check_endpoint
from greenreg.subscribers.entries import MAX_ENTRIES, parse_entries
from greenreg.subscribers.watchlists import (
    MAX_DELIVERIES_PAGE,
    Delivery,
    Watchlist,
    Watchlists,
    check_position,
)

REFUSALS = {
    **documented(
        {
            400: "The body is not UTF-8 JSON.",
            401: "No API key, or one the registry did not issue or has revoked.",
            404: "This API key has no such watchlist.",
        }
    ),
    **documented(
        {
            422: "An entry, the endpoint or a position cannot be used (the detail says why; "
            "bad entries are listed one by one in 'entries')."
        },
        schema={"$ref": "#/components/schemas/EntriesProblem"},
    ),
}
TOO_LARGE = documented(
    {413: f"The body is larger than 100,000 entries can be ({WATCHLIST_BODY_BYTES:,} bytes)."}
)


class NewWatchlist(BaseModel):
    url: str = Field(description="The HTTPS endpoint notifications are POSTed to.")
    entries: list[str] = Field(
        min_length=1,
        max_length=MAX_ENTRIES,
        description="Unit ids (UUIDs) and credit codes to watch.",
    )
    from_position: int | None = Field(
        default=None,
        ge=0,
        description="Deliver changes from this log position on (default: the log's size now, "
        "so only changes from now on).",
    )


class Replay(BaseModel):
    from_position: int = Field(
        ge=0, strict=True, description="Deliver again every change from here on."
    )


class Pending(BaseModel):
    position: int
    attempts: int
    next_attempt_at: str | None
    last_error: str | None


class WatchlistOut(BaseModel):
    model_config = example(examples.WATCHLIST)

    watchlist_id: str
    url: str
    created_at: str
    entry_count: int
    unknown_codes: int = Field(
        description="Credit codes no unit holds today: watched from the day one does."
    )
    next_position: int = Field(
        description="Every change at a log position before this one has been delivered."
    )
    pending: Pending | None = Field(description="The notification being delivered, if any.")


class DeliveryOut(BaseModel):
    seq: int
    position: int
    change: str
    unit_id: str
    attempt: int
    attempted_at: str
    outcome: str = Field(description="'delivered' (the endpoint answered 2xx) or 'failed'.")
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveriesOut(BaseModel):
    model_config = example(examples.DELIVERIES)

    watchlist_id: str
    deliveries: list[DeliveryOut]
    next: int | None = Field(description="The 'after' of the next page, if there may be more.")


def _out(watchlists: Watchlists, w: Watchlist) -> WatchlistOut:
    pending = (
        None
        if w.pending_position is None
        else Pending(
            position=w.pending_position,
            attempts=w.attempts,
            next_attempt_at=w.next_attempt_at,
            last_error=w.last_error,
        )
    )
    return WatchlistOut(
        watchlist_id=w.watchlist_id,
        url=w.url,
        created_at=w.created_at,
        entry_count=w.entry_count,
        unknown_codes=watchlists.unknown_codes(w.watchlist_id),
        next_position=w.next_position,
        pending=pending,
    )


def _delivery(d: Delivery) -> DeliveryOut:
    return DeliveryOut(**d.__dict__)


def watchlists_router(
    watchlists: Watchlists,
    log_size: Callable[[], int],
    holder: Callable[..., Awaitable[ApiKey]],
) -> APIRouter:
    router = APIRouter(prefix="/api/v1/watchlists", tags=["watchlists"], responses=REFUSALS)

    def register(key: ApiKey, new: NewWatchlist) -> WatchlistOut:
        entries = parse_entries(new.entries)
        size = log_size()
        start = check_position(size if new.from_position is None else new.from_position, size)
        url = check_endpoint(new.url)
        watchlist_id = watchlists.create(key.key_id, url, entries, start)
        return _out(watchlists, watchlists.get(key.key_id, watchlist_id))

    @router.post(
        "",
        status_code=201,
        response_model=WatchlistOut,
        responses=TOO_LARGE,
        summary="Watch units: be told of each status change, signed, at an HTTPS endpoint",
    )
    async def create(
        new: NewWatchlist, key: Annotated[ApiKey, Depends(holder)]
    ) -> WatchlistOut:  # a bad entry or endpoint is refused by the app's handler (422)
        return await run_in_threadpool(register, key, new)

    @router.get("/{watchlist_id}", summary="A watchlist: its cursor and pending notification")
    async def show(watchlist_id: str, key: Annotated[ApiKey, Depends(holder)]) -> WatchlistOut:
        def read() -> WatchlistOut:
            return _out(watchlists, watchlists.get(key.key_id, watchlist_id))

        return await run_in_threadpool(read)

    @router.delete("/{watchlist_id}", status_code=204, summary="Stop watching")
    async def delete(watchlist_id: str, key: Annotated[ApiKey, Depends(holder)]) -> Response:
        await run_in_threadpool(watchlists.delete, key.key_id, watchlist_id)
        return Response(status_code=204)

    @router.get(
        "/{watchlist_id}/deliveries",
        summary="The delivery log: every attempt, in order",
    )
    async def deliveries(
        watchlist_id: str,
        key: Annotated[ApiKey, Depends(holder)],
        after: Annotated[
            int, Query(ge=0, le=2**62, description="The 'next' of the previous page.")
        ] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_DELIVERIES_PAGE)] = 100,
    ) -> DeliveriesOut:
        found = await run_in_threadpool(
            watchlists.deliveries, key.key_id, watchlist_id, after, limit
        )
        return DeliveriesOut(
            watchlist_id=watchlist_id,
            deliveries=[_delivery(d) for d in found],
            next=found[-1].seq if len(found) == limit else None,
        )

    @router.post(
        "/{watchlist_id}/replay",
        summary="Deliver again every change from a log position on",
    )
    async def replay(
        watchlist_id: str, body: Replay, key: Annotated[ApiKey, Depends(holder)]
    ) -> WatchlistOut:
        def move() -> WatchlistOut:
            position = check_position(body.from_position, log_size())
            return _out(watchlists, watchlists.replay(key.key_id, watchlist_id, position))

        return await run_in_threadpool(move)

    return router
