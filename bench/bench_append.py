"""Append throughput: greenreg's signed, checked acts against bare eventsourcing.

For each backend (SQLite in a temporary file, PostgreSQL in a fresh schema of ``greenreg_test``)
and each repeat, on a fresh store:

- **greenreg**: ``--units`` enterprises, each getting four acts from MIIT (``register_unit``,
  ``designate`` green_factory CN, ``rename``, ``file_report`` dynamic_management_form), submitted
  as JSON bytes to :meth:`Registry.submit`, which parses the envelope, reloads the signing
  authority, verifies the Ed25519 signature over the RFC 8785 bytes, checks key validity,
  competence and the rulebook, reloads the unit and appends. The acts are signed once, before
  any timing (signing is the client's cost); only submission is timed.
- **bare**: an ``eventsourcing`` application with a plain ``Aggregate`` whose ``@event`` methods
  record the same four events with similar payload fields for the same number of units, one
  command (get, call, save) per event, as an ordinary eventsourcing application does. This is
  the base of the ratio.
- **verify**: pyca/cryptography ``Ed25519PublicKey.verify`` alone over every act's canonical
  bytes (what ``verify_signature`` does per act), to show how much of an act is the signature.

Prints a table of medians and writes every measurement to ``bench/results/append.json``.

    python -m bench.bench_append [--units 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import JSONTranscoder
from psycopg import sql
from rich.console import Console
from rich.table import Table
from stdnum.cn import uscc

from greenreg.bootstrap import open_registry, persistence_env
from greenreg.events.canonical import canonical_bytes, parse_json
from greenreg.events.issuer import Issuer
from greenreg.events.signing import Ed25519Signer, b64decode, b64encode
from greenreg.registry.application import DateAsISO, Registry

POSTGRES_URL = os.environ.get(
    "GREENREG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/greenreg_test"
)
RESULTS = Path(__file__).resolve().parent / "results" / "append.json"
NOW = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)  # the registry's fixed clock
SIGNED_AT = NOW - timedelta(hours=1)
DIVISION = "110105"  # 北京市朝阳区
ACTS_PER_UNIT = 4
VERIFY_SAMPLE = 2000  # acts timed for verify-only and canonicalise-only (per-act cost is flat)


# --- the workload ---------------------------------------------------------------------------


def organisation_code_check(code8: str) -> str:
    """The check character of an organisation code (GB 11714), digits only here."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(code8, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(serial: int) -> str:
    """A valid Unified Social Credit Code (GB 32100) of an enterprise registered in DIVISION."""
    organisation = f"{31_000_000 + serial:08d}"
    body = "91" + DIVISION + organisation + organisation_code_check(organisation)
    return body + uscc.calc_check_digit(body)


@dataclass(frozen=True)
class UnitFields:
    """What happens to one unit, as plain fields: the source of both workloads."""

    credit_code: str
    name: str
    new_name: str


def unit_fields(units: int) -> list[UnitFields]:
    return [
        UnitFields(
            credit_code=credit_code(i),
            name=f"北京第{i}号绿色制造有限公司",
            new_name=f"北京第{i}号绿色低碳科技有限公司",
        )
        for i in range(units)
    ]


@dataclass
class Keys:
    root: Issuer = field(default_factory=lambda: Issuer("root", Ed25519Signer.generate()))
    miit: Issuer = field(default_factory=lambda: Issuer("miit", Ed25519Signer.generate()))


def founding_acts(keys: Keys) -> list[dict[str, Any]]:
    """Found a registry, register MIIT and give it its key (untimed set-up)."""
    root = keys.root
    common = {"effective_date": "2026-01-01", "signed_at": SIGNED_AT}
    return [
        root.act(
            "found_registry",
            document="greenreg bench founding",
            name="greenreg bench",
            root_public_key=b64encode(root.signer.public_key),
            **common,
        ),
        root.act(
            "register_authority",
            document="registration of miit",
            code="miit",
            name="工业和信息化部 MIIT",
            jurisdiction="CN",
            programmes=["green_factory", "green_park", "green_supply_chain"],
            **common,
        ),
        root.act(
            "add_key",
            document="key registration",
            for_authority="miit",
            public_key=b64encode(keys.miit.signer.public_key),
            valid_from=(SIGNED_AT - timedelta(days=1)).isoformat(),
            valid_until=None,
            **common,
        ),
    ]


def unit_acts(miit: Issuer, unit: UnitFields) -> list[dict[str, Any]]:
    """The four signed acts about one enterprise, in the order they are submitted."""
    code, at = unit.credit_code, SIGNED_AT
    return [
        miit.act(
            "register_unit",
            effective_date="2020-01-01",
            signed_at=at,
            document="工信厅节函〔2020〕1号",
            kind="enterprise",
            name=unit.name,
            credit_code=code,
            division=DIVISION,
        ),
        miit.act(
            "designate",
            effective_date="2020-10-20",
            signed_at=at,
            document="工信厅节函〔2020〕277号",
            unit=code,
            programme="green_factory",
            jurisdiction="CN",
            batch="第五批",
            grade=None,
        ),
        miit.act(
            "rename",
            effective_date="2022-03-01",
            signed_at=at,
            document="京朝市监变更〔2022〕88号",
            unit=code,
            new_name=unit.new_name,
            reported_on="2022-03-15",
        ),
        miit.act(
            "file_report",
            effective_date="2024-04-01",
            signed_at=at,
            document="2023年度绿色工厂动态管理表",
            unit=code,
            report="dynamic_management_form",
            year=2023,
            filed_on="2024-04-01",
        ),
    ]


@dataclass(frozen=True)
class Workload:
    units: list[UnitFields]
    founding: list[bytes]
    acts: list[bytes]  # the signed acts as a client sends them: JSON bytes
    verify_inputs: list[tuple[bytes, bytes, bytes]]  # (public key, signature, canonical bytes)
    sign_seconds: float


def build_workload(units: int) -> Workload:
    keys = Keys()
    fields = unit_fields(units)
    started = time.perf_counter()
    signed = [act for unit in fields for act in unit_acts(keys.miit, unit)]
    sign_seconds = time.perf_counter() - started
    public_key = keys.miit.signer.public_key
    verify_inputs = [
        (public_key, b64decode(a["signature"], "signature"), canonical_bytes(a["act"]))
        for a in signed
    ]
    return Workload(
        units=fields,
        founding=[encode(a) for a in founding_acts(keys)],
        acts=[encode(a) for a in signed],
        verify_inputs=verify_inputs,
        sign_seconds=sign_seconds,
    )


def encode(signed_act: dict[str, Any]) -> bytes:
    return json.dumps(signed_act, ensure_ascii=False).encode("utf-8")


# --- the bare eventsourcing application -----------------------------------------------------


class BareUnit(Aggregate):
    """A unit as a plain eventsourcing aggregate: same facts, no signatures, no rules."""

    @event("Registered")
    def __init__(
        self,
        *,
        kind: str,
        name: str,
        credit_code: str,
        division: str,
        effective_date: date,
        document_number: str,
    ) -> None:
        self.kind = kind
        self.name = name
        self.credit_code = credit_code
        self.division = division
        self.named_since = effective_date
        self.designations: dict[str, date] = {}
        self.reports: dict[str, date] = {}
        self.former_names: list[str] = []

    @event("Designated")
    def designate(
        self,
        *,
        programme: str,
        jurisdiction: str,
        batch: str | None,
        grade: str | None,
        effective_date: date,
        document_number: str,
    ) -> None:
        self.designations[f"{programme}@{jurisdiction}"] = effective_date

    @event("Renamed")
    def rename(
        self, *, new_name: str, reported_on: date, effective_date: date, document_number: str
    ) -> None:
        self.former_names.append(self.name)
        self.name, self.named_since = new_name, effective_date

    @event("ReportFiled")
    def file_report(
        self, *, report: str, year: int, filed_on: date, effective_date: date, document_number: str
    ) -> None:
        self.reports[f"{report}/{year}"] = filed_on


class BareUnits(Application[UUID]):
    """One command per event, as an ordinary eventsourcing application: get, call, save."""

    name = "bareunits"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def register_unit(self, unit: UnitFields) -> UUID:
        aggregate = BareUnit(
            kind="enterprise",
            name=unit.name,
            credit_code=unit.credit_code,
            division=DIVISION,
            effective_date=date(2020, 1, 1),
            document_number="工信厅节函〔2020〕1号",
        )
        self.save(aggregate)
        return aggregate.id

    def designate(self, unit_id: UUID) -> None:
        self._command(
            unit_id,
            BareUnit.designate,
            programme="green_factory",
            jurisdiction="CN",
            batch="第五批",
            grade=None,
            effective_date=date(2020, 10, 20),
            document_number="工信厅节函〔2020〕277号",
        )

    def rename(self, unit_id: UUID, new_name: str) -> None:
        self._command(
            unit_id,
            BareUnit.rename,
            new_name=new_name,
            reported_on=date(2022, 3, 15),
            effective_date=date(2022, 3, 1),
            document_number="京朝市监变更〔2022〕88号",
        )

    def file_report(self, unit_id: UUID) -> None:
        self._command(
            unit_id,
            BareUnit.file_report,
            report="dynamic_management_form",
            year=2023,
            filed_on=date(2024, 4, 1),
            effective_date=date(2024, 4, 1),
            document_number="2023年度绿色工厂动态管理表",
        )

    def _command(self, unit_id: UUID, method: Callable[..., None], **kwargs: Any) -> None:
        aggregate = self.repository.get(unit_id)
        method(aggregate, **kwargs)
        self.save(aggregate)


# --- databases --------------------------------------------------------------------------------


@contextmanager
def fresh_database(backend: str, label: str, workdir: Path) -> Iterator[str]:
    """A URL of an empty store: a new SQLite file, or a new PostgreSQL schema (dropped after)."""
    if backend == "sqlite":
        path = workdir / f"{label}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in workdir.glob(f"{label}.db*"):
                leftover.unlink()
        return
    schema = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


# --- the measurements -------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    commands: int  # acts submitted to greenreg; command methods called on the bare application
    events: int

    def to_json(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 4),
            "commands": self.commands,
            "events": self.events,
            "commands_per_s": round(self.commands / self.seconds, 1),
            "events_per_s": round(self.events / self.seconds, 1),
        }


def run_greenreg(url: str, work: Workload) -> Run:
    registry: Registry = open_registry(url, clock=lambda: NOW)
    try:
        for act in work.founding:
            registry.submit(act)
        submit = registry.submit
        events = 0
        started = time.perf_counter()
        for act in work.acts:
            events += len(submit(act).events)
        seconds = time.perf_counter() - started
        expected = len(work.founding) + len(work.acts)
        if registry.event_count() != expected:
            raise RuntimeError(f"{registry.event_count()} events stored, {expected} expected")
    finally:
        registry.close()
    return Run(seconds, len(work.acts), events)


def run_bare(url: str, work: Workload) -> Run:
    app = BareUnits(env=persistence_env(url))
    try:
        warm_up = UnitFields(credit_code(99_999_999 - 31_000_000), "warm-up", "warm-up 2")
        app.rename(app.register_unit(warm_up), warm_up.new_name)  # untimed: first statements
        started = time.perf_counter()
        for unit in work.units:
            unit_id = app.register_unit(unit)
            app.designate(unit_id)
            app.rename(unit_id, unit.new_name)
            app.file_report(unit_id)
        seconds = time.perf_counter() - started
        events = (app.recorder.max_notification_id() or 0) - 2
    finally:
        app.close()
    return Run(seconds, len(work.units) * ACTS_PER_UNIT, events)


def verify_only(work: Workload) -> float:
    """Seconds per act for ``Ed25519PublicKey.from_public_bytes(key).verify(sig, bytes)``,
    what ``verify_signature`` costs inside ``submit``, over the first VERIFY_SAMPLE acts."""
    sample = work.verify_inputs[:VERIFY_SAMPLE]
    started = time.perf_counter()
    for public_key, signature, message in sample:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    return (time.perf_counter() - started) / len(sample)


def canonicalise_only(work: Workload) -> float:
    """Seconds per act to parse the submitted JSON strictly and put the act in RFC 8785 form
    (the other half of the signature check), over the first VERIFY_SAMPLE acts."""
    sample = work.acts[:VERIFY_SAMPLE]
    started = time.perf_counter()
    for act in sample:
        canonical_bytes(parse_json(act)["act"])
    return (time.perf_counter() - started) / len(sample)


@dataclass
class BackendResult:
    greenreg: list[Run] = field(default_factory=list)
    bare: list[Run] = field(default_factory=list)
    verify_s: list[float] = field(default_factory=list)
    canonical_s: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        green_eps = statistics.median(r.events / r.seconds for r in self.greenreg)
        bare_eps = statistics.median(r.events / r.seconds for r in self.bare)
        green_aps = statistics.median(r.commands / r.seconds for r in self.greenreg)
        verify_us = statistics.median(self.verify_s) * 1e6
        return {
            "greenreg_acts_per_s": round(green_aps, 1),
            "greenreg_events_per_s": round(green_eps, 1),
            "bare_events_per_s": round(bare_eps, 1),
            "ratio_greenreg_to_bare": round(green_eps / bare_eps, 3),
            "verify_us_per_act": round(verify_us, 1),
            "verify_share_of_submit": round(verify_us / (1e6 / green_aps), 4),
            "parse_and_canonicalise_us_per_act": round(
                statistics.median(self.canonical_s) * 1e6, 1
            ),
            "greenreg_us_per_act": round(1e6 / green_aps, 1),
            "bare_us_per_event": round(1e6 / bare_eps, 1),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "median": self.summary(),
            "runs": {
                "greenreg": [r.to_json() for r in self.greenreg],
                "bare": [r.to_json() for r in self.bare],
                "verify_us_per_act": [round(s * 1e6, 2) for s in self.verify_s],
                "parse_and_canonicalise_us_per_act": [round(s * 1e6, 2) for s in self.canonical_s],
            },
        }


def measure(
    backend: str, work: Workload, repeat: int, workdir: Path, console: Console
) -> BackendResult:
    result = BackendResult()
    for r in range(repeat):
        # Alternate which system goes first, so that neither always meets a warmer machine.
        order = ("greenreg", "bare") if r % 2 == 0 else ("bare", "greenreg")
        for system in order:
            with fresh_database(backend, f"{system}_{r}", workdir) as url:
                if system == "greenreg":
                    result.greenreg.append(run_greenreg(url, work))
                else:
                    result.bare.append(run_bare(url, work))
        result.verify_s.append(verify_only(work))
        result.canonical_s.append(canonicalise_only(work))
        g, b = result.greenreg[-1], result.bare[-1]
        console.log(
            f"{backend} repeat {r + 1}/{repeat}: greenreg {g.events / g.seconds:,.0f} "
            f"events/s ({g.seconds:.1f} s), bare {b.events / b.seconds:,.0f} events/s "
            f"({b.seconds:.1f} s), verify {result.verify_s[-1] * 1e6:.1f} µs/act"
        )
    return result


def table(results: dict[str, BackendResult], units: int, repeat: int) -> Table:
    out = Table(
        title=f"Append throughput, {units} units × {ACTS_PER_UNIT} acts, median of {repeat}"
    )
    for heading in (
        "backend",
        "greenreg acts/s",
        "greenreg events/s",
        "bare eventsourcing events/s",
        "ratio greenreg÷bare",
        "verify-only µs/act",
        "verify share of submit",
    ):
        out.add_column(heading, justify="left" if heading == "backend" else "right")
    for backend, result in results.items():
        s = result.summary()
        out.add_row(
            backend,
            f"{s['greenreg_acts_per_s']:,.0f}",
            f"{s['greenreg_events_per_s']:,.0f}",
            f"{s['bare_events_per_s']:,.0f}",
            f"{s['ratio_greenreg_to_bare']:.2f}",
            f"{s['verify_us_per_act']:.1f}",
            f"{s['verify_share_of_submit']:.1%}",
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2000, help="units per run (4 acts each)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per backend (median)")
    parser.add_argument(
        "--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres"
    )
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not set(backends) <= {"sqlite", "postgres"} or args.units < 1 or args.repeat < 1:
        parser.error("backends are sqlite and/or postgres; --units and --repeat are positive")

    report = measure_all(args.units, args.repeat, backends)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    Console(log_path=False).log(f"wrote {RESULTS}")


def measure_all(units: int, repeat: int, backends: list[str]) -> dict[str, Any]:
    """Measure every backend, print the table, and return the whole report."""
    console = Console(log_path=False)
    if not console.is_terminal:
        console.width = 120  # a piped table keeps its columns readable
    work = build_workload(units)
    console.log(f"signed {len(work.acts)} acts in {work.sign_seconds:.2f} s (untimed client cost)")
    results: dict[str, BackendResult] = {}
    with tempfile.TemporaryDirectory(prefix="greenreg-bench-") as workdir:
        for backend in backends:
            results[backend] = measure(backend, work, repeat, Path(workdir), console)

    console.print(table(results, units, repeat))
    return {
        "benchmark": "append",
        "command": f"python -m bench.bench_append --units {units} --repeat {repeat} "
        f"--backends {','.join(backends)}",
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "units": units,
        "repeat": repeat,
        "acts_per_unit": ACTS_PER_UNIT,
        "acts": ["register_unit", "designate", "rename", "file_report"],
        "build_and_sign_us_per_act": round(work.sign_seconds / len(work.acts) * 1e6, 1),
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            **{p: version(p) for p in ("eventsourcing", "cryptography", "psycopg", "rfc8785")},
            "postgres_url": POSTGRES_URL if "postgres" in backends else None,
        },
        "backends": {backend: result.to_json() for backend, result in results.items()},
    }


def run(quick: bool) -> dict[str, Any]:
    """For ``python -m bench.run_all``: the same measurement (quick: 300 units, 1 repeat)."""
    from bench.results_table import metric

    units, repeat = (300, 1) if quick else (2000, 3)
    report = measure_all(units, repeat, ["sqlite", "postgres"])
    metrics = []
    for backend, result in report["backends"].items():
        median = result["median"]
        metrics.append(
            metric(
                f"append per act, {backend}",
                median["greenreg_events_per_s"],
                "events/s",
                base_name="bare eventsourcing",
                base_value=median["bare_events_per_s"],
            )
        )
        metrics.append(
            metric(
                f"Ed25519 verify share of a submit, {backend}",
                round(median["verify_share_of_submit"] * 100, 1),
                "%",
            )
        )
    return {"benchmark": "append", "metrics": metrics, "details": report}


if __name__ == "__main__":
    main()
