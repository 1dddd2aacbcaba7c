"""The data version an answer was given at."""

from __future__ import annotations

import strawberry

from greenreg.storage.queries import AnsweredAt


@strawberry.type(
    description="How much of the registry an answer saw: the latest signed checkpoint of the "
    "transparency log when it was answered (logSize leaves, rootHash in hex; before the first "
    "write, size 0 and the empty tree's root), the store's event count and last event position, "
    "and how far the read models had got (behind: they had not folded every recorded event, so "
    "the answer may miss the latest ones). Two answers with the same logSize and rootHash saw "
    "the same signed history."
)
class DataVersion:
    log_size: int
    root_hash: str
    event_count: int
    last_position: int
    projected_position: int
    up_to_date: bool
    behind: bool

    @classmethod
    def of(cls, version: AnsweredAt) -> DataVersion:
        view = version.data
        return cls(
            log_size=version.log_size,
            root_hash=version.root_hash,
            event_count=view.event_count,
            last_position=view.last_position,
            projected_position=view.projected_position,
            up_to_date=view.up_to_date,
            behind=view.behind,
        )
