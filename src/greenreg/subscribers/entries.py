"""A watchlist's entries: each a unit id (the registry's UUID) or a credit code (GB 32100).

Entries are independent, so each is checked on its own and every bad one is named with its
index and why (:class:`EntryError`); a watchlist with any bad entry is refused whole, so that
a bank never watches fewer units than it believes. A valid credit code the registry does not
hold yet is accepted: it is watched from the day a unit is registered under it or has it
attached. A unit id must name a unit the registry holds (ids are the registry's own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from greenreg.errors import CreditCodeError, GreenregError
from greenreg.events.credit_codes import check_credit_code

MAX_ENTRIES = 100_000
EntryKind = Literal["unit", "code"]


@dataclass(frozen=True)
class BadEntry:
    index: int
    entry: str
    reason: str


class EntryError(GreenregError):
    """Some entries of a watchlist are not unit ids or valid credit codes (HTTP 422); each is
    named in ``bad``."""

    code = "invalid_entries"

    def __init__(self, bad: Sequence[BadEntry]) -> None:
        self.bad = list(bad)
        shown = "; ".join(f"entry {b.index} ({b.entry!r}): {b.reason}" for b in self.bad[:20])
        more = f"; and {len(self.bad) - 20} more" if len(self.bad) > 20 else ""
        super().__init__(
            f"{len(self.bad)} of the watchlist's entries cannot be watched, so nothing was "
            f"registered: {shown}{more}"
        )


@dataclass(frozen=True)
class Entry:
    value: str
    """A unit id as ``str(UUID)`` or a compact credit code."""
    kind: EntryKind


def parse_entry(text: str) -> Entry:
    """One entry, or a :class:`GreenregError` saying why it is neither a unit id nor a code."""
    stripped = text.strip()
    if len(stripped) == 36 and stripped.count("-") == 4:
        try:
            return Entry(str(UUID(stripped)), "unit")
        except ValueError:
            pass
    try:
        return Entry(check_credit_code(stripped), "code")
    except CreditCodeError as error:
        raise GreenregError(
            f"neither a unit id (a UUID) nor a valid credit code: {error}"
        ) from None


def parse_entries(texts: Sequence[str]) -> list[Entry]:
    """Every entry, once (duplicates are watched once), or an :class:`EntryError` naming each
    bad one."""
    if not texts:
        raise GreenregError("a watchlist needs at least one unit id or credit code")
    if len(texts) > MAX_ENTRIES:
        raise GreenregError(
            f"a watchlist holds at most {MAX_ENTRIES} entries, not {len(texts)}: split it"
        )
    entries: dict[str, Entry] = {}
    bad: list[BadEntry] = []
    for index, text in enumerate(texts):
        try:
            entry = parse_entry(text)
        except GreenregError as error:
            bad.append(BadEntry(index, text[:80], str(error)))
            continue
        entries.setdefault(entry.value, entry)
    if bad:
        raise EntryError(bad)
    return list(entries.values())
