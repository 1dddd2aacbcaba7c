"""Running the tests against one mutant, in a copy of ``src/`` (the work tree is never edited).

Each worker owns a sandbox: a copy of ``src/`` put first on ``PYTHONPATH``, so ``import
greenreg`` loads the copy rather than the editable install. A mutant is written into the copy,
its compiled ``.pyc`` removed (a same-size edit in the same second would otherwise reuse the old
bytecode), the chosen tests run with ``-x`` from the repository (so the tests and pytest's
settings are the real ones; their files are collected and the plugin keeps only them), and the
file is put back.

Outcomes: ``killed`` (a test failed or a module failed to import), ``timeout`` (the tests ran
past the time allowed: a hang, counted as killed), ``survived`` (every test passed),
``uncovered`` (no test runs the mutated line; counted as survived) and ``error`` (pytest could
not run the tests at all: a problem of the driver, not of the mutant, counted in neither).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tools.mutation.mutants import Mutant
from tools.mutation.plugin import RESULTS, SELECT

KILLED, TIMEOUT, SURVIVED, UNCOVERED, ERROR = "killed", "timeout", "survived", "uncovered", "error"


@dataclass(frozen=True)
class Outcome:
    status: str
    killed_by: str | None
    seconds: float
    tests: int
    detail: str = ""


class Sandbox:
    """A private copy of ``src/`` in which one mutant at a time is tested."""

    def __init__(self, root: Path, folder: Path) -> None:
        self.root = root
        self.folder = folder
        self.src = folder / "src"
        shutil.copytree(root / "src", self.src, ignore=shutil.ignore_patterns("__pycache__"))
        self.environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(self.src), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            RESULTS: str(folder / "results.json"),
            SELECT: str(folder / "selected.json"),
        }

    def imported_from(self) -> str:
        """Where ``greenreg`` is imported from in this sandbox (a check that the copy is used)."""
        probe = [sys.executable, "-c", "import greenreg; print(greenreg.__file__)"]
        found = subprocess.run(  # noqa: S603
            probe, cwd=self.root, env=self.environment, capture_output=True, text=True, check=True
        )
        return found.stdout.strip()

    def run(self, mutant: Mutant, tests: list[str], timeout: float) -> Outcome:
        if not tests:
            return Outcome(UNCOVERED, None, 0.0, 0)
        target = self.src / Path(mutant.path).relative_to("src")
        original = target.read_bytes()
        target.write_bytes(mutant.apply(original))
        _forget_bytecode(target)
        try:
            return self._pytest(tests, timeout)
        finally:
            target.write_bytes(original)
            _forget_bytecode(target)

    def _pytest(self, tests: list[str], timeout: float) -> Outcome:
        results = self.folder / "results.json"
        results.unlink(missing_ok=True)
        log = self.folder / "pytest.log"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-x",
            "-q",
            "--no-header",
            "-p",
            "no:cacheprovider",
            "-p",
            "tools.mutation.plugin",
            f"--basetemp={self.folder / 'tmp'}",
            *dict.fromkeys(test.partition("::")[0] for test in tests),
        ]
        selected = self.folder / "selected.json"
        selected.write_text(json.dumps(tests), encoding="utf-8")
        started = time.monotonic()
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603
                command,
                cwd=self.root,
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return Outcome(TIMEOUT, None, time.monotonic() - started, len(tests))
        seconds = time.monotonic() - started
        outcomes: dict[str, list[object]] = {}
        if results.exists():
            outcomes = json.loads(results.read_text(encoding="utf-8"))
        failed = [test for test, (outcome, _) in outcomes.items() if outcome == "failed"]
        ran = len(outcomes)
        if failed:
            return Outcome(KILLED, failed[0], seconds, ran)
        if code == 0:
            return Outcome(SURVIVED, None, seconds, ran)
        text = log.read_text(encoding="utf-8", errors="replace")
        if "while loading conftest" in text:  # the mutated module broke the tests' imports
            return Outcome(KILLED, "tests/conftest.py (import)", seconds, ran)
        tail = text[-2000:]
        return Outcome(ERROR, None, seconds, ran, f"pytest exit code {code}: {tail}")


def _forget_bytecode(source: Path) -> None:
    for compiled in (source.parent / "__pycache__").glob(f"{source.stem}.*.pyc"):
        compiled.unlink(missing_ok=True)
