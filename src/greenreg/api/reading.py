"""What a REST read route needs besides its question: the data version and signed receipts.

:class:`Reads` carries the read models' queries, the transparency log and the registry's clock.
Every read route takes :meth:`Reads.version` before it asks its question, states it in the
answer (see :mod:`greenreg.api.encoding`), and, when the client asks ``?receipt=true``, signs
the answer at that version's checkpoint with :meth:`Reads.receipt`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from greenreg.bootstrap import Greenreg
from greenreg.projections.queries import Queries
from greenreg.receipts import receipt_at
from greenreg.storage.queries import AnsweredAt, TransparencyLog, answered_at, transparency_log_of

RECEIPT_DESCRIPTION = (
    "true: the answer also carries 'receipt', signed by the registry's log key at the "
    "checkpoint the answer states ('document' is the receipt's JSON, to keep byte for byte; "
    "'greenreg receipt verify FILE' checks it offline)."
)


@dataclass(frozen=True)
class Reads:
    queries: Queries
    log: TransparencyLog | None
    clock: Callable[[], datetime]

    @classmethod
    def of(cls, facade: Greenreg) -> Reads:
        registry = facade.registry
        return cls(facade.queries, transparency_log_of(registry.recorder), registry.clock)

    def version(self) -> AnsweredAt:
        """The data version of the answer about to be given."""
        return answered_at(self.log, self.queries.data_version)

    def receipt(
        self,
        at: AnsweredAt,
        *,
        kind: str,
        question: dict[str, Any],
        answer: dict[str, Any],
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> dict[str, Any]:
        """The receipt file for this answer: ``{"document": <signed receipt JSON>, "key_id":
        <log key id>, "log_key": <the proof of its declaration>}`` (docs/receipts.md)."""
        signed = receipt_at(
            self.log,
            at.checkpoint,
            kind=kind,
            question=question,
            answer=answer,
            issued_at=self.clock(),
            as_of=as_of,
            known_at=known_at,
        )
        return signed.file()
