"""Announcements: one notice, its date, its document number, and the lists it published.

MIIT published the national green-manufacturing lists by notice (通知), one per batch, each with
annexes: green factories, green design products, green parks, green supply-chain enterprises.
An :class:`Announcement` is one notice's lists of units (design products are products, not
units; they are not imported) and the removals it announced. It is recorded in one transaction.

The shipped lists (``greenreg/data/miit``, see its README for provenance) compile batches 1-6 in
one file per list; :func:`shipped_announcements` splits them by their 批次 column, using
``announcements.csv`` for each batch's date and document and ``removals.csv`` for de-listings.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources

from greenreg.errors import ListFileError
from greenreg.events.vocabulary import Programme
from greenreg.importer.lists import ListFile, ListRow, parse_table
from greenreg.importer.regions import province_code

SHIPPED_LISTS = {
    Programme.GREEN_PARK: "green_parks.csv",
    Programme.GREEN_FACTORY: "green_factories.csv",
    Programme.GREEN_SUPPLY_CHAIN: "green_supply_chain.csv",
}
"""The shipped list files, in the order their rows are transcribed within an announcement."""


@dataclass(frozen=True)
class Removal:
    """A unit an announcement took off a list, on a ground of the national rulebook."""

    programme: Programme
    name: str
    division: str
    ground: str
    evidence: str


@dataclass(frozen=True)
class Announcement:
    """One notice: what it is called in acts (``document``), when it took effect, its lists."""

    batch: str
    """The batch as the compiled lists' 批次 column writes it (``1``, ``2021``) or as given."""
    label: str
    """The batch as a designation records it (``第三批``, ``2021年度(第六批)``)."""
    effective_date: date
    document: str
    """The document number (文号), or the notice's title where the number is not known."""
    lists: dict[Programme, list[ListRow]] = field(default_factory=dict)
    removals: list[Removal] = field(default_factory=list)

    def listed(self) -> Iterator[tuple[Programme, ListRow]]:
        """Every listed row with its programme: parks, then factories, then supply chains."""
        for programme in SHIPPED_LISTS:
            for row in self.lists.get(programme, []):
                yield programme, row

    def count(self, programme: Programme) -> int:
        return len(self.lists.get(programme, []))


def announcement_of_file(
    list_file: ListFile, *, label: str, document: str, effective_date: date
) -> Announcement:
    """A new announcement from one list file: every row of the file belongs to it."""
    batches = [batch for batch in list_file.batches() if batch]
    if len(batches) > 1:
        raise ListFileError(
            f"{list_file.source}: the rows belong to several batches ({', '.join(batches)}); "
            "an import is one announcement: split the file by its 批次 column"
        )
    return Announcement(
        batch=batches[0] if batches else label,
        label=label,
        effective_date=effective_date,
        document=document,
        lists={list_file.programme: list_file.rows},
    )


@cache
def shipped_announcements() -> tuple[Announcement, ...]:
    """The shipped MIIT announcements, oldest first."""
    lists = {programme: _shipped_list(name, programme) for programme, name in SHIPPED_LISTS.items()}
    removals = _shipped_removals()
    announcements = []
    for record in _shipped_csv("announcements.csv"):
        batch = record["batch"]
        announcements.append(
            Announcement(
                batch=batch,
                label=record["label"],
                effective_date=date.fromisoformat(record["effective_date"]),
                document=record["document"],
                lists={
                    programme: [row for row in rows.rows if row.batch == batch]
                    for programme, rows in lists.items()
                },
                removals=removals.get(batch, []),
            )
        )
    known = {a.batch for a in announcements}
    for programme, list_file in lists.items():
        stray = sorted({row.batch for row in list_file.rows} - known)
        if stray:
            raise ListFileError(f"shipped {programme} list: batches {stray} have no announcement")
    return tuple(sorted(announcements, key=lambda a: a.effective_date))


def _shipped_list(name: str, programme: Programme) -> ListFile:
    table = list(enumerate(csv.reader(io.StringIO(_text(name))), 1))
    return parse_table(name, table, programme)


def _shipped_removals() -> dict[str, list[Removal]]:
    removals: dict[str, list[Removal]] = {}
    for record in _shipped_csv("removals.csv"):
        removals.setdefault(record["batch"], []).append(
            Removal(
                programme=Programme(record["programme"]),
                name=record["name"],
                division=province_code(record["region"]),
                ground=record["ground"],
                evidence=record["evidence"],
            )
        )
    return removals


def _shipped_csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(name))))


def _text(name: str) -> str:
    return (resources.files("greenreg") / "data" / "miit" / name).read_text(encoding="utf-8-sig")
