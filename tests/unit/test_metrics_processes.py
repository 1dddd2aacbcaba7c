"""Metrics of several processes: prometheus-client must count in files from the start."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenreg.api.metrics import MULTIPROCESS_DIR, multiprocess_dir


def test_a_metrics_folder_set_after_prometheus_client_loaded_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """This process loaded prometheus-client without the variable: its metrics live in memory,
    so a folder named now would be read by scrapes but never written (sums short by this
    process)."""
    monkeypatch.setenv(MULTIPROCESS_DIR, str(tmp_path))

    with pytest.raises(RuntimeError, match="set it before the process starts"):
        multiprocess_dir()


def test_without_the_variable_metrics_stay_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROCESS_DIR, raising=False)

    assert multiprocess_dir() is None
