"""``greenreg serve`` and ``greenreg verify`` as child processes, for crash tests."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.server import free_port

STARTUP_SECONDS = 180.0
SECONDS = 60.0


def greenreg(*args: str) -> list[str]:
    return [sys.executable, "-m", "greenreg", *args]


def serve_command(url: str, keys: Path, port: int, *options: str) -> list[str]:
    return greenreg("serve", "--port", str(port), "--keys", str(keys), "--database", url, *options)


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENREG_")}
    return env | extra


def killed_at(step: str, url: str, keys: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``greenreg serve`` until it kills itself (SIGKILL) at the first-run ``step``."""
    return subprocess.run(
        serve_command(url, keys, free_port()),
        cwd=cwd,
        env=environment(GREENREG_FIRST_RUN_STOP_AT=step),
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        check=False,
    )


@contextmanager
def serving(
    url: str, keys: Path, cwd: Path, *options: str
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``greenreg serve`` (with ``options``) in a child process until the block ends; yields
    its base URL."""
    port = free_port()
    log = (cwd / f"serve-{port}.log").open("w")
    child = subprocess.Popen(
        serve_command(url, keys, port, *options),
        cwd=cwd,
        env=environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"greenreg serve exited: {Path(log.name).read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("greenreg serve did not start")
            time.sleep(0.2)
        yield base, child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        log.close()


def listed_counts(base: str) -> dict[str, int]:
    """How many units each national list serves (the CSV has every unit of the list)."""
    counts = {}
    for programme in ("green_park", "green_factory", "green_supply_chain"):
        answer = httpx.get(f"{base}/api/v1/lists/{programme}?format=csv", timeout=60)
        assert answer.status_code == 200, answer.text
        counts[programme] = len(list(csv.DictReader(io.StringIO(answer.text))))
    return counts


def verify(url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        greenreg("verify", "--database", url),
        cwd=cwd,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        check=False,
    )


def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {SECONDS:.0f} s: {what}")
        time.sleep(0.2)


@contextmanager
def projection_worker(url: str, cwd: Path, base: str) -> Iterator[subprocess.Popen[str]]:
    """``greenreg project --follow`` with its metrics at ``base``, until the block ends."""
    port = base.rsplit(":", 1)[1]
    log = (cwd / f"project-{time.monotonic_ns()}.log").open("w")
    child = subprocess.Popen(
        greenreg("project", "--follow", "--interval", "0.2", "--database", url,
                 "--metrics-port", port),
        cwd=cwd, env=environment(COLUMNS="200"), stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        eventually(lambda: _answers(base, child), "the projection worker serves metrics")
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        log.close()


def _answers(base: str, child: subprocess.Popen[str]) -> bool:
    assert child.poll() is None, "the projection worker exited"
    try:
        return httpx.get(f"{base}/metrics", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def samples(base: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """One scrape of ``base/metrics``: each sample's value by name and labels."""
    answer = httpx.get(f"{base}/metrics", timeout=30)
    assert answer.status_code == 200, answer.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(
    scrape: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return scrape.get((name, frozenset(labels.items())), 0.0)


def serving_pids(base: str) -> set[int]:
    """The workers that ``/metrics`` says are serving (``greenreg_api_workers{pid=...}``)."""
    return {
        int(dict(labels)["pid"])
        for (name, labels), number in samples(base).items()
        if name == "greenreg_api_workers" and number == 1
    }
