"""The corpus's issuing authorities, their deterministic keys, and the root's acts about them.

Every authority signs with its own Ed25519 key, derived from the corpus seed, so a corpus is the
same byte for byte on every run. Keys rotate every :data:`ROTATION_YEARS` years: the root adds the
next key at the start of the year, and the previous key stays valid for a grace period so that
acts signed just before the rotation are still accepted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

from greenreg.events.issuer import Issuer
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.registry.unit import NAMESPACE

GM = ("green_factory", "green_park", "green_supply_chain")
ROTATION_YEARS = 4
GRACE = timedelta(days=90)


@dataclass(frozen=True)
class AuthorityInfo:
    code: str
    name: str
    jurisdiction: str
    programmes: tuple[str, ...]
    document_prefix: str  # the prefix of its document numbers (文号)


AUTHORITIES: tuple[AuthorityInfo, ...] = (
    AuthorityInfo("miit", "工业和信息化部", "CN", GM, "工信厅节函"),
    AuthorityInfo("js-eit", "江苏省工业和信息化厅", "320000", GM, "苏工信节能"),
    AuthorityInfo(
        "zj-eit", "浙江省经济和信息化厅", "330000", (*GM, "zj_low_carbon_park"), "浙经信绿色"
    ),
    AuthorityInfo("gd-eit", "广东省工业和信息化厅", "440000", GM, "粤工信节能"),
    AuthorityInfo("sd-eit", "山东省工业和信息化厅", "370000", GM, "鲁工信节能"),
    AuthorityInfo(
        "cq-eit",
        "重庆市经济和信息化委员会",
        "500000",
        ("green_park", "green_factory"),
        "渝经信节能",
    ),
    AuthorityInfo("nj-eit", "南京市工业和信息化局", "320100", GM, "宁工信"),
    AuthorityInfo("sz-eit", "苏州市工业和信息化局", "320500", GM, "苏市工信"),
    AuthorityInfo("hz-eit", "杭州市经济和信息化局", "330100", GM, "杭经信"),
    AuthorityInfo("nb-eit", "宁波市经济和信息化局", "330200", GM, "甬经信"),
    AuthorityInfo("gz-eit", "广州市工业和信息化局", "440100", GM, "穗工信"),
    AuthorityInfo("shz-eit", "深圳市工业和信息化局", "440300", GM, "深工信"),
    AuthorityInfo("jn-eit", "济南市工业和信息化局", "370100", GM, "济工信"),
    AuthorityInfo("qd-eit", "青岛市工业和信息化局", "370200", GM, "青工信"),
    AuthorityInfo(
        "eco-cm", "生态工业园区建设协调机制 (MEE, MOFCOM, MIIT)", "CN", ("eco_park",), "环科技函"
    ),
    AuthorityInfo("js-eco", "江苏省生态环境厅", "320000", ("eco_park",), "苏环办"),
    AuthorityInfo("zj-eco", "浙江省生态环境厅", "330000", ("eco_park",), "浙环函"),
    AuthorityInfo("gd-eco", "广东省生态环境厅", "440000", ("eco_park",), "粤环函"),
    AuthorityInfo("sd-eco", "山东省生态环境厅", "370000", ("eco_park",), "鲁环函"),
    AuthorityInfo("cq-eco", "重庆市生态环境局", "500000", ("eco_park",), "渝环函"),
)
ADOPTIONS: tuple[tuple[str, str], ...] = (
    ("national", "CN"),
    ("chongqing", "500000"),
    ("zhejiang", "330000"),
    ("provincial", "320000"),
    ("provincial", "330000"),
    ("provincial", "440000"),
    ("provincial", "370000"),
    ("eco_parks", "CN"),
)
"""The rulebooks the corpus's root adopts, each for the lists of one jurisdiction. The corpus is
a synthetic registry that exercises every rule in every year, so it adopts them all from
:data:`RULES_FROM` on (the real texts took effect in 2022-2024; the shipped store and the
tests adopt those days)."""
RULES_FROM = date(2000, 1, 1)
BY_CODE = {a.code: a for a in AUTHORITIES}
ORDER = {a.code: n for n, a in enumerate(AUTHORITIES)}


def rotation_days(first_year: int, last_year: int) -> list[date]:
    """The days a new key is added for every authority (2 January every few years)."""
    return [
        date(y, 1, 2) for y in range(first_year + ROTATION_YEARS, last_year + 1, ROTATION_YEARS)
    ]


def at_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class Keyring:
    """Every key of the corpus: the root's and each authority's successive keys."""

    def __init__(self, seed: int, founded: datetime, rotations: list[date]) -> None:
        self.seed = seed
        self.founded = founded
        self.rotations = rotations
        self.root = Issuer("root", self._signer("root", 0))

    def _signer(self, code: str, generation: int) -> Ed25519Signer:
        material = hashlib.sha256(f"greenreg corpus:{self.seed}:{code}:{generation}".encode())
        return Ed25519Signer.from_seed(material.digest())

    def act_id(self, label: str) -> UUID:
        """A deterministic act id for the root's acts."""
        return uuid5(NAMESPACE, f"corpus:{self.seed}:{label}")

    def log_signer(self) -> Ed25519Signer:
        """The operator's log key for a store built from this corpus (signs checkpoints)."""
        return self._signer("transparency log", 0)

    def generation_at(self, moment: datetime) -> int:
        """Which key generation signs at ``moment``: the newest one already added."""
        return sum(1 for day in self.rotations if at_start(day) <= moment)

    def issuer(self, code: str, moment: datetime) -> Issuer:
        return Issuer(code, self._signer(code, self.generation_at(moment)))

    def valid_from(self, generation: int) -> datetime:
        if generation == 0:
            return self.founded - timedelta(days=1)
        return at_start(self.rotations[generation - 1])

    def valid_until(self, generation: int) -> datetime | None:
        if generation >= len(self.rotations):
            return None
        return at_start(self.rotations[generation]) + GRACE

    def add_key_act(self, code: str, generation: int, signed_at: datetime) -> dict[str, Any]:
        until = self.valid_until(generation)
        return self.root.act(
            "add_key",
            effective_date=signed_at.date(),
            document=f"key registration {code} #{generation}",
            act_id=self.act_id(f"add_key:{code}:{generation}"),
            signed_at=signed_at,
            for_authority=code,
            public_key=b64encode(self._signer(code, generation).public_key),
            valid_from=self.valid_from(generation).isoformat(),
            valid_until=until.isoformat() if until else None,
        )

    def founding_acts(self, signed_at: datetime) -> list[dict[str, Any]]:
        """Found the registry, register every authority and give each its first key, and adopt
        the rulebooks (:data:`ADOPTIONS`)."""
        effective = signed_at.date()
        acts = [
            self.root.act(
                "found_registry",
                document="greenreg benchmark corpus founding",
                name="greenreg benchmark corpus",
                act_id=self.act_id("found_registry"),
                root_public_key=b64encode(self.root.signer.public_key),
                effective_date=effective,
                signed_at=signed_at,
            )
        ]
        for a in AUTHORITIES:
            acts.append(
                self.root.act(
                    "register_authority",
                    document=f"registration of {a.code}",
                    code=a.code,
                    name=a.name,
                    jurisdiction=a.jurisdiction,
                    programmes=list(a.programmes),
                    act_id=self.act_id(f"register_authority:{a.code}"),
                    effective_date=effective,
                    signed_at=signed_at,
                )
            )
            acts.append(self.add_key_act(a.code, 0, signed_at))
        for rulebook, jurisdiction in ADOPTIONS:
            acts.append(
                self.root.act(
                    "adopt_rules",
                    document=f"benchmark corpus: {rulebook} rules for {jurisdiction}",
                    rulebook=rulebook,
                    jurisdiction=jurisdiction,
                    in_force_until=None,
                    act_id=self.act_id(f"adopt_rules:{rulebook}:{jurisdiction}"),
                    effective_date=RULES_FROM,
                    signed_at=signed_at,
                )
            )
        return acts

    def rotation_acts(self, generation: int, signed_at: datetime) -> list[dict[str, Any]]:
        return [self.add_key_act(a.code, generation, signed_at) for a in AUTHORITIES]
