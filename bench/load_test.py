"""A load test over HTTP on loopback: concurrent clients against ``greenreg serve``.

For each worker count (1 and 2), on PostgreSQL:

1. a fresh schema of ``greenreg_test`` is filled with the benchmark corpus (untimed; the same
   store serves both worker counts);
2. ``greenreg serve --host 127.0.0.1 --port <free port> --workers N`` starts, and the test waits
   (bounded) for ``/healthz``;
3. ``--clients`` asyncio clients (httpx) send requests until ``--requests`` have been sent or
   ``--seconds`` have passed, whichever comes first: a unit by credit code or id
   (``/api/v1/units/{ref}``, 80 %), its history (10 %), and a credit code that is in no list
   (10 %, where 404 is the right answer);
4. the server is stopped (its process group, which this test created).

Reports requests/s, latency p50/p99 and errors (a wrong status, a timeout, a refused connection).
Loopback only: the server listens on 127.0.0.1 and the clients call nothing else.

    python -m bench.load_test [--events 5000] [--clients 16] [--requests 4000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

from bench.corpus import populate
from bench.corpus.identities import credit_code
from bench.results_table import metric

POSTGRES_URL = os.environ.get(
    "GREENREG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/greenreg_test"
)
HOST = "127.0.0.1"
RESULTS = Path(__file__).resolve().parent / "results" / "load.json"
STARTUP_SECONDS = 90.0
REQUEST_TIMEOUT = 10.0


@contextmanager
def postgres_store(events: int) -> Iterator[tuple[str, list[str]]]:
    """A fresh schema holding the corpus; yields its URL and the registered units' refs."""
    schema = f"load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    url = f"{POSTGRES_URL}?schema={schema}"
    try:
        stats = populate(url, events)
        yield url, stats.unit_refs
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(url: str, workers: int, logs: Path, *options: str) -> Iterator[str]:
    """``greenreg serve`` (with ``options``) on a free loopback port until the block ends;
    yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from greenreg.cli import main; main()",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--database",
        url,
        *options,
    ]
    with (logs / f"serve-{workers}-{port}.log").open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and package)
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "GREENREG_QUOTAS": "off"},  # the registry's work, not its quotas
        )
        base = f"http://{HOST}:{port}"
        try:
            wait_until_healthy(base, server)
            yield base
        finally:
            stop(server)


def wait_until_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    started = time.monotonic()
    while time.monotonic() - started < STARTUP_SECONDS:
        if server.poll() is not None:
            raise RuntimeError(f"greenreg serve exited with {server.returncode} before serving")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"greenreg serve did not answer /healthz within {STARTUP_SECONDS:.0f} s")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers: its own process group, which we created."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def requests_for(refs: list[str], count: int, seed: int = 1) -> list[tuple[str, int]]:
    """(path, expected status) for ``count`` requests: known units, histories, unknown codes."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        draw = rng.random()
        if draw < 0.8:
            out.append((f"/api/v1/units/{rng.choice(refs)}", 200))
        elif draw < 0.9:
            out.append((f"/api/v1/units/{rng.choice(refs)}/history", 200))
        else:
            out.append((f"/api/v1/units/{credit_code('91', '110105', 99_000_000 + n)}", 404))
    return out


async def load(base: str, plan: list[tuple[str, int]], clients: int, seconds: float) -> Tally:
    """``clients`` concurrent clients work through ``plan`` until it is done or time is up."""
    tally = Tally()
    queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    deadline = time.monotonic() + seconds

    async def client(http: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            try:
                path, expected = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            tally.sent += 1
            started = time.perf_counter()
            try:
                response = await http.get(path)
            except httpx.TimeoutException:
                tally.error("timeout")
                continue
            except httpx.HTTPError as error:
                tally.error(type(error).__name__)
                continue
            tally.latencies.append(time.perf_counter() - started)
            if response.status_code != expected:
                tally.error(f"status {response.status_code}")

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return tally


def summary(tally: Tally, seconds: float) -> dict[str, Any]:
    ordered = sorted(tally.latencies)

    def pct(p: int) -> float | None:
        return (
            round(ordered[min(len(ordered) - 1, len(ordered) * p // 100)] * 1e3, 2)
            if ordered
            else None
        )

    return {
        "requests": tally.sent,
        "answered": len(ordered),
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(ordered) / seconds, 1) if seconds else 0.0,
        "p50_ms": pct(50),
        "p99_ms": pct(99),
        "errors": sum(tally.errors.values()),
        "errors_by_kind": tally.errors,
    }


def measure_all(
    events: int, clients: int, requests: int, seconds: float, workers: list[int]
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="greenreg-load-") as tmp,
        postgres_store(events) as (url, refs),
    ):
        plan = requests_for(refs, requests)
        for count in workers:
            with serving(url, count, Path(tmp)) as base:
                asyncio.run(load(base, plan[: min(50, len(plan))], min(clients, 4), 10))  # warm-up
                started = time.perf_counter()
                tally = asyncio.run(load(base, plan, clients, seconds))
                results[f"{count} worker{'s' if count > 1 else ''}"] = summary(
                    tally, time.perf_counter() - started
                )
            print(f"{count} worker(s): {results[list(results)[-1]]}", flush=True)
    return {
        "benchmark": "load",
        "events": events,
        "clients": clients,
        "requests": requests,
        "time_limit_s": seconds,
        "database": "postgresql",
        "results": results,
    }


def run(quick: bool) -> dict[str, Any]:
    """For ``python -m bench.run_all`` (quick: 1,000 events, 4 clients, 300 requests, 15 s)."""
    if quick:
        report = measure_all(1_000, 4, 300, 15.0, [1, 2])
    else:
        report = measure_all(5_000, 16, 4_000, 60.0, [1, 2])
    metrics = []
    for label, result in report["results"].items():
        metrics.append(
            metric(
                f"HTTP load, {label}, {report['clients']} clients, PostgreSQL",
                result["requests_per_s"],
                "requests/s",
            )
        )
        metrics.append(
            metric(
                f"HTTP load latency p50 / p99, {label}",
                result["p50_ms"] or 0.0,
                f"ms p50 / {result['p99_ms']} ms p99",
            )
        )
        metrics.append(
            metric(
                f"HTTP load errors, {label}",
                result["errors"],
                f"of {result['requests']} requests",
                target="0",
                met=result["errors"] == 0,
            )
        )
    return {"benchmark": "load", "metrics": metrics, "details": report}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5_000, help="corpus size in the store")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=4_000, help="at most this many requests")
    parser.add_argument("--seconds", type=float, default=60.0, help="at most this long, per run")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    args = parser.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",")]
    report = measure_all(args.events, args.clients, args.requests, args.seconds, workers)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report["results"], indent=2))


if __name__ == "__main__":
    main()
