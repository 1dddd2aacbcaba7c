"""Signed-act intake: ``POST /api/v1/acts``, how an authority submits an act over HTTP.

The body is the signed act exactly as :func:`greenreg.events.acts.sign_act` writes it. The
registry checks the signature, the key, the competence and the rulebook; an accepted act
answers 201 with its events and their log positions, a resubmitted act answers 200
("already recorded", nothing new), a refusal answers 4xx (see :mod:`greenreg.api.problems`)
and records nothing.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from greenreg.api import examples
from greenreg.api.body_limits import ACT_BODY_BYTES
from greenreg.api.problems import MalformedRequestError, documented
from greenreg.bootstrap import Greenreg
from greenreg.registry.application import Receipt

SIGNED_ACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["act", "key_id", "signature"],
    "additionalProperties": False,
    "properties": {
        "act": {
            "type": "object",
            "description": "The act: type, act_id, authority, signed_at, effective_date, "
            "document, and the fields of its type.",
        },
        "key_id": {"type": "string", "description": "The id of the signing key."},
        "signature": {
            "type": "string",
            "description": "Base64 Ed25519 signature over the RFC 8785 form of 'act'.",
        },
    },
}

RECEIPT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["act_id", "status", "message", "events", "flags"],
    "examples": [examples.ACT_RECEIPT],
    "properties": {
        "act_id": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": ["recorded", "already_recorded"]},
        "message": {"type": "string"},
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "event_id": {"type": "string"},
                    "type": {"type": "string"},
                    "unit_or_authority_id": {"type": "string", "format": "uuid"},
                    "version": {"type": "integer"},
                    "position": {"type": ["integer", "null"]},
                },
            },
        },
        "flags": {"type": "array", "items": {"type": "object"}},
    },
}


def event_id(aggregate_id: object, version: int) -> str:
    """An event's stable id: its aggregate and its version there."""
    return f"{aggregate_id}/{version}"


def receipt_body(receipt: Receipt) -> dict[str, Any]:
    return {
        "act_id": str(receipt.act_id),
        "status": receipt.status,
        "message": receipt.message,
        "events": [
            {
                "event_id": event_id(e.aggregate_id, e.version),
                "type": e.type,
                "unit_or_authority_id": str(e.aggregate_id),
                "version": e.version,
                "position": e.position,
            }
            for e in receipt.events
        ],
        "flags": receipt.flags,
    }


def _refusals() -> dict[int | str, dict[str, Any]]:
    return documented(
        {
            400: "The body is not UTF-8 JSON.",
            401: "Unsigned, altered, or signed by an unknown or invalid key.",
            403: "The authority may not issue this act.",
            404: "The act names a unit or authority the registry does not hold.",
            409: "The act contradicts the registry's history, or another act came first.",
            413: f"The body is larger than an act can be ({ACT_BODY_BYTES:,} bytes).",
            422: "Not a valid act, or a rule forbids it (the message cites the article).",
            503: "The read models cannot fold the log: no act is accepted until an operator "
            "mends it.",
        }
    )


def intake_router(greenreg: Greenreg) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["acts"])

    @router.post(
        "/acts",
        status_code=201,
        summary="Submit a signed act",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": SIGNED_ACT_SCHEMA}},
            }
        },
        responses={
            200: {
                "description": "The act was already recorded; nothing new was recorded.",
                "content": {"application/json": {"schema": RECEIPT_SCHEMA}},
            },
            201: {
                "description": "The act was recorded.",
                "content": {"application/json": {"schema": RECEIPT_SCHEMA}},
            },
            **_refusals(),
        },
    )
    async def submit_act(request: Request) -> JSONResponse:
        body = await request.body()  # at most ACT_BODY_BYTES (BodyLimit refuses more as read)
        check_json(body)
        receipt = await run_in_threadpool(greenreg.submit, body)
        request.app.state.metrics.written(receipt)
        status = 201 if receipt.status == "recorded" else 200
        return JSONResponse(receipt_body(receipt), status_code=status)

    return router


def check_json(body: bytes) -> None:
    """Refuse (400) a body that is not UTF-8 JSON; what the JSON says is the registry's job."""
    try:
        json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise MalformedRequestError(
            f"the body is not UTF-8 JSON ({error}); send the signed act as JSON"
        ) from error
