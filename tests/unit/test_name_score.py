"""The name score of docs/matching.md, section 2, on the examples it gives: a legal form counts
once per part that differs, so a name with the closer form ranks first."""

from __future__ import annotations

import pytest

from greenreg.matching.normalise import form_parts, parse
from greenreg.matching.score import score_name


def scored(asked: str, held: str) -> float:
    return score_name(parse(asked), parse(held)).score


@pytest.mark.parametrize(
    ("form", "parts"),
    [
        ("", []),
        ("有限公司", ["有限公司"]),
        ("集团股份有限公司", ["股份有限公司", "集团"]),
        ("集团有限责任公司", ["有限责任公司", "集团"]),
    ],
)
def test_a_legal_form_is_read_as_its_parts(form: str, parts: list[str]) -> None:
    assert form_parts(form) == parts


@pytest.mark.parametrize(
    ("asked", "held", "score"),
    [
        ("北京奔驰汽车有限公司", "北京奔驰汽车有限公司", 1.0),
        ("北京奔驰汽车有限责任公司", "北京奔驰汽车有限公司", 0.97),
        ("宁波拓普股份有限公司", "宁波拓普集团股份有限公司", 0.97),
        ("南京华宇造纸集团有限责任公司", "南京华宇造纸集团有限公司", 0.97),
        ("南京华宇造纸集团有限责任公司", "南京华宇造纸有限公司", 0.9409),
        ("南京华宇造纸有限公司", "南京华宇造纸集团股份有限公司", 0.9409),
    ],
)
def test_each_differing_part_of_the_legal_form_costs_once(
    asked: str, held: str, score: float
) -> None:
    assert scored(asked, held) == score


def test_the_name_with_the_closer_legal_form_ranks_first() -> None:
    asked = "深圳瑞丰光伏科技集团有限责任公司"
    held = [
        "深圳瑞丰光伏科技有限公司",
        "深圳瑞丰光伏科技股份有限公司",
        "深圳瑞丰光伏科技集团有限公司",
    ]
    assert max(held, key=lambda name: scored(asked, name)) == "深圳瑞丰光伏科技集团有限公司"
