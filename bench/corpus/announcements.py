"""From planned lives to signed announcements, in the order the registry records them.

An :class:`Announcement` is what one authority published on one day (or one batch of reports or
notices it received), as the list of signed acts it submits in one ``submit_batch``, with the
moment the registry records it. Signing is deterministic: keys come from the seed, act ids from
the simulation, ``signed_at`` from the announcement's day, and Ed25519 signatures are
deterministic, so a seed always gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.corpus.authorities import ADOPTIONS, AUTHORITIES, Keyring, at_start, rotation_days
from bench.corpus.lives import plans

DEFAULT_SEED = 2026
DEFAULT_YEARS = 10
LAST_YEAR = 2025  # the corpus ends before the test clock's day (2026-11-21)
SIGNED_BEFORE_RECORDED = timedelta(minutes=30)
LARGEST_BATCH = 2_000  # a longer list is published as several annexes, one batch each


@dataclass(frozen=True)
class Announcement:
    """One authority's acts published together, submitted as one batch."""

    title: str
    authority: str
    recorded_at: datetime  # what the registry's clock says when it records the batch
    acts: list[dict[str, Any]]

    def __len__(self) -> int:
        return len(self.acts)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.acts)


def founded_at(years: int = DEFAULT_YEARS, last_year: int = LAST_YEAR) -> datetime:
    return datetime(last_year - years, 12, 1, 2, tzinfo=UTC)


def keyring(
    seed: int = DEFAULT_SEED, years: int = DEFAULT_YEARS, last_year: int = LAST_YEAR
) -> Keyring:
    """Every key that signs the corpus of ``seed`` (the root public key is the trust anchor)."""
    first_year = last_year - years + 1
    return Keyring(seed, founded_at(years, last_year), rotation_days(first_year, last_year))


def generate(
    seed: int = DEFAULT_SEED,
    units: int = 1_000,
    years: int = DEFAULT_YEARS,
    *,
    last_year: int = LAST_YEAR,
) -> Iterator[Announcement]:
    """The whole corpus: the founding, then every announcement of ``units`` units over
    ``years`` years ending with ``last_year``, in recording order."""
    first_year = last_year - years + 1
    keys = keyring(seed, years, last_year)
    founded = keys.founded
    yield Announcement(
        "registry founded, authorities registered",
        "root",
        founded,
        keys.founding_acts(founded - SIGNED_BEFORE_RECORDED),
    )
    rotations = {
        day.year: (generation, day) for generation, day in enumerate(keys.rotations, start=1)
    }
    for year, year_plans in enumerate(plans(seed, units, first_year, years), start=first_year):
        if year in rotations:
            generation, day = rotations[year]
            recorded = at_start(day) + timedelta(hours=1)
            yield Announcement(
                f"key rotation #{generation}",
                "root",
                recorded,
                keys.rotation_acts(generation, recorded - SIGNED_BEFORE_RECORDED),
            )
        sequence: dict[Any, int] = {}
        for plan in year_plans:
            if not plan.drafts:
                continue
            for part, start in enumerate(range(0, len(plan.drafts), LARGEST_BATCH), start=1):
                drafts = plan.drafts[start : start + LARGEST_BATCH]
                n = sequence[plan.day] = sequence.get(plan.day, -1) + 1
                recorded = at_start(plan.day) + timedelta(hours=2, seconds=n)
                signed_at = recorded - SIGNED_BEFORE_RECORDED
                issuer = keys.issuer(plan.authority, signed_at)
                acts = [
                    issuer.act(
                        d.act_type,
                        effective_date=d.effective,
                        document=d.document,
                        act_id=d.act_id,
                        signed_at=signed_at,
                        **d.fields,
                    )
                    for d in drafts
                ]
                title = (
                    plan.title
                    if len(plan.drafts) <= LARGEST_BATCH
                    else f"{plan.title}, annex {part}"
                )
                yield Announcement(title, plan.authority, recorded, acts)


def fixed_acts(years: int = DEFAULT_YEARS, last_year: int = LAST_YEAR) -> int:
    """Acts that do not depend on the number of units: the founding, the rule adoptions and
    the key rotations."""
    rotations = len(rotation_days(last_year - years + 1, last_year))
    return 1 + 2 * len(AUTHORITIES) + len(ADOPTIONS) + rotations * len(AUTHORITIES)


def count_acts(seed: int, units: int, years: int, last_year: int = LAST_YEAR) -> int:
    """How many acts ``generate`` would yield, without signing any (a dry run)."""
    first_year = last_year - years + 1
    planned = sum(len(p.drafts) for year in plans(seed, units, first_year, years) for p in year)
    return fixed_acts(years, last_year) + planned


def units_for(
    events: int, seed: int = DEFAULT_SEED, years: int = DEFAULT_YEARS, last_year: int = LAST_YEAR
) -> int:
    """The fewest units (within 2 %) whose corpus has at least ``events`` events (one per act),
    found by dry runs, so a corpus of a given size covers all its years."""
    sample = 2_000
    rate = (count_acts(seed, sample, years, last_year) - fixed_acts(years, last_year)) / sample
    units = max(1, math.ceil((events - fixed_acts(years, last_year)) / rate))
    while (found := count_acts(seed, units, years, last_year)) < events:
        units = math.ceil(units * max(1.02, events / found))
    return units


def corpus(
    events: int, seed: int = DEFAULT_SEED, years: int = DEFAULT_YEARS, last_year: int = LAST_YEAR
) -> Iterator[Announcement]:
    """Exactly ``events`` events' worth of announcements (the last one cut short if needed)."""
    remaining = events
    for announcement in generate(
        seed, units_for(events, seed, years, last_year), years, last_year=last_year
    ):
        if remaining <= 0:
            return
        if len(announcement) > remaining:
            yield replace(announcement, acts=announcement.acts[:remaining])
            return
        remaining -= len(announcement)
        yield announcement
