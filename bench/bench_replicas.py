"""Read throughput with one PostgreSQL primary against primary + hot standby, 1 and 2 workers.

The benchmark starts its own PostgreSQL primary and a streaming standby of it (initdb and
pg_basebackup on free loopback ports, in temporary folders, as the integration tests do:
``tests/integration/postgres_cluster.py``), fills the primary with the benchmark corpus
(``bench.corpus.populate``, ``--events``, untimed) and waits until the standby has replayed
all of it. Then, for each configuration

- primary only, ``greenreg serve --workers 1``;
- primary only, ``--workers 2``;
- primary + standby, ``--workers 1 --read-database STANDBY``;
- primary + standby, ``--workers 2 --read-database STANDBY``;

``greenreg serve`` starts on a free loopback port (quotas off: the registry's work, not its
quotas) and ``--clients`` concurrent asyncio clients (httpx, one process) send reads for
``--seconds``: a unit by credit code or id (``GET /api/v1/units/{ref}``, 60 %), a lookup by a
part of a unit's name (``GET /api/v1/lookup?q=...``, 20 %) and a small GraphQL query of a unit
(``POST /graphql``, 20 %). No ``If-None-Match`` is sent: every answer is computed and
written, none is a 304. Every request must answer 200; in the standby configurations every
answer must say ``Greenreg-Read-From: standby`` (counted and reported, with the errors).

Reports requests/s, p50 and p99 per configuration and each configuration's ratios to "primary
only, 1 worker" of the same run: each configuration runs ``--rounds`` times, in turn (every
other round in reverse order); requests/s is the median of its rounds, p50 and p99 are over
every answer of its rounds. The load average is recorded before and after.

Loopback and bounded: both servers, the API workers and the clients share this machine's
cores, so on a small machine the ratios show the cost of routing a read (the standby's replay
position is asked before each read) and of the workers' contention, not scale-out across
machines.

    python -m bench.bench_replicas [--events 5000] [--clients 8] [--seconds 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from tests.integration.postgres_cluster import Cluster

from bench.corpus import populate
from bench.load_test import REQUEST_TIMEOUT, serving
from bench.results_table import Metric, metric

RESULTS = Path(__file__).resolve().parent / "results" / "replicas.json"
CATCH_UP_SECONDS = 120.0
UNIT_QUERY = "query U($id: ID!) { unit(id: $id) { id unitId name creditCode } }"
CONFIGURATIONS = (
    ("primary only, 1 worker", 1, False),
    ("primary only, 2 workers", 2, False),
    ("primary + standby, 1 worker", 1, True),
    ("primary + standby, 2 workers", 2, True),
)
BASELINE = CONFIGURATIONS[0][0]


@dataclass
class Request:
    method: str
    path: str
    body: dict[str, Any] | None = None


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    read_from: Counter[str] = field(default_factory=Counter)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def caught_up(primary: Cluster, standby: Cluster) -> float:
    """Wait (bounded) until the standby has replayed the primary's WAL; the seconds waited."""
    started = time.monotonic()
    with psycopg.connect(primary.url, autocommit=True) as connection:
        target = connection.execute("SELECT pg_current_wal_lsn()").fetchone()
    with psycopg.connect(standby.url, autocommit=True) as connection:
        while True:
            row = connection.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target[0] if target else None,)
            ).fetchone()
            if row and row[0]:
                return time.monotonic() - started
            if time.monotonic() - started > CATCH_UP_SECONDS:
                raise RuntimeError(f"the standby did not catch up in {CATCH_UP_SECONDS:.0f} s")
            time.sleep(0.2)


def unit_names(url: str, refs: list[str], count: int) -> list[str]:
    """Words to look units up by: the first four characters of ``count`` units' names."""
    rng = random.Random(2)
    names = []
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT) as client:
        for ref in rng.sample(refs, min(count, len(refs))):
            answer = client.get(f"/api/v1/units/{ref}")
            answer.raise_for_status()
            names.append(answer.json()["unit"]["name"][:4])
    return names


def plan_for(refs: list[str], names: list[str], count: int, seed: int = 1) -> list[Request]:
    """``count`` reads: units by ref (60 %), lookups by name (20 %), GraphQL units (20 %)."""
    rng = random.Random(seed)
    plan = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.6:
            plan.append(Request("GET", f"/api/v1/units/{rng.choice(refs)}"))
        elif draw < 0.8:
            plan.append(Request("GET", "/api/v1/lookup", {"q": rng.choice(names), "limit": 10}))
        else:
            body = {"query": UNIT_QUERY, "variables": {"id": rng.choice(refs)}}
            plan.append(Request("POST", "/graphql", body))
    return plan


async def load(base: str, plan: list[Request], clients: int, seconds: float) -> Tally:
    """``clients`` concurrent clients cycle through ``plan`` until ``seconds`` have passed."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    turn = iter(range(10**9))

    async def client(http: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            request = plan[next(turn) % len(plan)]
            started = time.perf_counter()
            try:
                if request.method == "GET":
                    response = await http.get(request.path, params=request.body)
                else:
                    response = await http.post(request.path, json=request.body)
            except httpx.HTTPError as error:
                tally.errors[type(error).__name__] += 1
                continue
            tally.latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                tally.errors[f"status {response.status_code}"] += 1
            said = response.headers.get("greenreg-read-from", "no header")
            tally.read_from[said.split(";")[0]] += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return tally


def summary(runs: list[tuple[Tally, float]]) -> dict[str, Any]:
    """One configuration over its rounds: the median of its rounds' requests/s, p50 and p99
    of every answer of every round."""
    ordered = sorted(x for tally, _ in runs for x in tally.latencies)
    rates = [len(tally.latencies) / seconds for tally, seconds in runs]

    def pct(p: int) -> float:
        return round(ordered[min(len(ordered) - 1, len(ordered) * p // 100)] * 1e3, 2)

    errors: Counter[str] = Counter()
    read_from: Counter[str] = Counter()
    for tally, _ in runs:
        errors.update(tally.errors)
        read_from.update(tally.read_from)
    return {
        "answered": len(ordered),
        "requests_per_s": round(statistics.median(rates), 1),
        "requests_per_s_runs": [round(r, 1) for r in rates],
        "p50_ms": pct(50) if ordered else None,
        "p99_ms": pct(99) if ordered else None,
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
        "read_from": dict(read_from),
    }


def measure(events: int, clients: int, seconds: float, rounds: int) -> dict[str, Any]:
    """Every configuration ``rounds`` times, in turn, every other round in reverse order (so
    that a change of the machine's load during the run does not favour one of them)."""
    load_before = load_average()
    runs: dict[str, list[tuple[Tally, float]]] = {label: [] for label, _, _ in CONFIGURATIONS}
    primary = Cluster()
    primary.start()
    try:
        standby = Cluster(primary)
        standby.start()
        try:
            started = time.perf_counter()
            refs = populate(primary.url, events).unit_refs
            populated = time.perf_counter() - started
            waited = caught_up(primary, standby)
            with tempfile.TemporaryDirectory(prefix="greenreg-replicas-") as tmp:
                names: list[str] = []
                for turn in range(rounds):
                    order = CONFIGURATIONS[:: -1 if turn % 2 else 1]
                    for label, workers, reads_from_standby in order:
                        options = ["--no-webhooks"]
                        options += ["--read-database", standby.url] if reads_from_standby else []
                        with serving(primary.url, workers, Path(tmp), *options) as base:
                            names = names or unit_names(base, refs, 50)
                            plan = plan_for(refs, names, 5_000)
                            asyncio.run(load(base, plan, min(clients, 4), min(3.0, seconds)))
                            began = time.perf_counter()
                            tally = asyncio.run(load(base, plan, clients, seconds))
                            runs[label].append((tally, time.perf_counter() - began))
                        print(f"round {turn + 1}, {label}: {summary(runs[label][-1:])}", flush=True)
        finally:
            standby.stop()
    finally:
        primary.stop()
    results = {label: summary(done) for label, done in runs.items()}
    base_result = results[BASELINE]
    for result in results.values():
        result["throughput_ratio"] = round(
            result["requests_per_s"] / base_result["requests_per_s"], 2
        )
        result["p50_ratio"] = round(result["p50_ms"] / base_result["p50_ms"], 2)
        result["p99_ratio"] = round(result["p99_ms"] / base_result["p99_ms"], 2)
    return {
        "benchmark": "replicas",
        "events": events,
        "units": len(refs),
        "clients": clients,
        "seconds_per_configuration": seconds,
        "rounds": rounds,
        "populate_s": round(populated, 1),
        "standby_catch_up_s": round(waited, 2),
        "cores": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "results": results,
    }


def from_standby(label: str, result: dict[str, Any]) -> bool:
    """Every answer of a standby configuration came from the standby (and of the others, from
    the primary, which adds no header)."""
    said = result["read_from"]
    expected = "standby" if "standby" in label else "no header"
    return set(said) == {expected}


def metrics_of(report: dict[str, Any]) -> list[Metric]:
    metrics = []
    baseline = report["results"][BASELINE]["requests_per_s"]
    for label, result in report["results"].items():
        metrics.append(
            metric(
                f"Reads, {label}, {report['clients']} clients",
                result["requests_per_s"],
                "requests/s",
                base_name=BASELINE,
                base_value=None if label == BASELINE else baseline,
            )
        )
        metrics.append(
            metric(
                f"Reads p50 / p99, {label}",
                result["p50_ms"] or 0.0,
                f"ms p50 / {result['p99_ms']} ms p99",
            )
        )
        metrics.append(
            metric(
                f"Reads errors and misrouted answers, {label}",
                result["errors"] + (0 if from_standby(label, result) else 1),
                f"errors; read from {result['read_from']}",
                target="0",
                met=result["errors"] == 0 and from_standby(label, result),
            )
        )
    return metrics


def run(quick: bool) -> dict[str, Any]:
    """For ``python -m bench.run_all`` (quick: 1,000 events, 4 clients, 5 s each)."""
    report = measure(1_000, 4, 5.0, 1) if quick else measure(5_000, 8, 20.0, 2)
    return {"benchmark": "replicas", "metrics": metrics_of(report), "details": report}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5_000, help="corpus size in the primary")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=20.0, help="load per configuration")
    parser.add_argument("--rounds", type=int, default=2, help="times each configuration runs")
    args = parser.parse_args(argv)
    report = measure(args.events, args.clients, args.seconds, args.rounds)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    misrouted = [label for label, r in report["results"].items() if not from_standby(label, r)]
    if misrouted:
        raise SystemExit(f"answers not read where expected: {misrouted}")


if __name__ == "__main__":
    main()
