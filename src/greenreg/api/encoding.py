"""Read-model views as plain JSON values, and the data version every answer states."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from fastapi.responses import JSONResponse

from greenreg.projections.views import DataVersion

DATA_VERSION_HEADER = "Greenreg-Data-Version"


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


def version_body(version: DataVersion) -> dict[str, int]:
    return {
        "event_count": version.event_count,
        "last_position": version.last_position,
        "projected_position": version.projected_position,
    }


def version_header(version: DataVersion) -> dict[str, str]:
    """``Greenreg-Data-Version: events=12; position=12; projected=12`` on every read answer."""
    return {
        DATA_VERSION_HEADER: f"events={version.event_count}; position={version.last_position}; "
        f"projected={version.projected_position}"
    }


def answer(version: DataVersion, body: dict[str, Any]) -> JSONResponse:
    """A read answer: the body, with the data version it was answered at (body and header)."""
    return JSONResponse(
        {"data_version": version_body(version), **body}, headers=version_header(version)
    )
