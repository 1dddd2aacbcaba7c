"""Which tests run which line of greenreg: one coverage run with a context per test.

The selected tests (by default the SQLite half of the suite) run once under pytest-cov with
``--cov-context=test``, measuring the whole ``greenreg`` package. The map is cached in
``.mutation/coverage.json`` and collected again when a source or test file changes.

A mutant in a function body is given the tests that ran its lines. Code in a module or class
body runs once, at import, before any test starts, so no test is credited with it; such a
mutant is given the tests that ran a line reading the names its statement binds (see
:mod:`~tools.mutation.references`), or, when it binds none, every test that ran a line in the
mutated file's folder (or below it).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from coverage import CoverageData

from tools.mutation.mutants import Mutant
from tools.mutation.plugin import RESULTS
from tools.mutation.references import reading_lines

CACHE = Path(".mutation") / "coverage.json"


@dataclass(frozen=True)
class TestMap:
    """The tests of one coverage run: durations of those that passed, those that failed, and
    for each target file (relative path) the passing tests that ran each line."""

    fingerprint: str
    durations: dict[str, float]
    failing: list[str]
    lines: dict[str, dict[int, list[str]]]
    seconds: float

    def tests_for(self, mutant: Mutant, root: Path) -> list[str]:
        """The tests to run against ``mutant``, quickest first."""
        chosen: set[str] = set()
        if mutant.in_function:
            by_line = self.lines.get(mutant.path, {})
            for line in range(mutant.scope[0], mutant.scope[1] + 1):
                chosen.update(by_line.get(line, ()))
        elif mutant.names:
            for path, lines in reading_lines(root, mutant.names).items():
                by_line = self.lines.get(path, {})
                for line in lines:
                    chosen.update(by_line.get(line, ()))
        else:
            folder = mutant.path.rpartition("/")[0] + "/"
            for path, by_line in self.lines.items():
                if path.startswith(folder):
                    for tests in by_line.values():
                        chosen.update(tests)
        return self._ordered(chosen)

    def _ordered(self, tests: set[str]) -> list[str]:
        """Quickest first, a file's tests together (its module fixtures are set up once):
        files by their quickest test, then each file's tests by duration."""
        quickest: dict[str, float] = {}
        for test in tests:
            module = test.partition("::")[0]
            seconds = self.durations.get(test, 0.0)
            quickest[module] = min(seconds, quickest.get(module, seconds))

        def key(test: str) -> tuple[float, str, float, str]:
            module = test.partition("::")[0]
            return (quickest[module], module, self.durations.get(test, 0.0), test)

        return sorted(tests, key=key)


def fingerprint(root: Path, selection: list[str]) -> str:
    """A digest of every Python file under src/ and tests/, and of the selection."""
    digest = hashlib.sha256(json.dumps(selection).encode())
    for folder in ("src", "tests"):
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_or_collect(
    root: Path,
    selection: list[str],
    workdir: Path,
    *,
    fresh: bool,
    stale_ok: bool = False,
) -> TestMap:
    """The cached map when it is still current (and not ``fresh``), else a new coverage run.

    ``stale_ok`` keeps a cached map made before a change: right only when the change runs no
    target (a new test of something else); a new test of a target would never be chosen.
    """
    cache = root / CACHE
    current = fingerprint(root, selection)
    if cache.exists() and not fresh:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored["fingerprint"] == current:
            return _from_json(stored)
        if stale_ok:
            print("using a coverage map made before the last change", file=sys.stderr)
            return _from_json(stored)
    testmap = collect(root, selection, workdir, current)
    cache.parent.mkdir(exist_ok=True)
    cache.write_text(json.dumps(_to_json(testmap)), encoding="utf-8")
    return testmap


def collect(root: Path, selection: list[str], workdir: Path, digest: str) -> TestMap:
    """Run the selection once under coverage, with one context per test."""
    data_file = workdir / "coverage.data"
    rc = workdir / "coveragerc"
    rc.write_text(f"[run]\ndata_file = {data_file}\nsource_pkgs = greenreg\n", encoding="utf-8")
    results = workdir / "coverage-tests.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "tools.mutation.plugin",
        "--cov",
        f"--cov-config={rc}",
        "--cov-context=test",
        "--cov-report=",
        f"--basetemp={workdir / 'coverage-tmp'}",
        *selection,
    ]
    print("collecting coverage per test:", " ".join(command[3:]), file=sys.stderr)
    environment = {**os.environ, RESULTS: str(results)}
    started = time.monotonic()
    subprocess.run(command, cwd=root, env=environment, check=False)  # noqa: S603
    seconds = time.monotonic() - started
    outcomes: dict[str, list[object]] = json.loads(results.read_text(encoding="utf-8"))
    durations = {
        test: float(seconds_)  # type: ignore[arg-type]
        for test, (outcome, seconds_) in outcomes.items()
        if outcome == "passed"
    }
    failing = sorted(test for test, (outcome, _) in outcomes.items() if outcome == "failed")
    data = CoverageData(basename=str(data_file))
    data.read()
    lines: dict[str, dict[int, list[str]]] = {}
    for measured in data.measured_files():
        relative = Path(measured).resolve().relative_to(root.resolve()).as_posix()
        by_line: dict[int, list[str]] = {}
        for line, contexts in data.contexts_by_lineno(measured).items():
            tests = {context.rpartition("|")[0] for context in contexts if "|" in context}
            passing = sorted(test for test in tests if test in durations)
            if passing:
                by_line[line] = passing
        lines[relative] = by_line
    return TestMap(digest, durations, failing, lines, seconds)


def _to_json(testmap: TestMap) -> dict[str, object]:
    return {
        "fingerprint": testmap.fingerprint,
        "durations": testmap.durations,
        "failing": testmap.failing,
        "lines": {path: {str(k): v for k, v in by.items()} for path, by in testmap.lines.items()},
        "seconds": testmap.seconds,
    }


def _from_json(stored: dict[str, object]) -> TestMap:
    lines: dict[str, dict[str, list[str]]] = stored["lines"]  # type: ignore[assignment]
    return TestMap(
        fingerprint=str(stored["fingerprint"]),
        durations=dict(stored["durations"]),  # type: ignore[call-overload]
        failing=list(stored["failing"]),  # type: ignore[call-overload]
        lines={path: {int(k): v for k, v in by.items()} for path, by in lines.items()},
        seconds=float(stored["seconds"]),  # type: ignore[arg-type]
    )
