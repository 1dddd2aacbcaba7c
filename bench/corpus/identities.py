"""Who the corpus's units are: real GB/T 2260 places, valid credit codes, plausible names.

A unit's identity depends only on the seed and its index, so other benchmarks can name units
(by credit code or id) without generating the corpus.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from uuid import UUID, uuid5

from stdnum.cn import uscc

from greenreg.events.places import division_names
from greenreg.registry.unit import NAMESPACE, unit_id_for_act, unit_id_for_credit_code

BRANDS = (
    "恒达",
    "华宇",
    "金鼎",
    "瑞丰",
    "中兴",
    "新锐",
    "宏远",
    "永泰",
    "天成",
    "博瑞",
    "海德",
    "盛世",
    "鑫源",
    "东方",
    "长江",
    "万通",
    "嘉禾",
    "立信",
    "通达",
    "联创",
    "荣盛",
    "凯越",
    "明德",
    "绿源",
    "同力",
    "正泰",
    "宝丰",
    "富华",
    "安捷",
    "国泰",
)
TRADES = (
    "精密制造",
    "新材料",
    "电子科技",
    "汽车零部件",
    "纺织",
    "化工",
    "食品",
    "机械",
    "电气",
    "光伏科技",
    "特钢",
    "建材",
    "包装",
    "医药",
    "家具",
    "陶瓷",
    "锂电科技",
    "造纸",
    "环保科技",
    "智能装备",
)
FORMS = ("有限公司", "股份有限公司", "有限责任公司", "集团有限公司")
PARK_KINDS = (
    "经济技术开发区",
    "高新技术产业开发区",
    "工业园区",
    "产业园",
    "化工园区",
    "临港产业区",
)


def organisation_check(code8: str) -> str:
    """The check character of a digit-only organisation code (GB 11714)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(code8, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(category: str, division: str, serial: int) -> str:
    """A valid Unified Social Credit Code (GB 32100): category, division, organisation code,
    check character."""
    organisation = f"{serial:08d}"
    body = category + division + organisation + organisation_check(organisation)
    return body + str(uscc.calc_check_digit(body))


@cache
def counties_of(area: str) -> tuple[str, ...]:
    """County-level codes inside a city (``xxxx00``) or province (``xx0000``); a city without
    counties (e.g. 东莞市) stands for itself."""
    prefix = area[:4] if not area.endswith("0000") else area[:2]
    found = tuple(
        code for code in division_names() if code.startswith(prefix) and not code.endswith("00")
    )
    return found or (area,)


def short_name(code: str) -> str:
    """A place name as it starts a company name: 苏州 for 苏州市, 重庆 for 重庆市市辖区."""
    names = division_names()
    city = code[:4] + "00"
    name = names.get(city, "市辖区")
    if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
        name = names[code[:2] + "0000"]
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Identity:
    """A unit as it is registered: kind, place, credit code (parks often have none), name."""

    index: int
    kind: str  # "enterprise" or "park"
    division: str
    credit_code: str | None
    name: str
    register_act_id: UUID

    @property
    def unit_id(self) -> UUID:
        if self.credit_code is not None:
            return unit_id_for_credit_code(self.credit_code)
        return unit_id_for_act(self.register_act_id)

    @property
    def reference(self) -> str:
        """How acts name the unit: by credit code when it has one, else by id."""
        return self.credit_code or str(self.unit_id)


def identity(seed: int, index: int, kind: str, area: str) -> Identity:
    """The identity of unit ``index``, located somewhere in ``area`` (a city or province)."""
    rng = random.Random(f"greenreg corpus identity:{seed}:{index}")
    division = rng.choice(counties_of(area))
    serial = 10_000_000 + (seed * 7_919 + index) % 89_000_000  # distinct for 89M units
    act_id = uuid5(NAMESPACE, f"corpus:{seed}:{index}:register")
    if kind == "enterprise":
        name = f"{short_name(division)}{rng.choice(BRANDS)}{rng.choice(TRADES)}{rng.choice(FORMS)}"
        return Identity(index, kind, division, credit_code("91", division, serial), name, act_id)
    county = division_names()[division]
    name = f"{short_name(division)}{county if county != '市辖区' else ''}{rng.choice(PARK_KINDS)}"
    code = credit_code("11", division, serial) if rng.random() < 0.3 else None
    return Identity(index, kind, division, code, name, act_id)


def renamed(name: str, kind: str, rng: random.Random) -> str:
    """A plausible new name: an enterprise changes its brand or legal form, a park its kind."""
    for _ in range(10):
        if kind == "enterprise":
            place_end = next((i for i, b in enumerate(name) if name[i : i + 2] in BRANDS), 2)
            trade = rng.choice(TRADES)
            new = f"{name[:place_end]}{rng.choice(BRANDS)}{trade}{rng.choice(FORMS)}"
        else:
            stem = next((name[: -len(k)] for k in PARK_KINDS if name.endswith(k)), name)
            new = f"{stem}{rng.choice(PARK_KINDS)}"
        if new != name:
            return new
    return name + "（更名）"
