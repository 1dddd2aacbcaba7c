"""The client side of an act: an authority writing and signing acts to submit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from greenreg.events.acts import sign_act
from greenreg.events.signing import Signer

TRANSCRIPTION = "-transcription"
"""The ending of the code of an authority that **transcribes** another's published notices
(``miit-transcription``): it signs what it read in them, and is not the authority that issued
them. Pages say so on every record it signed."""


def is_transcriber(authority_code: str) -> bool:
    """Whether the authority with this code transcribes published notices (:data:`TRANSCRIPTION`)
    rather than issuing them."""
    return authority_code.endswith(TRANSCRIPTION)


class Issuer:
    """Writes acts for one authority (its code) and signs them with one of its keys."""

    def __init__(self, authority: str, signer: Signer) -> None:
        self.authority = authority
        self.signer = signer

    def act(
        self,
        type: str,
        *,
        effective_date: date | str,
        document: str,
        document_sha256: str | None = None,
        act_id: UUID | None = None,
        signed_at: datetime | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A signed act; ``fields`` are the act's own fields (``unit``, ``programme``, ...)."""
        body: dict[str, Any] = {
            "type": type,
            "act_id": str(act_id or uuid4()),
            "authority": self.authority,
            "signed_at": (signed_at or datetime.now(UTC)).isoformat(),
            "effective_date": str(effective_date),
            "document": {"number": document}
            | ({"sha256": document_sha256} if document_sha256 else {}),
        }
        body.update({name: _json(value) for name, value in fields.items()})
        return sign_act(body, self.signer)


def _json(value: Any) -> Any:
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, UUID | date | datetime):
        return str(value) if not isinstance(value, datetime) else value.isoformat()
    return value
