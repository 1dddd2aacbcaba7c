"""How fast abuse is refused, and whether the server keeps answering meanwhile.

Starts the app under uvicorn on an empty SQLite store, then for each abusive request (a fragment
bomb of 20 levels; thirty aliases of a bank check of 10,000 codes given as a variable) prints
the time to its refusal (median of the runs) beside graphql-core's own parse and validation of
the same document (the peer: what any GraphQL server pays before its limits), and the latency of
``/healthz`` requests sent one after another while the abusive requests run.

    python -m bench.bench_limits [--runs 10]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from graphql import parse, validate

from greenreg.api import create_app
from greenreg.bootstrap import open_greenreg
from greenreg.graphql.schema import make_schema


def bomb(levels: int) -> str:
    """F0 spreads F1 twice, F1 spreads F2 twice...: 2 ** (levels - 1) uses of the last one."""
    spreads = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels - 1)
    )
    return f"{{ ...F0 }} {spreads} fragment F{levels - 1} on Query {{ checkpoint {{ size }} }}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cases() -> dict[str, dict[str, Any]]:
    check = "certifications(refs: $refs) { results { ref outcome } }"
    aliases = " ".join(f"a{i}: {check}" for i in range(30))
    return {
        "fragment bomb (20 levels)": {"query": bomb(20)},
        "30 aliases x 10,000 refs": {
            "query": f"query Check($refs: [String!]!) {{ {aliases} }}",
            "variables": {"refs": [f"9131000000000{i:05d}" for i in range(10_000)]},
        },
    }


def peer_ms(query: str, runs: int) -> float:
    """graphql-core's parse and validation of the document (its own rules only)."""
    schema = make_schema()._schema
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        validate(schema, parse(query))
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        facade = open_greenreg(f"sqlite:///{Path(folder) / 'greenreg.db'}")
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(facade, quotas=False), port=port, log_level="warning", lifespan="on"
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            for name, body in cases().items():
                health: list[float] = []
                done = threading.Event()

                def poll(health: list[float] = health, done: threading.Event = done) -> None:
                    with httpx.Client(base_url=base) as client:
                        while not done.is_set():
                            started = time.perf_counter()
                            client.get("/healthz")
                            health.append(time.perf_counter() - started)

                poller = threading.Thread(target=poll)
                poller.start()
                refusals = []
                with httpx.Client(base_url=base, timeout=600) as client:
                    for _ in range(runs):
                        started = time.perf_counter()
                        answer = client.post("/graphql", json=body).json()
                        refusals.append(time.perf_counter() - started)
                        assert answer.get("data") is None, answer
                done.set()
                poller.join()
                code = answer["errors"][0]["extensions"]["code"]
                print(
                    f"{name}: refused ({code}) in {statistics.median(refusals) * 1000:.1f} ms "
                    f"(median of {runs}); graphql-core parse+validate alone "
                    f"{peer_ms(body['query'], runs):.1f} ms; /healthz meanwhile: median "
                    f"{statistics.median(health) * 1000:.1f} ms, max {max(health) * 1000:.1f} ms "
                    f"over {len(health)} requests"
                )
        finally:
            server.should_exit = True
            thread.join()
            facade.close()


if __name__ == "__main__":
    main()
