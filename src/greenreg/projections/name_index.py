"""The names the match and the lookup look among: every name in ``rm_search``, indexed by the
character pairs (bigrams) of its core, held in memory and brought up to date when the read
models move on: the names of the units the new events touched replace theirs
(:meth:`NameIndex.updated`), so a write costs its own units, not a rebuild of every name.

The match's candidates (:meth:`NameIndex.candidates`) are the names sharing the most bigrams
with the query's core, rarest bigrams first, so a wrong character costs at most two of them and
a common pair (科技, 有限) does not flood the count. Only those few candidates are then scored
(:mod:`greenreg.matching.score`).

The lookup's variants (:meth:`NameIndex.similar`) are every name that can score at least a
floor, found without counting. A score of at least ``t`` allows at most ``(1 - t) x`` the
longer core's length in edits; an edit breaks at most two of the query core's bigram places (a
substitution or a deletion two, an insertion one), so a name of a given core length holds the
bigram of every place but those its allowed edits can break: it holds one of any set of places
one larger than that. For each core length that can reach the floor, the names of that length
(postings by bigram and length, :attr:`NameIndex.sized`) on the rarest such bigrams are read,
and only their cores compared (``rapidfuzz``, with the floor as cut-off). The postings read
stay within :data:`BUDGET` whatever the number of names: past it, the lengths farthest from
the query's and the commonest bigrams are left out.
"""

from __future__ import annotations

import math
import threading
import weakref
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from sys import intern
from typing import TypeVar, cast

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from greenreg.matching.normalise import Name
from greenreg.projections.database import ReadStore
from greenreg.projections.reading import chunks

Key = TypeVar("Key", str, tuple[str, int])
CANDIDATES = 30
"""Names scored per query (the ones sharing the most bigrams)."""
COMMON = 5_000
"""A bigram on more names than this counts only when the query has no rarer one."""
BUDGET = 1_000
"""Postings the lookup's variant search reads at most, whatever the number of names."""
MATCH_FLOOR = 0.7
"""The bulk match's candidates are first every name whose core is at least this similar."""
MATCH_BUDGET = 10_000
"""Postings the bulk match's variant search reads at most per query (it answers 10,000
queries at once; a wider search than the lookup's page needs costs little per query)."""
EMPTY = array("i")
"""No postings (never changed)."""
ROUNDING = 5e-5
"""Scores are rounded to four places: a similarity this much below a floor may reach it."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One name of one unit, with what the match filters on."""

    unit_id: str
    name: Name
    unit_kind: str
    division: str
    recorded_at: str
    matched: str | None
    """What the name is to its unit now: ``name``, ``former_name`` or ``None`` (corrected
    away)."""
    unit_name: str


def bigrams(core: str) -> set[str]:
    if len(core) < 2:
        return {core} if core else set()
    return {core[i : i + 2] for i in range(len(core) - 1)}


class NameIndex:
    """Names by bigram and by whole normalised name, and each unit's names.

    An index is never changed once made: :meth:`updated` makes the next one, sharing what did
    not change, so a match running on this one keeps its view."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries: list[Entry | None] = list(entries)
        self.cores = [entry.name.core for entry in entries]
        """Each entry's core, by number (a replaced entry's too: it is on no posting)."""
        self.postings: dict[str, list[int]] = {}
        self.sized: dict[tuple[str, int], array[int]] = {}
        """The postings by bigram and length of core (the lookup's variants), as arrays: the
        numbers a lookup reads lie together, not as objects over the heap."""
        self.by_norm: dict[str, list[int]] = {}
        self.by_core: dict[str, list[int]] = {}
        self.by_unit: dict[str, list[int]] = {}
        self.dead = 0
        """Numbers of entries replaced since the index was built (their slots are ``None``)."""
        sized: dict[tuple[str, int], list[int]] = {}
        for number, entry in enumerate(entries):
            size = len(entry.name.core)
            for gram in bigrams(entry.name.core):
                self.postings.setdefault(gram, []).append(number)
                sized.setdefault((gram, size), []).append(number)
            self.by_norm.setdefault(entry.name.norm, []).append(number)
            self.by_core.setdefault(entry.name.core, []).append(number)
            self.by_unit.setdefault(entry.unit_id, []).append(number)
        self.sized = {key: array("i", numbers) for key, numbers in sized.items()}

    def candidates(self, query: Name, limit: int = CANDIDATES) -> list[Entry]:
        """The names most likely to match ``query``, at most ``limit``: those :meth:`similar`
        finds (the same whole name or core, then every name whose core is at least
        :data:`MATCH_FLOOR` similar, the closest first, reading at most :data:`MATCH_BUDGET`
        postings), then, to fill the list, those sharing the most bigrams of its core."""
        chosen: dict[int, Entry] = {}  # by identity: a name is one entry of the index
        for _, entry in self.similar(query, MATCH_FLOOR, MATCH_BUDGET):
            if len(chosen) >= limit:
                return list(chosen.values())
            chosen.setdefault(id(entry), entry)
        for entry in self._sharing_bigrams(query, limit):
            if len(chosen) >= limit:
                break
            chosen.setdefault(id(entry), entry)
        return list(chosen.values())

    def _sharing_bigrams(self, query: Name, limit: int) -> list[Entry]:
        """The same whole name first, then the names sharing the most bigrams of its core
        (counting a bigram on more than :data:`COMMON` names only when no rarer one is)."""
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
        return [entry for number in chosen if (entry := self.entries[number]) is not None]

    def near(
        self, query: Name, floor: float, budget: int | None = None
    ) -> Iterator[tuple[int, float, float]]:
        """The names :meth:`similar` gives, each once, the highest bound first (in no order
        among those of one bound): its number, its bound (rounded as scores are) and the
        Levenshtein similarity of its core to the query's (1 for the same normalised name or
        core). They are the same normalised name, every name with the same core, and the names
        of :meth:`_pool` whose core is at least ``floor`` similar to the query's. Lazily: a
        caller that stops early does not pay for the names after."""
        core = query.core
        same = dict.fromkeys((*self.by_norm.get(query.norm, ()), *self.by_core.get(core, ())))
        yield from ((number, 1.0, 1.0) for number in same)
        # A name on several of the bigrams read is compared once (a set: half the time of a
        # dict's keys; the order of names of one bound is none).
        pool = list(set(self._pool(core, floor, BUDGET if budget is None else budget)))
        if not pool:
            return
        cores = itemgetter(*pool)(self.cores) if len(pool) > 1 else [self.cores[pool[0]]]
        for _, similarity, place in process.extract(  # the most similar first
            core,
            cores,
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=floor - ROUNDING,
            limit=None,
        ):
            number = pool[place]
            if number not in same:  # the same core: given already
                yield number, round(similarity, 4), similarity

    def similar(
        self, query: Name, floor: float, budget: int | None = None
    ) -> Iterator[tuple[float, Entry]]:
        """The names that can score at least ``floor`` against ``query`` (:meth:`near`), each
        with a bound of its score (:func:`~greenreg.matching.score.bound`, rounded as scores
        are), in the order a page ranks them at best: the highest bound first, then by the
        unit's name and id, then in the order they were indexed. Lazily: names of a lower bound
        are put in order only when they are reached."""
        found = list(self.near(query, floor, budget))
        seen: set[int] = set()
        start = 0
        while start < len(found):
            bound, end = found[start][1], start
            while end < len(found) and found[end][1] == bound:
                end += 1
            tied = [number for number, _, _ in found[start:end]]
            yield from ((bound, entry) for entry in self._ranked(tied, seen))
            start = end

    def _ranked(self, numbers: list[int], seen: set[int]) -> list[Entry]:
        """The entries of ``numbers`` not ``seen`` yet (now seen), by unit name, unit id and
        number."""
        found = []
        for number in sorted(set(numbers) - seen):
            entry = self.entries[number]
            if entry is not None:
                found.append(entry)
        seen.update(numbers)
        found.sort(key=lambda entry: (entry.unit_name, entry.unit_id))  # stable: by number
        return found

    def _pool(self, core: str, floor: float, budget: int) -> array[int]:
        """For each core length that can reach ``floor`` (the query's own first, then the
        nearest), the names of that length holding one of the rarest bigrams of ``core`` that
        cover one place more than the edits allowed at that length can break: every name that
        can reach the floor is among them (for a floor of 0.7 or more). Past ``budget``
        postings read, the lengths and bigrams not yet read are left out."""
        size = len(core)
        pool = array("i")
        if size < 3:  # only names with this very core can reach the floor
            return pool
        places = Counter(core[start : start + 2] for start in range(size - 1))
        lowest = max(2, math.ceil((floor - ROUNDING) * size))
        highest = math.floor(size / (floor - ROUNDING))
        for length in sorted(range(lowest, highest + 1), key=lambda n: (abs(n - size), n)):
            edits = math.floor((1 - floor + ROUNDING) * max(size, length))
            broken = 2 * edits - max(0, length - size)  # an insertion breaks one place
            covered = 0
            # Each list looked up once (a lookup of the large table reads memory no other
            # question shares), the rarest first.
            lists = [
                (self.sized.get((gram, length), EMPTY), count) for gram, count in places.items()
            ]
            for postings, count in sorted(lists, key=lambda found: len(found[0])):
                if covered > broken:
                    break
                if len(pool) + len(postings) > budget:
                    return pool
                pool += postings
                covered += count
        return pool

    def updated(self, units: dict[str, list[Entry]]) -> NameIndex:
        """A new index where each unit of ``units`` has the names given (all its names as the
        read models now hold them; none: the unit is gone), the others as here. Only the lists
        a changed name is on are copied; this index is left as it was."""
        index = NameIndex.__new__(NameIndex)
        index.entries = list(self.entries)
        index.cores = list(self.cores)
        index.postings = dict(self.postings)
        index.sized = dict(self.sized)
        index.by_norm = dict(self.by_norm)
        index.by_core = dict(self.by_core)
        index.by_unit = dict(self.by_unit)
        index.dead = self.dead
        copied: set[int] = set()  # the lists this index owns already (by identity)

        def own(table: dict[Key, list[int]], key: Key) -> list[int]:
            numbers = table.get(key)
            if numbers is None or id(numbers) not in copied:
                numbers = table[key] = [] if numbers is None else list(numbers)
                copied.add(id(numbers))
            return numbers

        def own_sized(key: tuple[str, int]) -> array[int]:
            numbers = index.sized.get(key)
            if numbers is None or id(numbers) not in copied:
                numbers = index.sized[key] = array("i", () if numbers is None else numbers)
                copied.add(id(numbers))
            return numbers

        for unit, entries in units.items():
            for number in index.by_unit.pop(unit, ()):
                old = cast(Entry, index.entries[number])  # a unit's numbers are live entries
                index.entries[number] = None
                index.dead += 1
                for gram in bigrams(old.name.core):
                    own(index.postings, gram).remove(number)
                    own_sized((gram, len(old.name.core))).remove(number)
                own(index.by_norm, old.name.norm).remove(number)
                own(index.by_core, old.name.core).remove(number)
            for entry in entries:
                number = len(index.entries)
                index.entries.append(entry)
                index.cores.append(entry.name.core)
                for gram in bigrams(entry.name.core):
                    own(index.postings, gram).append(number)
                    own_sized((gram, len(entry.name.core))).append(number)
                own(index.by_norm, entry.name.norm).append(number)
                own(index.by_core, entry.name.core).append(number)
                own(index.by_unit, unit).append(number)
        return index


_cache: weakref.WeakKeyDictionary[ReadStore, tuple[int, NameIndex]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
UPDATED_EVENTS = 20_000
"""Unit events since the index's position up to which it is updated, not rebuilt (a rebuild
reads every name again: seconds at 155,000 units; an update, the changed units' names)."""


def name_index(store: ReadStore) -> NameIndex:
    """The index of the read models as they stand: built on first use; once they have moved
    on, updated with the names of the units the events folded since then touched (rebuilt
    after more than :data:`UPDATED_EVENTS` unit events, when a fifth of its entries are
    replaced ones, or when the read models went back)."""
    position = _position(store)
    with _lock:
        cached = _cache.get(store)
        if cached is not None and cached[0] == position:
            return cached[1]
        index = None
        if cached is not None and cached[0] < position:
            index = updated_index(store, *cached)
        if index is None:
            index = NameIndex(index_entries(store))
        _cache[store] = (position, index)
        return index


def _position(store: ReadStore) -> int:
    """The log position of the last unit event the read models hold (-1: none): every unit
    event is a row of ``rm_history``, folded in log order; read before the names, so that an
    update from it misses nothing."""
    rows = store.query("SELECT MAX(position) FROM rm_history")
    return -1 if not rows or rows[0][0] is None else int(rows[0][0])


def updated_index(store: ReadStore, position: int, index: NameIndex) -> NameIndex | None:
    """``index`` (of the read models up to the unit event at log ``position``) updated with
    every unit an event after ``position`` touched; ``None`` where a rebuild is the better
    way."""
    events = store.query(  # by the position index (DISTINCT would scan by unit)
        "SELECT unit_id FROM rm_history WHERE position > ? ORDER BY position LIMIT ?",
        [position, UPDATED_EVENTS + 1],
    )
    touched = list(dict.fromkeys(unit for (unit,) in events))
    if len(events) > UPDATED_EVENTS or index.dead * 5 > len(index.entries):
        return None
    if not touched:  # events of no unit (authorities, rules, keys)
        return index
    names: dict[str, list[Entry]] = {unit: [] for unit in touched}
    for chunk in chunks(sorted(touched)):
        for entry in index_entries(store, chunk):
            names[entry.unit_id].append(entry)
    return index.updated(names)


def index_entries(store: ReadStore, units: Sequence[str] | None = None) -> list[Entry]:
    """Every name of every unit, or of ``units``."""
    where, params = "", list(units or ())
    if units is not None:
        where = f" AND s.unit_id IN ({store.placeholders(len(units))})"
    rows = store.query(
        "SELECT s.unit_id, s.text, s.norm, s.core, s.form, s.qualifier, u.kind, u.division, "  # noqa: S608
        "u.recorded_at, s.matched, u.name FROM rm_search s "
        f"JOIN rm_units u ON u.unit_id = s.unit_id WHERE s.kind = 'name'{where}",
        params,
    )
    # The few legal forms, qualifiers, kinds and divisions as one string each (not one per
    # row): a lookup scoring a bound's names reads the same few, not one apiece.
    return [
        Entry(
            unit,
            Name(text, norm, core, intern(form), intern(qualifier), False),
            intern(kind),
            intern(division),
            at,
            None if matched is None else intern(matched),
            called,
        )
        for unit, text, norm, core, form, qualifier, kind, division, at, matched, called in rows
    ]
