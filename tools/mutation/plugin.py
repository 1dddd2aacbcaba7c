"""A pytest plugin that writes each test's outcome and duration to a JSON file.

Loaded by the mutation driver with ``-p tools.mutation.plugin``; the file is named by the
``GREENREG_MUTATION_RESULTS`` environment variable. Each entry: node id → ``[outcome,
seconds]``, outcome ``passed``, ``failed`` (any phase failed) or ``skipped``; a module that
fails to collect is written as ``failed`` under its own node id.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

RESULTS = "GREENREG_MUTATION_RESULTS"
_results: dict[str, list[object]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    entry = _results.setdefault(report.nodeid, ["passed", 0.0])
    entry[1] = float(entry[1]) + report.duration  # type: ignore[arg-type]
    if report.failed:
        entry[0] = "failed"
    elif report.skipped and entry[0] == "passed":
        entry[0] = "skipped"


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _results[report.nodeid or "<collection>"] = ["failed", 0.0]


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get(RESULTS)
    if target:
        Path(target).write_text(json.dumps(_results), encoding="utf-8")
