"""Reads beside their peers: the lookup beside an FTS5 table, and HTTP reads with ``wrk``.

On a copy of a cached corpus store (``bench.corpus``; ``--events``, default 20,000):

- **lookup**, in this process: the same questions (current names whole, and 4 characters from
  the middle of them) asked of ``greenreg.projections.search.search`` (ranked in the
  database), of the path it replaced (``search_loading_units``) and of an FTS5 peer: a SQLite
  FTS5 trigram table over the same normalised names, ranked exact/prefix/substring then length,
  one hit per unit, answered as JSON (``bench.bare_reads.peer_lookup``); interleaved (each path
  first for a third of the questions), after one warm-up pass; p50 and p99 (wall, and the
  process's CPU time beside it: on a loaded machine the wall time also measures how soon the
  scheduler runs this process again), and the hits per answer; each answer compared with the
  replaced path's (where it saw fewer than 500 matches) and with every match ranked
  (``search(..., walk=False)``: the same page, on SQLite without reading the index in its
  order); then each path alone (``alone``: its questions in a pass of its own, nothing else
  asked between them);
- **HTTP**, over loopback with ``wrk`` (one thread, ``--connections``, ``--seconds`` each):
  ``greenreg serve`` (one worker, as shipped: its JSON request log goes to /dev/null, its
  quotas count every request under a limit no run reaches, :data:`UNREFUSED`) beside
  ``bench.bare_reads`` under uvicorn (one worker): ``GET /api/v1/units/{id}`` for sampled
  units beside the bare app's ``GET /units/{id}`` answering the very same bytes from one table;
  the same greenreg requests with ``If-None-Match`` (each answered 304); and the lookup of
  4-character fragments beside the bare app's FTS5 lookup. Peak RSS of the ``serve`` process
  (VmHWM) at the end. Each wrk run is repeated ``--rounds`` times, the peers in turn, and the
  median run reported (with every run's rate, and the server's CPU time per request, read from
  ``/proc`` around the run: on a loaded machine the rate also measures how soon the scheduler
  runs wrk and the server again). The machine's load (``uptime``) before and after.

    python -m bench.bench_reads [--events 20000] [--questions 200] [--seconds 10] [--rounds 3]
    python -m bench.bench_reads --events 100000 --lookup-only   # the lookup part alone
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from bench.bare_reads import create_peer, peer_lookup
from bench.corpus import cached_sqlite_store
from bench.corpus.store import log_key_path
from bench.results_table import Metric, metric
from greenreg.bootstrap import open_greenreg
from greenreg.matching.normalise import parse
from greenreg.projections.search import CANDIDATES, _candidates, search, search_loading_units

RESULTS = Path(__file__).parent / "results"
UNREFUSED = "1000000000/minute"
"""The anonymous quota ``serve`` runs with: every request is counted, as shipped, and none is
refused (at the default 600/minute, all but the first 600 requests of a run would be 429s)."""
LIMIT = 20
FRAGMENT = 4


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def load() -> str:
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False)  # noqa: S607
    return uptime.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples, 0.5), 3),
        "p99_ms": round(percentile(samples, 0.99), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
    }


def lookups(url: str, peer_path: Path, questions: int, rng: random.Random) -> dict[str, Any]:
    """The lookup beside its FTS5 peer, in this process."""
    greenreg = open_greenreg(url)
    try:
        store = greenreg.queries.store
        names = [row[0] for row in store.query("SELECT name FROM rm_units ORDER BY unit_id")]
        rows = store.query(
            "SELECT s.norm, s.unit_id, s.text, u.name FROM rm_search s "
            "JOIN rm_units u ON u.unit_id = s.unit_id"
        )
        create_peer(str(peer_path), rows)
        peer = sqlite3.connect(peer_path)
        chosen = rng.sample(names, min(questions, len(names)))
        asked = {
            "full name": chosen,
            f"{FRAGMENT}-character fragment": [
                n[len(n) // 3 : len(n) // 3 + FRAGMENT] for n in chosen
            ],
        }
        paths: dict[str, Callable[[str], object]] = {
            "greenreg": lambda q: search(store, q, LIMIT),
            "replaced path": lambda q: search_loading_units(store, q, LIMIT),
            "fts5 peer": lambda q: peer_lookup(peer, q, LIMIT),
        }
        report: dict[str, Any] = {"questions": len(chosen), "units": len(names)}
        for kind, texts in asked.items():
            for text in texts:  # warm-up: the name index, the page cache
                for ask in paths.values():
                    ask(text)
            timings: dict[str, list[float]] = {name: [] for name in paths}
            cpu: dict[str, list[float]] = {name: [] for name in paths}
            same = wide = every = 0
            order = list(paths.items())
            for number, text in enumerate(texts):
                # Each path asks first for a third of the questions: the one after another
                # on the same store would find the pages the first one read in the CPU's cache.
                turn = number % len(order)
                for name, ask in order[turn:] + order[:turn]:
                    started, used = time.perf_counter(), time.process_time()
                    ask(text)
                    timings[name].append((time.perf_counter() - started) * 1000)
                    cpu[name].append((time.process_time() - used) * 1000)
                # Read from the index in its order (SQLite) against every match ranked.
                every += search(store, text, LIMIT) == search(store, text, LIMIT, walk=False)
                if len(_candidates(store, parse(text))) >= CANDIDATES:
                    wide += 1  # the replaced path answers from an arbitrary 500 of them
                    continue
                same += search(store, text, LIMIT) == search_loading_units(store, text, LIMIT)
            report[kind] = {
                name: {**summary(t), "cpu": summary(cpu[name])} for name, t in timings.items()
            }
            report[kind]["alone"] = alone(paths, texts)
            report[kind]["hits_per_answer"] = {  # greenreg's include its variants
                "greenreg": round(statistics.fmean(len(search(store, t, LIMIT)) for t in texts), 1),
                "fts5 peer": round(
                    statistics.fmean(
                        len(orjson.loads(peer_lookup(peer, t, LIMIT))["hits"]) for t in texts
                    ),
                    1,
                ),
            }
            report[kind]["identical_answers"] = f"{same}/{len(texts) - wide}"
            report[kind]["same_as_ranking_every_match"] = f"{every}/{len(texts)}"
            report[kind]["over_500_matches"] = wide
            report[kind]["fragments"] = texts[:3]
        peer.close()
        report["sample_unit_ids"] = [
            row[0]
            for row in store.query("SELECT unit_id FROM rm_units ORDER BY unit_id")
            if rng.random() < 0.2
        ][:1000]
        report["fragments_all"] = asked[f"{FRAGMENT}-character fragment"]
        return report
    finally:
        greenreg.close()


def alone(paths: dict[str, Callable[[str], object]], texts: list[str]) -> dict[str, Any]:
    """Each path's answers to the questions in a pass of its own, one question after the other
    with nothing else between (a warm pass first): what each costs when the caches hold its
    own reads, where the interleaved passes above ask each path after the others (at 1,000,000
    events the peer's and the replaced path's reads of every match leave little of the next
    path's in the caches, more so than at 100,000)."""
    found: dict[str, Any] = {}
    for name, ask in paths.items():
        for text in texts:
            ask(text)
        wall, cpu = [], []
        for text in texts:
            started, used = time.perf_counter(), time.process_time()
            ask(text)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        found[name] = {**summary(wall), "cpu": summary(cpu)}
    return found


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def lua(path: Path, requests: list[tuple[str, dict[str, str]]]) -> Path:
    """A wrk script that cycles through ``requests`` (path, headers)."""
    lines = ["local requests = {"]
    for target, headers in requests:
        fields = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
        lines.append(f"  {{ {json.dumps(target)}, {{ {fields} }} }},")
    lines += [
        "}",
        "local i = 0",
        "request = function()",
        "  i = i % #requests + 1",
        '  return wrk.format("GET", requests[i][1], requests[i][2])',
        "end",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(base: str, script: Path, seconds: int, connections: int) -> dict[str, Any]:
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base,
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def latency(label: str) -> str:
        found = re.search(rf"\s{label}\s+([\d.]+\w+)", out)
        return found.group(1) if found else "?"

    return {
        "requests_per_s": round(rate),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "bad_responses": int(errors.group(1)) if errors else 0,
        "command": " ".join(command[:-3]),
    }


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def first_lookups(base: str, bare_base: str, fragments: list[str]) -> float:
    """The milliseconds of the first lookup after serve's start (it built the name index the
    variants are found in, :mod:`greenreg.projections.name_index`, until serve built it before
    serving); then both servers answer every fragment once, as both answered every unit, so
    that each round times the steady state (a round that built the index put its build into
    the lookup's p99)."""
    started = time.perf_counter()
    httpx.get(f"{base}/api/v1/lookup?q={fragments[0]}", timeout=120).raise_for_status()
    first_ms = round((time.perf_counter() - started) * 1000, 1)
    with httpx.Client() as client:
        for fragment in fragments:
            client.get(f"{base}/api/v1/lookup?q={fragment}").raise_for_status()
            client.get(f"{bare_base}/lookup?q={fragment}").raise_for_status()
    return first_ms


def http(  # noqa: PLR0917 (a benchmark's settings)
    url: str, scratch: Path, looked: dict[str, Any], seconds: int, connections: int, rounds: int
) -> dict[str, Any]:
    """greenreg serve and the bare app under wrk."""
    port, bare_port = free_port(), free_port()
    starting = time.perf_counter()
    serve = subprocess.Popen(  # noqa: S603 (our own command line)
        [sys.executable, "-m", "greenreg", "serve", "--database", url, "--port", str(port),
         "--no-webhooks", "--rate-anonymous", UNREFUSED],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    bare: subprocess.Popen[bytes] | None = None
    base, bare_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
    try:
        wait_for(f"{base}/healthz", serve)
        ready_s = round(time.perf_counter() - starting, 2)  # its name index built by then
        ids = looked["sample_unit_ids"]
        tags: dict[str, str] = {}
        peer = sqlite3.connect(scratch / "peer.db")
        with httpx.Client(base_url=base) as client:
            for unit_id in ids:
                answer = client.get(f"/api/v1/units/{unit_id}")
                assert answer.status_code == 200, answer.text
                tags[unit_id] = answer.headers["etag"]
                peer.execute("INSERT INTO units VALUES (?, ?)", (unit_id, answer.content))
            again = client.get(f"/api/v1/units/{ids[0]}", headers={"If-None-Match": tags[ids[0]]})
            assert again.status_code == 304
        peer.commit()
        peer.close()
        bare = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "bench.bare_reads:app", "--port", str(bare_port),
             "--no-access-log", "--log-level", "warning"],
            env={**os.environ, "BARE_READS_DB": str(scratch / "peer.db")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(f"{bare_base}/units/{ids[0]}", bare)
        fragments = [quote(f) for f in looked["fragments_all"]]
        first_lookup_ms = first_lookups(base, bare_base, fragments)
        pids = {base: serve.pid, bare_base: bare.pid}
        scripts = {
            "greenreg GET /api/v1/units/{id}": (
                base,
                [(f"/api/v1/units/{u}", {}) for u in ids],
            ),
            "bare GET /units/{id}": (bare_base, [(f"/units/{u}", {}) for u in ids]),
            "greenreg conditional GET /api/v1/units/{id} (304)": (
                base,
                [(f"/api/v1/units/{u}", {"If-None-Match": tags[u]}) for u in ids],
            ),
            f"greenreg GET /api/v1/lookup?q=<{FRAGMENT} characters>": (
                base,
                [(f"/api/v1/lookup?q={f}", {}) for f in fragments],
            ),
            f"bare FTS5 GET /lookup?q=<{FRAGMENT} characters>": (
                bare_base,
                [(f"/lookup?q={f}", {}) for f in fragments],
            ),
        }
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in scripts}
        for _ in range(rounds):  # interleaved: each peer sees the same machine, in turn
            for number, (name, (target, requests)) in enumerate(scripts.items()):
                script = lua(scratch / f"wrk{number}.lua", requests)
                used = cpu_seconds(pids[target])
                run = wrk(target, script, seconds, connections)
                used = cpu_seconds(pids[target]) - used
                run["server_cpu_us_per_request"] = round(
                    used / max(run["requests_per_s"] * seconds, 1) * 1e6
                )
                runs[name].append(run)
        report: dict[str, Any] = {}
        for name, found in runs.items():
            rates = [run["requests_per_s"] for run in found]
            middle = found[rates.index(sorted(rates)[len(rates) // 2])]
            report[name] = {
                **middle,
                "runs_requests_per_s": rates,
                "runs_server_cpu_us_per_request": [
                    run["server_cpu_us_per_request"] for run in found
                ],
            }
        report["serve_ready_s"] = ready_s
        report["first_lookup_after_start_ms"] = first_lookup_ms
        report["serve_peak_rss_mb"] = peak_rss_mb(serve.pid)
        report["bare_peak_rss_mb"] = peak_rss_mb(bare.pid)
        return report
    finally:
        for process in (serve, bare):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


def measure(  # noqa: PLR0917 (a benchmark's settings)
    events: int,
    questions: int,
    seconds: int,
    connections: int,
    rounds: int,
    lookup_only: bool = False,
) -> dict[str, Any]:
    rng = random.Random(2026)
    before = load()
    store = cached_sqlite_store(events)
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        copy = scratch / "greenreg.db"
        shutil.copy(store, copy)
        shutil.copy(log_key_path(store), log_key_path(copy))  # serve as deployed: with its key
        url = f"sqlite:///{copy}"
        looked = lookups(url, scratch / "peer.db", questions, rng)
        served = None if lookup_only else http(url, scratch, looked, seconds, connections, rounds)
    for key in ("sample_unit_ids", "fragments_all"):
        looked.pop(key)
    return {
        "events": events,
        "load_before": before,
        "load_after": load(),
        "lookup": looked,
        **({} if served is None else {"http": served}),
    }


def metrics(report: dict[str, Any]) -> list[Metric]:
    """The table's rows: the lookup beside its FTS5 peer (p50 and p99, full name and fragment),
    HTTP reads beside the bare app, peak RSS of ``serve``."""
    rows = []
    for kind in ("full name", f"{FRAGMENT}-character fragment"):
        found = report["lookup"][kind]
        for pct in ("p50", "p99"):
            ours, peer = found["greenreg"][f"{pct}_ms"], found["fts5 peer"][f"{pct}_ms"]
            rows.append(
                metric(
                    f"lookup {pct}, {kind} (ms)",
                    ours,
                    "ms",
                    base_name="FTS5 peer",
                    base_value=peer,
                    target="≤ 1.5 × the FTS5 peer",
                    met=ours <= 1.5 * peer,
                )
            )
    served = report.get("http")
    if served is None:  # the lookup part alone
        return rows
    bare = served["bare GET /units/{id}"]["requests_per_s"]
    for name, factor in (
        ("greenreg GET /api/v1/units/{id}", 0.7),
        ("greenreg conditional GET /api/v1/units/{id} (304)", 2.0),
    ):
        rate = served[name]["requests_per_s"]
        answered = served[name]["bad_responses"] == 0  # a rate of refusals measures nothing
        rows.append(
            metric(
                f"wrk, 1 worker: {name.removeprefix('greenreg ')}",
                rate,
                "requests/s",
                base_name="bare FastAPI",
                base_value=bare,
                target=f"≥ {factor} × the bare app",
                met=answered and rate >= factor * bare,
            )
        )
    rows.append(metric("peak RSS of greenreg serve", served["serve_peak_rss_mb"], "MB"))
    return rows


def run(quick: bool, events: int | None = None) -> dict[str, Any]:
    """For ``bench.run_all``: quick, the 20,000-event corpus, short wrk runs, one round; full,
    200 questions, three rounds of 10 s."""
    size = events or (20_000 if quick else 100_000)
    settings = (50, 3, 4, 1) if quick else (200, 10, 4, 3)
    report = measure(size, *settings)
    return {"benchmark": "reads", "metrics": metrics(report), "details": report}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lookup-only", action="store_true", help="skip the HTTP part")
    args = parser.parse_args(argv)
    report = measure(
        args.events, args.questions, args.seconds, args.connections, args.rounds, args.lookup_only
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"reads-{args.events}{'-lookup' if args.lookup_only else ''}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
