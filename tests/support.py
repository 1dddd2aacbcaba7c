"""A small world for tests: a registry on a real database, its root, and some authorities.

Every act is really signed (Ed25519 over RFC 8785 bytes) and really verified; only the clock is
fixed, so that key validity and lateness can be tested on known days.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from greenreg.bootstrap import open_read_store, open_registry
from greenreg.events.issuer import Issuer
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.projections.queries import Queries
from greenreg.projections.runner import Projector
from greenreg.registry.application import Receipt, Registry

# (code, name, jurisdiction, programmes)
AUTHORITIES = [
    ("miit", "工业和信息化部 MIIT", "CN", ["green_factory", "green_park", "green_supply_chain"]),
    ("cq-eit", "重庆市经济和信息化委员会", "500000", ["green_park", "green_factory"]),
    (
        "js-eit",
        "江苏省工业和信息化厅",
        "320000",
        ["green_factory", "green_park", "green_supply_chain"],
    ),
    (
        "sz-eit",
        "苏州市工业和信息化局",
        "320500",
        ["green_factory", "green_park", "green_supply_chain"],
    ),
    ("zj-eit", "浙江省经济和信息化厅", "330000", ["zj_low_carbon_park"]),
    ("eco-cm", "生态工业园区建设协调机制 (MEE, MOFCOM, MIIT)", "CN", ["eco_park"]),
    ("js-eco", "江苏省生态环境厅", "320000", ["eco_park"]),
]


# (rulebook, jurisdiction, first day in force, last day or None, enacting document)
ADOPTIONS = [
    # The national interim measures: the seeds say only "2024"; the notice was issued in late
    # January 2024. The registry takes 2024-01-01.
    ("national", "CN", "2024-01-01", None, "工信部节〔2024〕13号"),
    # 001 art. 24: in force 30 days after its issue on 2024-02-05.
    ("chongqing", "500000", "2024-03-06", None, "渝经信规范〔2024〕4号"),
    ("zhejiang", "330000", "2022-03-22", None, "浙经信绿色〔2022〕64号"),
    # 003 art. 32: from 2024-07-19 for five years. The seed does not name its province; the
    # test world says Jiangsu.
    ("provincial", "320000", "2024-07-19", "2029-07-18", "江苏省绿色工厂梯度培育及管理实施细则"),
    # 004 art. 35: in force from its issue, a date the seed does not give. A test assumption.
    ("eco_parks", "CN", "2024-01-01", None, "生态文明建设示范区（生态工业园区）管理办法"),
]


POSTGRES_URL = os.environ.get(
    "GREENREG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/greenreg_test"
)


@contextmanager
def empty_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a fresh, empty database: a SQLite file in ``folder``, or a new schema on the
    PostgreSQL server (its database made by the ``postgres_url`` fixture), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'greenreg.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
            _dropped.append(schema)
            if len(_dropped) % VACUUM_EVERY == 0:
                vacuum_catalogs(connection)


VACUUM_EVERY = 20
"""Schemas a test process drops between two vacuums of the server's catalogs."""
_dropped: list[str] = []


def vacuum_catalogs(connection: psycopg.Connection[Any]) -> None:
    """Vacuum the system catalogs of the test database that hold many dead rows.

    Each test's schema leaves the rows of some 100 tables, indexes and sequences dead in the
    catalogs when it is dropped (800,000 in ``pg_attribute`` after a run), and a test server
    may run without autovacuum: every query of a catalog then reads them all
    (``information_schema.tables``, which opening a store asks, took 15-22 ms at the end of a
    run against 0.3-0.5 ms vacuumed), and every test's set-up slowed down as the run went on,
    and from run to run. (A user who may not vacuum them gets a warning from the server, and
    the tests run all the same.)"""
    dead = connection.execute(
        "SELECT relname FROM pg_stat_sys_tables WHERE schemaname = 'pg_catalog' "
        "AND n_dead_tup >= 1000"
    ).fetchall()
    if dead:
        connection.execute("VACUUM " + ", ".join(f"pg_catalog.{name}" for (name,) in dead))


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 21, 4, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class World:
    """A founded registry with the authorities above, each holding one key."""

    def __init__(self, database_url: str, now: datetime | None = None) -> None:
        self.clock = Clock(now) if now else Clock()
        self.registry: Registry = open_registry(database_url, clock=self.clock)
        self.root = Issuer("root", Ed25519Signer.generate())
        self.submit(
            self.root,
            "found_registry",
            effective_date="2026-01-01",
            document="greenreg founding",
            name="greenreg test registry",
            root_public_key=b64encode(self.root.signer.public_key),
        )
        self.issuers: dict[str, Issuer] = {}
        for code, name, jurisdiction, programmes in AUTHORITIES:
            self.add_authority(code, name, jurisdiction, programmes)
        for rulebook, jurisdiction, first, last, document in ADOPTIONS:
            self.adopt(rulebook, jurisdiction, first, last, document)

    @classmethod
    def founded_as(cls, database_url: str, root: Issuer, issuers: dict[str, Issuer]) -> World:
        """The world of a store founded as :meth:`__init__` founds one, with these keys, on the
        default clock (``tests/founded.py`` copies such a store)."""
        world = cls.__new__(cls)
        world.clock = Clock()
        world.registry = open_registry(database_url, clock=world.clock)
        # Issuers of its own (a test may give one another signer), with the same keys.
        world.root = Issuer(root.authority, root.signer)
        world.issuers = {code: Issuer(i.authority, i.signer) for code, i in issuers.items()}
        return world

    def adopt(
        self,
        rulebook: str,
        jurisdiction: str,
        first: str,
        last: str | None = None,
        document: str = "adoption of rules",
    ) -> Receipt:
        """The root declares that ``rulebook`` governs the lists of ``jurisdiction``."""
        return self.submit(
            self.root,
            "adopt_rules",
            effective_date=first,
            document=document,
            rulebook=rulebook,
            jurisdiction=jurisdiction,
            in_force_until=last,
        )

    def add_authority(
        self, code: str, name: str, jurisdiction: str, programmes: list[str]
    ) -> Issuer:
        self.submit(
            self.root,
            "register_authority",
            effective_date="2026-01-01",
            document=f"registration of {code}",
            code=code,
            name=name,
            jurisdiction=jurisdiction,
            programmes=programmes,
        )
        issuer = Issuer(code, Ed25519Signer.generate())
        self.add_key(issuer)
        self.issuers[code] = issuer
        return issuer

    def add_key(
        self,
        issuer: Issuer,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
    ) -> Receipt:
        return self.submit(
            self.root,
            "add_key",
            effective_date="2026-01-01",
            document="key registration",
            for_authority=issuer.authority,
            public_key=b64encode(issuer.signer.public_key),
            valid_from=(valid_from or self.clock.now - timedelta(days=1)).isoformat(),
            valid_until=valid_until.isoformat() if valid_until else None,
        )

    def act(self, issuer: Issuer | str, type: str, **fields: Any) -> dict[str, Any]:
        """A signed act, signed now by the test clock."""
        issuer = self.issuers[issuer] if isinstance(issuer, str) else issuer
        fields.setdefault("document", f"doc {type}")
        fields.setdefault("signed_at", self.clock.now)
        return issuer.act(type, **fields)

    def submit(self, issuer: Issuer | str, type: str, **fields: Any) -> Receipt:
        return self.registry.submit(self.act(issuer, type, **fields))

    def register(
        self,
        issuer: str,
        name: str,
        division: str,
        *,
        kind: str = "park",
        credit_code: str | None = None,
        effective_date: str = "2017-01-01",
    ) -> UUID:
        receipt = self.submit(
            issuer,
            "register_unit",
            effective_date=effective_date,
            kind=kind,
            name=name,
            credit_code=credit_code,
            division=division,
        )
        return receipt.subject_id

    def snapshot(self) -> list[tuple[Any, ...]]:
        """Every stored event, byte for byte, in order: what a refused act must not change."""
        recorder = self.registry.recorder
        return [
            (n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state))
            for n in recorder.select_notifications(start=1, limit=1_000_000)
        ]

    def close(self) -> None:
        self.registry.close()


class Reads:
    """The read models of a world's database, on their own connections.

    Calling it catches the read models up (as the ``Greenreg`` facade does after every write)
    and returns the queries.
    """

    def __init__(self, world: World, database_url: str) -> None:
        self.store = open_read_store(database_url)
        self.projector = Projector(world.registry, self.store)
        self.queries = Queries(self.store, self.projector.last_position, self.projector.leaf_index)

    def __call__(self) -> Queries:
        self.projector.catch_up()
        return self.queries

    def close(self) -> None:
        self.store.close()


def designate(world: World, issuer: str, unit: UUID, listing: str, on: date | str) -> Receipt:
    """Put ``unit`` on the list ``programme@jurisdiction`` (as in ``Removed.ended``) from ``on``."""
    programme, jurisdiction = listing.split("@")
    return world.submit(
        issuer,
        "designate",
        effective_date=on,
        unit=str(unit),
        programme=programme,
        jurisdiction=jurisdiction,
    )


def a_park_with_a_past(world: World) -> str:
    """A park designated in 2020, renamed in 2021, under rectification after a complaint in
    2024: its id."""
    park = str(world.register("js-eit", "苏州工业园区", "320505"))
    world.submit("js-eit", "designate", effective_date="2020-01-01", unit=park,
                 programme="green_park", jurisdiction="320000")  # fmt: skip
    world.submit("js-eit", "rename", effective_date="2021-01-01", unit=park,
                 new_name="苏州工业园区（绿色）", reported_on="2021-01-05")  # fmt: skip
    # A verified public complaint: Suzhou orders rectification (003 art. 25).
    complaint = world.submit("sz-eit", "record_complaint", effective_date="2024-08-20",
                             unit=park, programme="green_park", jurisdiction="320000",
                             matter="能耗数据与实际不符").act_id  # fmt: skip
    world.submit("sz-eit", "decide_complaint", effective_date="2024-09-01", unit=park,
                 complaint=str(complaint), outcome="rectification", rectify_by="2025-02-28",
                 removal=None)  # fmt: skip
    return park


def d(text: str) -> date:
    return date.fromisoformat(text)


def in_fresh_interpreter(code: str) -> Any:
    """What ``code``, run in a new Python process (nothing imported before it), prints as
    JSON on its last line."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
