"""Read-model views as plain JSON values, and the data version every answer states.

The data version is the latest signed checkpoint when the answer was given (``log_size`` and
``root_hash``, hex; ``checkpoint_key_id`` the log key that signed it) plus the store's event
count and the log positions (leaf indexes, from 0; -1 for none) of its last event and of the
last event the read models had folded (``event_count``, ``last_position``,
``projected_position``), and ``behind``: true when the read models had not folded every
recorded event, so the answer may miss the latest ones. It is in the body (``data_version``)
and in the ``Greenreg-Data-Version`` header of every read answer.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import orjson
from fastapi.responses import JSONResponse

from greenreg.storage.queries import DATA_VERSION_HEADER, NOT_STORED, AnsweredAt

__all__ = ["DATA_VERSION_HEADER", "NOT_STORED", "answer", "plain", "version_body", "version_header"]


def plain(value: Any) -> Any:  # noqa: PLR0911 (one return per kind of value)
    """A view (a frozen dataclass), or anything inside one, as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def version_body(version: AnsweredAt) -> dict[str, Any]:
    return version.as_json()


def version_header(version: AnsweredAt) -> dict[str, str]:
    """``Greenreg-Data-Version: size=12; root=<hex>; events=12; position=11; projected=11;
    behind=no`` on every read answer."""
    return {DATA_VERSION_HEADER: version.header()}


class JSONBody(JSONResponse):
    """A JSON answer written by orjson: the views' dataclasses, dates, ids and enums as they
    are, without copying them into plain values first (a bank check's answer is megabytes)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def answer(version: AnsweredAt, body: dict[str, Any]) -> JSONBody:
    """A read answer: the body, with the data version it was answered at (body and header).
    An answer with a signed receipt is never stored by a cache: each receipt is signed anew,
    at its own time (:mod:`greenreg.api.caching` tags every other read answer)."""
    headers = version_header(version)
    if "receipt" in body:
        headers["Cache-Control"] = NOT_STORED
    return JSONBody({"data_version": version_body(version), **body}, headers=headers)
