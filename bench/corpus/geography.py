"""Where the corpus's units are, and which authorities' lists they can climb.

Four provinces run all three levels (municipal, provincial, national) in two of their cities;
Chongqing has its own rules (001); Zhejiang adds its green low-carbon parks (002); units in the
other provinces appear only on MIIT's national lists. Parks may take the eco-industrial path (004)
through their province's eco-environment department and the coordination mechanism.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from greenreg.events.places import division_names


@dataclass(frozen=True)
class Rung:
    """One list a unit can be on: the next rung needs the one below in force (003 art. 12)."""

    programme: str
    jurisdiction: str
    authority: str


@dataclass(frozen=True)
class Province:
    code: str
    weight: float
    eit: str | None  # the provincial industry authority, if it runs provincial lists here
    eco: str | None  # the provincial eco-environment department (eco-park creation)
    cities: tuple[tuple[str, str], ...] = ()  # (city code, municipal authority)


PROVINCES: tuple[Province, ...] = (
    Province("320000", 0.20, "js-eit", "js-eco", (("320100", "nj-eit"), ("320500", "sz-eit"))),
    Province("330000", 0.17, "zj-eit", "zj-eco", (("330100", "hz-eit"), ("330200", "nb-eit"))),
    Province("440000", 0.15, "gd-eit", "gd-eco", (("440100", "gz-eit"), ("440300", "shz-eit"))),
    Province("370000", 0.12, "sd-eit", "sd-eco", (("370100", "jn-eit"), ("370200", "qd-eit"))),
    Province("500000", 0.06, "cq-eit", "cq-eco"),
    *(
        Province(code, 0.30 / 8, None, None)
        for code in ("110000", "310000", "130000", "340000", "410000", "420000", "430000", "510000")
    ),
)
CHONGQING = "500000"
ZHEJIANG = "330000"
PARK_SHARE = 0.12


@cache
def other_cities(province: str, excluded: tuple[str, ...]) -> tuple[str, ...]:
    prefix = province[:2]
    return tuple(
        code
        for code in division_names()
        if code.startswith(prefix)
        and code.endswith("00")
        and not code.endswith("0000")
        and code not in excluded
    ) or (province,)


@dataclass(frozen=True)
class Placement:
    """A unit's kind, the area it is in, its ladder of lists, and its eco-park path if any."""

    kind: str
    area: str  # a city or province code; the identity picks a county inside it
    ladder: tuple[Rung, ...]
    eco: str | None  # provincial eco-environment authority, for eco-park lives

    @property
    def home(self) -> str:
        """The authority that registers the unit and records its changes and reports."""
        return self.eco if self.eco else self.ladder[0].authority


def place(seed: int, index: int) -> Placement:
    """Where unit ``index`` is and what it can become; depends only on the seed and index."""
    rng = random.Random(f"greenreg corpus placement:{seed}:{index}")
    province = rng.choices(PROVINCES, weights=[p.weight for p in PROVINCES])[0]
    kind = "park" if rng.random() < PARK_SHARE else "enterprise"
    if province.eit is None:  # national lists only
        programme = (
            "green_park"
            if kind == "park"
            else rng.choices(("green_factory", "green_supply_chain"), (8, 2))[0]
        )
        return Placement(kind, province.code, (Rung(programme, "CN", "miit"),), None)
    if kind == "park":
        return _park(rng, province)
    ladder: tuple[Rung, ...]
    if province.code == CHONGQING:
        if rng.random() < 0.85:
            ladder = (
                Rung("green_factory", CHONGQING, "cq-eit"),
                Rung("green_factory", "CN", "miit"),
            )
            return Placement(kind, CHONGQING, ladder, None)
        return Placement(kind, CHONGQING, (Rung("green_supply_chain", "CN", "miit"),), None)
    eit = province.eit
    if rng.random() < 0.6:
        city, municipal = rng.choice(province.cities)
        programme = rng.choices(("green_factory", "green_supply_chain"), (3, 1))[0]
        ladder = (
            Rung(programme, city, municipal),
            Rung(programme, province.code, eit),
            Rung(programme, "CN", "miit"),
        )
        return Placement(kind, city, ladder, None)
    city = rng.choice(other_cities(province.code, tuple(c for c, _ in province.cities)))
    if rng.random() < 0.5:
        ladder = (
            Rung("green_supply_chain", province.code, eit),
            Rung("green_supply_chain", "CN", "miit"),
        )
    else:
        ladder = (Rung("green_factory", "CN", "miit"),)
    return Placement(kind, city, ladder, None)


def _park(rng: random.Random, province: Province) -> Placement:
    assert province.eit is not None
    if province.eco is not None and rng.random() < 0.3:
        return Placement("park", province.code, (), province.eco)
    if province.code == ZHEJIANG and rng.random() < 0.35:
        return Placement("park", ZHEJIANG, (Rung("zj_low_carbon_park", ZHEJIANG, "zj-eit"),), None)
    ladder = (Rung("green_park", province.code, province.eit), Rung("green_park", "CN", "miit"))
    return Placement("park", province.code, ladder, None)
