"""The name score of docs/matching.md, section 2, on the examples it gives: a legal form counts
once per part that differs, so a name with the closer form ranks first."""

from __future__ import annotations

import pytest
from rapidfuzz.distance import Levenshtein

from greenreg.matching.normalise import form_parts, parse
from greenreg.matching.score import score_name, score_of, similar_scorer


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


CORES = ["苏州恒达电子科技", "苏州恒远电子科技", "恒达电子", "苏州恒达电子科技园", "北京恒达"]
FORMS = ["有限公司", "有限责任公司", "集团有限公司", "股份有限公司", ""]
QUALIFIERS = ["", "（江苏）", "（北京）", "（江苏）（苏州）"]


@pytest.mark.parametrize(
    "asked", [f"{c}{q}{f}" for c in CORES[:2] for q in QUALIFIERS for f in FORMS[:2]]
)
def test_a_score_from_the_cores_similarity_is_the_score(asked: str) -> None:
    # The lookup scores the names the name index compared from the similarity it compared
    # them by, each form and qualifier's factors worked out once: the very score, for every
    # kind of name held (the same, another form, another or an added qualifier, a near core),
    # asked twice so that the factors kept from the first are used.
    query = parse(asked)
    scored_from = similar_scorer(query)
    for _ in range(2):
        for held in [parse(f"{c}{q}{f}") for c in CORES for q in QUALIFIERS for f in FORMS]:
            similarity = Levenshtein.normalized_similarity(query.core, held.core)
            assert scored_from(held, similarity) == score_of(query, held), held.text
