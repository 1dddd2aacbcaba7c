"""Command line of the mutation driver; see the package docstring (``tools/mutation``)."""

from __future__ import annotations

import argparse
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Queue

from tools.mutation.coverage_map import TestMap, load_or_collect
from tools.mutation.mutants import Mutant, mutants_of
from tools.mutation.report import Run, write
from tools.mutation.runner import Outcome, Sandbox

ROOT = Path(__file__).resolve().parents[2]
TARGETS = (
    "src/greenreg/registry/rulebooks/*.py",
    "src/greenreg/registry/periods.py",
    "src/greenreg/registry/unit.py",
    "src/greenreg/projections/certifications.py",
    "src/greenreg/projections/bank_check.py",
)
SELECTION = 'tests -k "not postgres"'
STARTUP_SECONDS = 60.0
SLOWDOWN = 3.0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    patterns = args.target or list(TARGETS)
    targets = sorted({path for pattern in patterns for path in ROOT.glob(pattern)})
    population = [m for path in targets for m in mutants_of(path, ROOT)]
    population = [m for m in population if all(f in m.id for f in args.only)]
    chosen = _choose(population, args)
    if args.list:
        for mutant in chosen:
            print(f"{mutant.id}\t{mutant.original!r} -> {mutant.mutated!r}")
        print(f"{len(chosen)} of {len(population)} mutants", file=sys.stderr)
        return 0
    selection = shlex.split(args.tests)
    with tempfile.TemporaryDirectory(prefix="greenreg-mutation-") as work:
        workdir = Path(work)
        testmap = load_or_collect(
            ROOT, selection, workdir, fresh=args.recollect, stale_ok=args.reuse_coverage
        )
        load_before = os.getloadavg()
        started = time.monotonic()
        results = _run_all(chosen, testmap, workdir, args)
        wall = time.monotonic() - started
    run = Run(
        commit=_commit(),
        selection=selection,
        population=len(population),
        seed=None if args.all else args.seed,
        jobs=args.jobs,
        wall_seconds=round(wall, 1),
        coverage_seconds=round(testmap.seconds, 1),
        load_before=load_before,
        load_after=os.getloadavg(),
        failing_tests=testmap.failing,
    )
    write(args.out, run, results)
    print(f"report written to {args.out}", file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--sample", type=int, default=120, help="mutants drawn (default 120)")
    group.add_argument("--all", action="store_true", help="every mutant")
    parser.add_argument("--seed", type=int, default=19, help="seed of the sample (default 19)")
    parser.add_argument("--jobs", type=int, choices=(1, 2), default=1, help="processes")
    parser.add_argument("--timeout", type=float, help="seconds per mutant (default: scaled)")
    parser.add_argument(
        "--target", action="append", help="glob of files to mutate (repeatable)", default=None
    )
    parser.add_argument(
        "--only", action="append", default=[], help="keep mutants whose id contains this"
    )
    parser.add_argument("--tests", default=SELECTION, help=f"pytest selection ({SELECTION})")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "mutation")
    parser.add_argument("--recollect", action="store_true", help="redo the coverage map")
    parser.add_argument(
        "--reuse-coverage",
        action="store_true",
        help="keep the cached coverage map though a file changed since (see coverage_map)",
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    return parser


def _choose(population: list[Mutant], args: argparse.Namespace) -> list[Mutant]:
    if args.all or args.sample >= len(population):
        return population
    drawn = random.Random(args.seed).sample(population, args.sample)  # noqa: S311
    order = {mutant.id: index for index, mutant in enumerate(population)}
    return sorted(drawn, key=lambda mutant: order[mutant.id])


def _run_all(
    chosen: list[Mutant], testmap: TestMap, workdir: Path, args: argparse.Namespace
) -> list[tuple[Mutant, Outcome]]:
    sandboxes: Queue[Sandbox] = Queue()
    for index in range(args.jobs):
        sandbox = Sandbox(ROOT, workdir / f"sandbox-{index}")
        used = sandbox.imported_from()
        if not used.startswith(str(sandbox.src)):
            raise SystemExit(f"the sandbox imports greenreg from {used}, not from its copy")
        sandboxes.put(sandbox)
    done: list[int] = []

    def one(mutant: Mutant) -> Outcome:
        tests = testmap.tests_for(mutant, ROOT)
        timeout = args.timeout or STARTUP_SECONDS + SLOWDOWN * sum(
            testmap.durations.get(test, 0.0) for test in tests
        )
        sandbox = sandboxes.get()
        try:
            outcome = sandbox.run(mutant, tests, timeout)
        finally:
            sandboxes.put(sandbox)
        done.append(1)
        by = f" by {outcome.killed_by}" if outcome.killed_by else ""
        print(
            f"[{len(done)}/{len(chosen)}] {outcome.status:9} {outcome.seconds:6.1f}s "
            f"{outcome.tests:4} tests  {mutant.id}{by}",
            file=sys.stderr,
            flush=True,
        )
        return outcome

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(one, chosen))
    return list(zip(chosen, outcomes, strict=True))


def _commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


if __name__ == "__main__":
    sys.exit(main())
