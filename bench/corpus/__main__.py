"""Fill a store with the corpus and print how fast it went.

python -m bench.corpus --events 10000 [--seed 2026] [--database URL | --cache]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from rich.progress import Progress

from bench.corpus.announcements import DEFAULT_SEED, DEFAULT_YEARS
from bench.corpus.store import cached_sqlite_store, populate, read_manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--years", type=int, default=DEFAULT_YEARS)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", help="an empty store (default: a temporary SQLite file)")
    where.add_argument("--cache", action="store_true", help="build the cached SQLite store")
    args = parser.parse_args(argv)
    with Progress() as bar, tempfile.TemporaryDirectory(prefix="greenreg-corpus-") as tmp:
        task = bar.add_task("populating", total=args.events)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        if args.cache:
            store = cached_sqlite_store(args.events, args.seed, args.years, progress)
            summary = read_manifest(store)
            summary.pop("unit_refs")
            summary["path"] = str(store)
        else:
            url = args.database or f"sqlite:///{Path(tmp) / 'corpus.db'}"
            summary = populate(url, args.events, args.seed, args.years, progress).summary()
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
