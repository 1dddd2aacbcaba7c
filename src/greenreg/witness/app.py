"""The witness over HTTP (C2SP tlog-witness), what ``greenreg witness`` serves.

    POST /add-checkpoint            a checkpoint with a consistency proof -> cosignature lines
    GET  /<sha256(origin) hex>/checkpoint   the last checkpoint cosigned for that log

A refusal answers its status (see :mod:`greenreg.witness.service`) with the reason as
``text/plain``, except 409, which answers the witness's size as ``text/x.tlog.size`` as the
specification requires (the reason is then in the ``Witness-Reason`` header).
"""

from __future__ import annotations

import hashlib

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from greenreg.witness.service import RefusedError, Witness

MAX_BODY = 64 * 1024
SIZE_TYPE = "text/x.tlog.size"
REASON_HEADER = "Witness-Reason"


def _text(raw: bytes) -> str:
    if len(raw) > MAX_BODY:
        raise RefusedError(400, f"the body is larger than {MAX_BODY} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RefusedError(400, "the body is not UTF-8") from None


def witness_app(witness: Witness) -> Starlette:
    async def add_checkpoint(request: Request) -> Response:
        raw = await request.body()
        try:
            line = await run_in_threadpool(witness.add_checkpoint, _text(raw))
        except RefusedError as refusal:
            if refusal.status == 409:
                return PlainTextResponse(
                    f"{refusal.size}\n",
                    status_code=409,
                    media_type=SIZE_TYPE,
                    headers={REASON_HEADER: refusal.reason.encode("ascii", "replace").decode()},
                )
            return PlainTextResponse(refusal.reason + "\n", status_code=refusal.status)
        return PlainTextResponse(line)

    async def checkpoint(request: Request) -> Response:
        wanted = request.path_params["origin_hash"]
        for origin in witness.logs:
            if hashlib.sha256(origin.encode("utf-8")).hexdigest() == wanted:
                latest = await run_in_threadpool(witness.state.latest, origin)
                if latest.note is not None:
                    return PlainTextResponse(latest.note)
        return PlainTextResponse("this witness has cosigned no checkpoint of that log\n", 404)

    return Starlette(
        routes=[
            Route("/add-checkpoint", add_checkpoint, methods=["POST"]),
            Route("/{origin_hash}/checkpoint", checkpoint, methods=["GET"]),
        ]
    )
