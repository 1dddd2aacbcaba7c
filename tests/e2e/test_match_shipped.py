"""A bank matches 1,000 borrower names against the shipped MIIT lists, over real HTTP.

The names are made from the shipped lists with a seed, as a loan book writes them: a wrong
character, traditional characters, another legal form (有限责任公司 for 有限公司, 集团 added), a
bracketed region added; and 200 decoys, names of no listed unit. Each variant must find its own
unit first and above the default threshold, each decoy ``no match`` with the registry's
coverage stated. One store is loaded per database and module.

The variants are made only from units whose core name is at least two characters away from every
other unit's (a wrong character could otherwise name another listed unit just as well).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import zhconv
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.importer.keys import ensure_key
from greenreg.importer.loading import load_shipped_lists
from greenreg.matching.normalise import parse
from greenreg.receipts import verify_receipt
from greenreg.subscribers.api_keys import ApiKeys
from tests.e2e.server import serving
from tests.integration.test_api_log import trusted_log_key
from tests.support import Clock, empty_database

SEED = 14
PER_KIND = 200  # typos, traditional, legal forms, bracketed regions: 800 variants
DECOYS = 200
REPLACEMENTS = "甲乙丙丁戊己庚辛壬癸鑫垚淼犇骉"
DECOY_WORDS = "晨曦霁澜珏瑄翊琰璟骞昊旻煦朗钰瑾琦珩"
PROVINCES = ("北京", "江苏", "浙江", "广东", "山东", "四川", "湖北", "河南")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shipped(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Greenreg, Path]]:
    """The shipped lists loaded once per database for the whole module."""
    folder = tmp_path_factory.mktemp(f"shipped-{request.param}")
    if request.param == "postgres":
        request.getfixturevalue("postgres_url")
    with empty_database(request.param, folder) as url:
        facade = open_greenreg(url, clock=Clock())
        try:
            load_shipped_lists(facade, folder / "keys")
            yield facade, folder / "keys"
        finally:
            facade.close()


@pytest.fixture(scope="module")
def base_url(shipped: tuple[Greenreg, Path]) -> Iterator[str]:
    with serving(shipped[0]) as base:
        yield base


@pytest.fixture(scope="module")
def bank(shipped: tuple[Greenreg, Path]) -> dict[str, str]:
    """The headers of a bank holding an API key (matching by name needs one)."""
    _, key = ApiKeys(shipped[0].queries.store).issue("示例银行")
    return {"Authorization": f"Bearer {key}"}


def unit_names(facade: Greenreg) -> dict[str, str]:
    """Every unit's id and current name."""
    names: dict[str, str] = {}
    after = None
    while True:
        page = facade.queries.units(first=1_000, after=after)
        names.update({str(u.id): u.name for u in page.items})
        if not page.has_next_page:
            return names
        after = page.end_cursor


def unambiguous(names: dict[str, str]) -> list[str]:
    """Units whose core is at least 3 edits from every other unit's core (sorted ids)."""
    ids = sorted(names)
    cores = [parse(names[u]).core for u in ids]
    far = []
    for number, core in enumerate(cores):
        near = process.extract(core, cores, scorer=Levenshtein.distance, limit=2)
        others = [d for _, d, index in near if index != number]
        if len(core) >= 6 and (not others or others[0] > 2):
            far.append(ids[number])
    return far


def typo(name: str, rng: random.Random) -> str:
    core = parse(name).core
    if core not in name:  # a bracket inside the core: left to the other variants
        return name
    at = name.index(core) + rng.randrange(1, len(core))
    return name[:at] + rng.choice(REPLACEMENTS) + name[at + 1 :]


def traditional(name: str) -> str:
    return str(zhconv.convert(name, "zh-hk"))


def legal_form(name: str) -> str:
    for old, new in (
        ("股份有限公司", "有限公司"),
        ("有限责任公司", "有限公司"),
        ("集团有限公司", "有限公司"),
        ("有限公司", "有限责任公司"),
    ):
        if name.endswith(old):
            return name[: -len(old)] + new
    return name + "有限公司"


def bracketed(name: str, rng: random.Random) -> str:
    return f"{name}（{rng.choice(PROVINCES)}）"


def decoy(rng: random.Random) -> str:
    words = "".join(rng.sample(DECOY_WORDS, 4))
    return f"{rng.choice(PROVINCES)}{words}{rng.choice(('新材料', '智能装备', '精细化工'))}有限公司"


def borrowers(names: dict[str, str]) -> list[tuple[str, str | None, str]]:
    """1,000 ``(name, expected unit id or None, variant)``, the same for every run."""
    rng = random.Random(SEED)
    pool = unambiguous(names)
    rng.shuffle(pool)
    made: list[tuple[str, str | None, str]] = []
    makers = {
        "typo": lambda n: typo(n, rng),
        "traditional": traditional,
        "legal_form": legal_form,
        "bracketed_region": lambda n: bracketed(n, rng),
    }
    for kind, make in makers.items():
        count = 0
        while count < PER_KIND:
            unit = pool.pop()
            variant = make(names[unit])
            if variant != names[unit]:  # a name without traditional forms stays as it is
                made.append((variant, unit, kind))
                count += 1
    made += [(decoy(rng), None, "decoy") for _ in range(DECOYS)]
    rng.shuffle(made)
    return made


def test_a_bank_matches_1000_borrower_names_against_the_shipped_lists(
    shipped: tuple[Greenreg, Path], base_url: str, bank: dict[str, str]
) -> None:
    facade, keys = shipped
    names = unit_names(facade)
    assert len(names) == 3_140
    book = borrowers(names)
    assert len(book) == 1_000
    # Every variant differs from the name as recorded.
    assert all(name != names[unit] for name, unit, _ in book if unit is not None)

    # The bank sends the whole book in one request and asks for a signed receipt.
    with httpx.Client(base_url=base_url, timeout=120, headers=bank) as client:
        response = client.post(
            "/api/v1/match",
            json={
                "queries": [{"name": name} for name, _, _ in book],
                "as_of": "2022-06-30",
                "receipt": True,
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        log_key = trusted_log_key(client, ensure_key(keys, "root").public_key)  # type: ignore[arg-type]

    results: list[dict[str, Any]] = body["results"]
    assert [r["index"] for r in results] == list(range(1_000))
    right = wrong = missed = false_match = 0
    for (name, expected, kind), result in zip(book, results, strict=True):
        if expected is None:
            false_match += result["match"]
            assert result["status"] == "no_match", (name, result)
            assert "not that the unit is not certified" in result["coverage"]
            continue
        best = result["candidates"][0] if result["candidates"] else None
        if result["match"] and result["unit_id"] == expected:
            right += 1
        elif result["match"]:
            wrong += 1
        else:
            missed += 1
        assert result["unit_id"] == expected, (kind, name, names[expected], result)
        assert best is not None, (kind, name)
        assert best["score"] >= body["threshold"], (kind, name, best)
        assert best["outcome"] == "certified"  # every shipped unit is listed on 2022-06-30
        reason = {
            "typo": "similar name: 1 character differs",
            "traditional": "traditional characters",
            "legal_form": "legal-form variant",
            "bracketed_region": "bracketed qualifier variant",
        }[kind]
        assert any(r.startswith(reason) for r in best["reasons"]), (kind, name, best)
    precision = right / (right + wrong + false_match)
    recall = right / (right + wrong + missed)
    assert (precision, recall) == (1.0, 1.0), (right, wrong, missed, false_match)

    # The receipt verifies with the log key and holds the answer given.
    signed = verify_receipt(body["receipt"]["document"], log_key)
    assert signed["kind"] == "match"
    assert len(signed["answer"]["results"]) == 1_000


def test_lookup_finds_variants_of_a_shipped_name(base_url: str) -> None:
    # The four names that found nothing before: a wrong character, another legal form,
    # traditional characters, a bracketed region.
    expected = {
        "北京奔池汽车有限公司": "北京奔驰汽车有限公司",
        "北京奔驰汽车有限责任公司": "北京奔驰汽车有限公司",
        "蘇州工業園區": "苏州工业园区",
        "苏州工业园区（江苏）": "苏州工业园区",
    }
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for query, name in expected.items():
            response = client.get("/api/v1/lookup", params={"q": query, "limit": 3})
            assert response.status_code == 200, response.text
            hits = response.json()["hits"]
            assert hits, query
            assert hits[0]["unit"]["name"] == name, (query, hits)
            page = client.get("/", params={"q": query})
            assert name in page.text, query


def test_bad_match_requests_are_refused_clearly(base_url: str, bank: dict[str, str]) -> None:
    with httpx.Client(base_url=base_url, timeout=60, headers=bank) as client:
        # A query with neither name nor code fails its own row; the others are answered.
        response = client.post(
            "/api/v1/match",
            json={
                "queries": [
                    {"region": "江苏"},
                    {"name": "苏州工业园区"},
                    {"name": "x", "kind": "farm"},
                ]
            },
        )
        assert response.status_code == 200, response.text
        first, second, third = response.json()["results"]
        assert first["status"] == "invalid"
        assert first["error"] == "give a name or a credit code (or both) for each query"
        assert second["status"] == "match"
        assert third["status"] == "invalid"
        assert "park or enterprise" in third["error"]

        # 10,001 queries: the whole request is refused, saying the limit.
        response = client.post(
            "/api/v1/match", json={"queries": [{"name": "苏州工业园区"}] * 10_001}
        )
        assert response.status_code == 422, response.text
        assert "10000" in response.text.replace(",", "")

        # The same over GraphQL.
        query = "query M($q: [MatchQueryInput!]!) { match(queries: $q) { results { status } } }"
        response = client.post(
            "/graphql",
            json={"query": query, "variables": {"q": [{"name": "苏州工业园区"}] * 10_001}},
        )
        assert "BATCH_TOO_LARGE" in response.text, response.text
