"""A pytest plugin that runs the tests a JSON list names, and writes their outcomes.

Loaded by the mutation driver with ``-p tools.mutation.plugin``. ``GREENREG_MUTATION_SELECT``
names a JSON list of node ids: only those collected items run, in that order (node ids with a
``/`` or ``::`` in a parameter cannot be given on pytest's command line).
``GREENREG_MUTATION_RESULTS`` names the file written at the end: node id → ``[outcome,
seconds]``, outcome ``passed``, ``failed`` (any phase failed) or ``skipped``; a module that
fails to collect is written as ``failed`` under its own node id.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

RESULTS = "GREENREG_MUTATION_RESULTS"
SELECT = "GREENREG_MUTATION_SELECT"
_results: dict[str, list[object]] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    listed = os.environ.get(SELECT)
    if not listed:
        return
    order = {test: n for n, test in enumerate(json.loads(Path(listed).read_text("utf-8")))}
    kept = sorted((item for item in items if item.nodeid in order), key=lambda i: order[i.nodeid])
    config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in order])
    items[:] = kept


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
