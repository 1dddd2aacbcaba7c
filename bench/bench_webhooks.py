"""Watchlist notifications: latency from commit to delivery on loopback, beside a bare POST.

A fresh SQLite registry (one authority), ``--units`` units on one watchlist whose endpoint is a
real HTTPS receiver on loopback (a test certificate authority the worker trusts). Then
``--changes`` renames, one at a time: each is submitted through the facade (recorded, in the
log, folded into the read models) and the clock starts when ``submit`` returns; it stops when
the receiver has read the notification's body. The delivery worker runs in its own thread as
``greenreg serve`` runs it, polling every ``--poll`` seconds (the default setting is 0.5 s:
that is the latency a quiet watchlist sees, on average half of it).

The floor, measured in the same run: the same body, signed with the same key and POSTed with
the same httpx client settings to the same receiver (what a delivery costs with nothing to find,
build or record).

    python -m bench.bench_webhooks [--units 100] [--changes 200] [--poll 0.01]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from tests.integration.webhook_receiver import Receiver, make_certificates

from bench.results_table import Metric, metric
from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.events.issuer import Issuer
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.subscribers.delivery import DeliveryWorker
from greenreg.subscribers.endpoints import tls_context
from greenreg.subscribers.entries import Entry
from greenreg.subscribers.notifications import SIGNATURE_HEADER, signature_header
from greenreg.subscribers.watchlists import Watchlists

RESULTS = Path(__file__).parent / "results" / "webhooks.json"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def found_registry(facade: Greenreg) -> Issuer:
    """The root founds the registry and registers one authority with one key."""
    root = Issuer("root", Ed25519Signer.generate())
    miit = Issuer("miit", Ed25519Signer.generate())
    now = datetime.now(UTC)
    facade.submit(root.act("found_registry", effective_date="2026-01-01", document="founding",
                           name="bench",
                           root_public_key=b64encode(root.signer.public_key)))  # fmt: skip
    facade.submit(root.act("register_authority", effective_date="2026-01-01", document="reg",
                           code="miit", name="工业和信息化部", jurisdiction="CN",
                           programmes=["green_factory"]))  # fmt: skip
    facade.submit(root.act("add_key", effective_date="2026-01-01", document="key",
                           for_authority="miit", public_key=b64encode(miit.signer.public_key),
                           valid_from=(now - timedelta(days=1)).isoformat(),
                           valid_until=None))  # fmt: skip
    return miit


def measure(units: int, changes: int, poll: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        certificates = make_certificates(Path(tmp))
        os.environ["GREENREG_WEBHOOK_CA_FILE"] = str(certificates.ca_file)
        os.environ["GREENREG_WEBHOOK_ALLOW_PRIVATE"] = "1"
        receiver = Receiver(certificates)
        facade = open_greenreg(f"sqlite:///{tmp}/bench.db")
        try:
            miit = found_registry(facade)
            ids = [
                facade.submit(
                    miit.act("register_unit", effective_date="2018-01-01", document="reg",
                             kind="park", name=f"园区{i}", credit_code=None, division="110105")
                ).subject_id
                for i in range(units)
            ]  # fmt: skip
            store = facade.queries.store
            watchlists = Watchlists(store)
            log_size = facade.registry.recorder.log_size()  # type: ignore[attr-defined]
            watchlists.create("bench", receiver.url, [Entry(str(u), "unit") for u in ids], log_size)
            worker = DeliveryWorker(facade.registry, store, poll=poll)
            worker.start()
            latencies: list[float] = []
            try:
                for n in range(changes):
                    unit = ids[n % units]
                    day = datetime(2019, 1, 1, tzinfo=UTC) + timedelta(days=n // units)
                    act = miit.act("rename", effective_date=day.date().isoformat(),
                                   document=f"rename {n}", unit=str(unit),
                                   new_name=f"园区{n % units}-{n}",
                                   reported_on=day.date().isoformat())  # fmt: skip
                    seen = len(receiver.received)
                    facade.submit(act)
                    committed = time.monotonic()
                    deadline = committed + 30
                    while len(receiver.received) == seen:
                        if time.monotonic() > deadline:
                            raise RuntimeError(f"change {n} was not delivered in 30 s")
                        time.sleep(0.0005)
                    latencies.append((receiver.received[-1].at - committed) * 1000)
            finally:
                worker.stop()
            floor = bare_posts(receiver, facade, changes)
            assert all(r.status == 204 for r in receiver.received)
        finally:
            facade.close()
            receiver.close()
    return {
        "units": units,
        "changes": changes,
        "poll_s": poll,
        "latency_p50_ms": round(percentile(latencies, 0.5), 2),
        "latency_p99_ms": round(percentile(latencies, 0.99), 2),
        "latency_mean_ms": round(statistics.mean(latencies), 2),
        "bare_post_p50_ms": round(percentile(floor, 0.5), 2),
        "bare_post_p99_ms": round(percentile(floor, 0.99), 2),
    }


def bare_posts(receiver: Receiver, facade: Greenreg, count: int) -> list[float]:
    """The floor: the last notification's body, signed and POSTed ``count`` times."""
    signer = facade.registry.recorder.log_signer  # type: ignore[attr-defined]
    body = receiver.received[-1].body
    times = []
    with httpx.Client(verify=tls_context(), timeout=10.0) as client:
        for _ in range(count):
            started = time.monotonic()
            header = signature_header(signer, body)
            client.post(receiver.url, content=body, headers={SIGNATURE_HEADER: header})
            times.append((time.monotonic() - started) * 1000)
    return times


def metrics(report: dict[str, Any]) -> list[Metric]:
    return [
        metric(
            f"notification latency, commit to delivery, p{pct} (poll {report['poll_s']} s)",
            report[f"latency_{pct}_ms"],
            "ms",
            base_name=f"signed HTTPS POST alone, p{pct}",
            base_value=report[f"bare_post_{pct}_ms"],
        )
        for pct in ("p50", "p99")
    ]


def run(quick: bool) -> dict[str, Any]:
    """For ``bench.run_all``: 100 units and 200 changes (quick: 20 and 40), polling at 0.01 s."""
    report = measure(20 if quick else 100, 40 if quick else 200, 0.01)
    return {"benchmark": "webhooks", "metrics": metrics(report), "details": report}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--poll", type=float, default=0.01)
    args = parser.parse_args(argv)
    report = measure(args.units, args.changes, args.poll)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
