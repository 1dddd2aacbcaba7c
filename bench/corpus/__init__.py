"""The benchmark corpus: a registry that looks like the real one, deterministic for a seed.

Units (enterprises with valid credit codes, parks with or without one, all in real GB/T 2260
divisions) live ten years of realistic lives across every programme; every act is signed by the
issuing authority's own key (keys rotate every four years) and accepted by the registry.

    from bench.corpus import corpus, populate, cached_sqlite_store
    for announcement in corpus(events=10_000, seed=2026): ...   # signed acts, in order
    stats = populate("sqlite:///corpus.db", events=10_000)      # one batch per announcement
    path = cached_sqlite_store(100_000)                          # built once, under bench/results

``python -m bench.corpus --events 10000 [--database URL]`` fills a store and prints its figures.
"""

from bench.corpus.announcements import (
    DEFAULT_SEED,
    DEFAULT_YEARS,
    Announcement,
    corpus,
    generate,
    keyring,
    units_for,
)
from bench.corpus.identities import Identity
from bench.corpus.store import Stats, cached_sqlite_store, populate, read_manifest

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_YEARS",
    "Announcement",
    "Identity",
    "Stats",
    "cached_sqlite_store",
    "corpus",
    "generate",
    "keyring",
    "populate",
    "read_manifest",
    "units_for",
]
