"""Run every benchmark, print one table with each target met or not, write the JSON.

    python -m bench.run_all [--quick] [--only append,verify] [--timeout 3600]

Each benchmark module (``bench/bench_<name>.py``, and ``bench/load_test.py``) exposes
``run(quick: bool) -> dict`` (see :mod:`bench.results_table`). Each runs in its own process, one
after the other, so its peak memory (max RSS of that process; a PostgreSQL server's own memory is
not included) is measured and one benchmark cannot disturb the next. A module that is not there
yet is reported as "not yet available". Results go to ``bench/results/latest.json`` and, as a
Markdown table for the README, ``bench/results/latest.md``. ``--quick`` runs small sizes and one
repetition: a smoke test of the whole chain, not figures to quote.

The scale curve: a module whose ``run`` also takes ``events`` (a corpus size) is run at each of
:data:`SCALE_SIZES` instead of once at its own size (``--scale``; on by default in a full run),
as ``name@size`` rows; the largest is the full size its targets are judged at.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.results_table import markdown, table

BENCHMARKS = {
    "append": "bench.bench_append",
    "batches": "bench.bench_batches",
    "projections": "bench.bench_projections",
    "verify": "bench.bench_verify",
    "since": "bench.bench_since",
    "api": "bench.bench_api",
    "reads": "bench.bench_reads",
    "webhooks": "bench.bench_webhooks",
    "match": "bench.bench_match",
    "load": "bench.load_test",
    "jobs": "bench.bench_jobs",
    "replicas": "bench.bench_replicas",
}
SCALE_SIZES = (10_000, 100_000, 1_000_000)
RESULTS = Path(__file__).resolve().parent / "results"
POLL_SECONDS = 0.5


def run_child(module: str, quick: bool, out: Path, events: int | None) -> None:
    """In the child process: run one benchmark and write its result as JSON."""
    run = importlib.import_module(module).run
    result = run(quick) if events is None else run(quick, events=events)
    out.write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")


def scalable(module: str) -> bool:
    """Whether the module's ``run`` takes a corpus size (``events``)."""
    if importlib.util.find_spec(module) is None:
        return False
    run = getattr(importlib.import_module(module), "run", None)
    return run is not None and "events" in inspect.signature(run).parameters


def run_one(
    name: str,
    module: str,
    quick: bool,
    timeout: float,
    console: Console,
    *,
    events: int | None = None,
) -> dict[str, Any]:
    """Run one benchmark in a child process; its result, status, duration and peak memory."""
    if importlib.util.find_spec(module) is None:
        return {"status": "not yet available"}
    if not hasattr(importlib.import_module(module), "run"):
        return {"status": "no run(quick) yet"}
    with tempfile.TemporaryDirectory(prefix="greenreg-bench-") as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "bench.run_all", "--child", module, "--out", str(out)]
        command += ["--quick"] if quick else []
        command += ["--events", str(events)] if events is not None else []
        console.log(f"{name}: running {module}{' (quick)' if quick else ''}")
        started = time.monotonic()
        child = subprocess.Popen(command)  # noqa: S603 (our own interpreter and module)
        status, rusage = 0, None
        while True:
            pid, status, rusage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                child.kill()
                _, status, rusage = os.wait4(child.pid, 0)
                break
            time.sleep(POLL_SECONDS)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        seconds = round(time.monotonic() - started, 1)
        peak = round(rusage.ru_maxrss / 1024, 1)  # Linux reports KiB
        if time.monotonic() - started > timeout and not out.exists():
            return {
                "status": f"timed out after {timeout:.0f} s",
                "seconds": seconds,
                "peak_rss_mb": peak,
            }
        if child.returncode != 0 or not out.exists():
            return {
                "status": f"failed (exit {child.returncode})",
                "seconds": seconds,
                "peak_rss_mb": peak,
            }
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return {"status": "ok", "seconds": seconds, "peak_rss_mb": peak, **result}


def environment() -> dict[str, Any]:
    """The machine the figures come from."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gb = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory_gb = round(total_kb / 1024 / 1024, 1)
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        **{p: version(p) for p in ("eventsourcing", "cryptography", "psycopg", "fastapi")},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition")
    parser.add_argument("--only", help=f"comma-separated, from: {', '.join(BENCHMARKS)}")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds per benchmark (default 600 quick, 5400 full)",
    )
    parser.add_argument(
        "--scale",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also run scalable benchmarks at 10k, 100k and 1M events (default: full runs only)",
    )
    parser.add_argument("--events", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child, args.quick, args.out, args.events)
        return
    chosen = [n.strip() for n in args.only.split(",")] if args.only else list(BENCHMARKS)
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; known: {', '.join(BENCHMARKS)}")
    timeout = args.timeout or (600.0 if args.quick else 5400.0)

    console = Console(log_path=False)
    if not console.is_terminal:
        console.width = 160
    report: dict[str, Any] = {
        "command": " ".join(["python -m bench.run_all", *sys.argv[1:]]),
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "environment": environment(),
        "benchmarks": {},
    }
    scale = args.scale if args.scale is not None else not args.quick
    runs: list[tuple[str, str, int | None]] = []
    for name in chosen:
        module = BENCHMARKS[name]
        if scale and scalable(module):  # its full size is the curve's last point
            runs += [(f"{name}@{size:,}", module, size) for size in SCALE_SIZES]
        else:
            runs.append((name, module, None))
    for name, module, events in runs:
        result = run_one(name, module, args.quick, timeout, console, events=events)
        report["benchmarks"][name] = result
        console.log(f"{name}: {result['status']}")
    console.print(table(report))
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.json"
    latest.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    env = report["environment"]
    (RESULTS / "latest.md").write_text(
        f"{'Quick' if args.quick else 'Full'} run recorded {report['recorded_at']} on "
        f"{env['cpu']}, {env['cores']} cores, {env['memory_gb']} GB, {env['platform']}, "
        f"Python {env['python']}: `{report['command']}`\n\n" + markdown(report),
        encoding="utf-8",
    )
    console.log(f"wrote {latest} and latest.md")


if __name__ == "__main__":
    main()
