"""Global ids for ``node(id:)``: ``base64("Unit:<uuid>")``, opaque to clients (Relay style)."""

from __future__ import annotations

import base64
import binascii
from uuid import UUID

from greenreg.graphql.limits import Refusal


def global_id(type_name: str, local_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode("ascii")


def parse_global_id(value: str) -> tuple[str, UUID]:
    """The type name and the local id inside a global id; a refusal for anything else."""
    try:
        type_name, _, local = (
            base64.urlsafe_b64decode(value.encode("ascii")).decode().partition(":")
        )
        return type_name, UUID(local)
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise Refusal("BAD_USER_INPUT", f"{value!r} is not a global id of this API") from error
