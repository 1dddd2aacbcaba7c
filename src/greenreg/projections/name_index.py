"""The names the match looks among: every name in ``rm_search``, indexed by the character
pairs (bigrams) of its core, held in memory and rebuilt when the read models move on.

A query's candidates are the names sharing the most bigrams with its core, rarest bigrams
first, so a wrong character costs at most two of them and a common pair (科技, 有限) does not
flood the count. Only those few candidates are then scored (:mod:`greenreg.matching.score`).
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from dataclasses import dataclass

from greenreg.matching.normalise import Name
from greenreg.projections.database import ReadStore
from greenreg.projections.schema import PROJECTION

CANDIDATES = 30
"""Names scored per query (the ones sharing the most bigrams)."""
COMMON = 5_000
"""A bigram on more names than this counts only when the query has no rarer one."""


@dataclass(frozen=True)
class Entry:
    """One name of one unit, with what the match filters on."""

    unit_id: str
    name: Name
    unit_kind: str
    division: str
    recorded_at: str


def bigrams(core: str) -> set[str]:
    if len(core) < 2:
        return {core} if core else set()
    return {core[i : i + 2] for i in range(len(core) - 1)}


class NameIndex:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.postings: dict[str, list[int]] = {}
        self.by_norm: dict[str, list[int]] = {}
        for number, entry in enumerate(entries):
            for gram in bigrams(entry.name.core):
                self.postings.setdefault(gram, []).append(number)
            self.by_norm.setdefault(entry.name.norm, []).append(number)

    def candidates(self, query: Name, limit: int = CANDIDATES) -> list[Entry]:
        """The names most likely to match ``query``: the same whole name first, then those
        sharing the most bigrams of its core."""
        exact = self.by_norm.get(query.norm, [])
        grams = sorted(bigrams(query.core), key=lambda g: len(self.postings.get(g, ())))
        counts: Counter[int] = Counter()
        for position, gram in enumerate(grams):
            postings = self.postings.get(gram, ())
            if len(postings) > COMMON and position > 0:
                break
            counts.update(postings)
        chosen = dict.fromkeys(exact)
        for number, _ in counts.most_common(limit):
            chosen.setdefault(number)
        return [self.entries[number] for number in chosen]


_cache: weakref.WeakKeyDictionary[ReadStore, tuple[int, NameIndex]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def name_index(store: ReadStore) -> NameIndex:
    """The index of the read models as they stand: built on first use, rebuilt once they have
    moved on."""
    rows = store.query("SELECT position FROM rm_tracking WHERE projection = ?", [PROJECTION])
    position = int(rows[0][0]) if rows else 0
    with _lock:
        cached = _cache.get(store)
        if cached is not None and cached[0] == position:
            return cached[1]
        index = NameIndex(_entries(store))
        _cache[store] = (position, index)
        return index


def _entries(store: ReadStore) -> list[Entry]:
    rows = store.query(
        "SELECT s.unit_id, s.text, s.norm, s.core, s.form, s.qualifier, u.kind, u.division, "
        "u.recorded_at FROM rm_search s JOIN rm_units u ON u.unit_id = s.unit_id "
        "WHERE s.kind = 'name'"
    )
    return [
        Entry(unit, Name(text, norm, core, form, qualifier, False), kind, division, recorded)
        for unit, text, norm, core, form, qualifier, kind, division, recorded in rows
    ]
