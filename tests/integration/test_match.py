"""The bulk match on a small registry, on SQLite and PostgreSQL, over REST and GraphQL.

The scenario (``tests.e2e.support.populate``): 苏州工业园区, renamed 苏州工业园区绿色发展区 on
2022-06-01; 苏州虎丘新材料有限公司 (FACTORY_CODE), on Jiangsu's green-factory list from 2019,
ordered to rectify after a complaint, removed for fraud on 2025-05-10 (banned through
2028-05-10); a bystander never listed. Each step says what a bank expects.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from greenreg.matching.normalise import parse
from greenreg.projections.name_index import NameIndex, index_entries, name_index
from tests.e2e.support import (
    FACTORY_CODE,
    FACTORY_NAME,
    UNKNOWN_CODE,
    Scenario,
    facade_of,
    graphql,
)
from tests.support import World


def match(client: TestClient, *queries: dict[str, Any], **options: Any) -> list[dict[str, Any]]:
    response = client.post("/api/v1/match", json={"queries": list(queries), **options})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_a_credit_code_outranks_any_name(client: TestClient, scenario: Scenario) -> None:
    # The park's exact former name, with the factory's credit code: the code wins.
    [result] = match(client, {"name": "苏州工业园区", "credit_code": FACTORY_CODE.lower()})
    first, second = result["candidates"][:2]
    assert (first["unit_id"], first["matched"], first["score"]) == (
        str(scenario.factory),
        "credit_code",
        1.0,
    )
    assert second["unit_id"] == str(scenario.park)
    assert result["unit_id"] == str(scenario.factory)

    # An invalid code with a name: noted, and the name is matched.
    [result] = match(client, {"name": FACTORY_NAME, "credit_code": "91310115MA1K3BTP2X"})
    assert result["unit_id"] == str(scenario.factory)
    assert "credit code was not used" in result["notes"][0]


def test_former_names_regions_and_the_day_asked(client: TestClient, scenario: Scenario) -> None:
    # The park's former name matches, named as such, below its current name's score.
    [former, current] = match(client, {"name": "苏州工业园区"}, {"name": "苏州工业园区绿色发展区"})
    best = former["candidates"][0]
    assert (best["unit_id"], best["matched"], best["score"]) == (
        str(scenario.park),
        "former_name",
        0.95,
    )
    assert best["reasons"][0].startswith("former name (from 2017-01-01 to 2022-05-31)")
    assert current["candidates"][0]["matched"] == "name"

    # The factory, as of a day it was listed and a day after its removal.
    query = {"name": FACTORY_NAME.replace("有限公司", "有限责任公司")}
    [listed] = match(client, query, as_of="2020-01-01")
    [removed] = match(client, query, as_of="2025-06-01")
    assert listed["candidates"][0]["outcome"] == "certified"
    assert removed["candidates"][0]["outcome"] == "banned"  # 003 art. 17(3) after the removal
    assert removed["match"]  # still the same unit: a match is about identity

    # In the region given (a name, or a code), or in another: weighed, and said.
    [jiangsu, shanghai, code] = match(
        client,
        {**query, "region": "江苏"},
        {**query, "region": "上海市"},
        {**query, "region": "320000"},
    )
    assert jiangsu["candidates"][0]["score"] == code["candidates"][0]["score"] == 0.97
    assert shanghai["candidates"][0]["score"] == round(0.97 * 0.8, 4)
    assert any("another region" in r for r in shanghai["candidates"][0]["reasons"])
    assert not shanghai["match"]

    # As known before the factory was recorded: nothing, and the coverage is stated.
    [unknown] = match(client, query, known_at="2000-01-01T00:00:00+08:00")
    assert (unknown["status"], unknown["candidates"]) == ("no_match", [])
    assert "the provincial green park list of 江苏省 (2020, " in unknown["coverage"]


def test_the_successor_of_a_reorganised_unit(
    client: TestClient, scenario: Scenario, world: World
) -> None:
    facade = facade_of(client)
    heir = facade.submit(world.act("js-eit", "register_unit", effective_date="2022-12-01",
                         kind="park", name="苏州东部新城园区", credit_code=None,
                         division="320505")).subject_id  # fmt: skip
    facade.submit(world.act("js-eit", "reorganise", effective_date="2023-01-01",
                  reorganisation="merger", predecessors=[str(scenario.park)],
                  successors=[str(heir)], reported_on="2023-01-10"))  # fmt: skip

    [result] = match(client, {"name": "苏州工业园区绿色发展区"}, limit=5)
    by_unit = {c["unit_id"]: c for c in result["candidates"]}
    successor = by_unit[str(heir)]
    assert successor["matched"] == "successor"
    assert successor["score"] == 0.95
    assert successor["reasons"][0] == "successor of 苏州工业园区绿色发展区"
    assert by_unit[str(scenario.park)]["score"] == 1.0


def test_graphql_answers_as_rest_does(client: TestClient, scenario: Scenario) -> None:
    queries = [
        {"name": "蘇州工業園區綠色發展區"},
        {"creditCode": FACTORY_CODE},
        {"name": "无此企业"},
    ]
    body = graphql(
        client,
        """query M($q: [MatchQueryInput!]!) { match(queries: $q, asOf: "2024-01-01") {
             threshold results { index status match unitId error coverage
               candidates { unitId score match matched reasons outcome } } } }""",
        q=queries,
    )
    results = body["data"]["match"]["results"]
    rest = match(
        client,
        {"name": "蘇州工業園區綠色發展區"},
        {"credit_code": FACTORY_CODE},
        {"name": "无此企业"},
        as_of="2024-01-01",
    )
    assert [r["unitId"] for r in results] == [r["unit_id"] for r in rest]
    assert results[0]["candidates"][0]["reasons"] == ["same name", "traditional characters"]
    assert results[1]["candidates"][0]["outcome"] == "CERTIFIED"
    assert results[2]["status"] == "no_match"
    assert results[2]["coverage"]


def test_not_found_states_the_coverage(client: TestClient, scenario: Scenario) -> None:
    response = client.post("/api/v1/certifications", json={"refs": [UNKNOWN_CODE]})
    [result] = response.json()["results"]
    assert result["outcome"] == "not_found"
    assert (
        "The registry covers only: the provincial green factory list of 江苏省" in result["message"]
    )
    assert "not that the unit is not certified" in result["message"]
    lookup = client.get("/api/v1/lookup", params={"q": "无此企业"}).json()
    assert lookup["hits"] == []
    assert "The registry covers only" in lookup["coverage"]


def test_refused_match_requests_change_nothing(
    client: TestClient, scenario: Scenario, world: World
) -> None:
    before = world.snapshot()
    results = match(
        client,
        {},
        {"credit_code": "BAD"},
        {"name": "苏州工业园区", "region": "火星"},
        {"name": "苏州工业园区", "programme": "gold"},
        {"name": "（ ）"},
    )
    assert [r["status"] for r in results] == ["invalid"] * 5
    assert results[0]["error"] == "give a name or a credit code (or both) for each query"
    assert "BAD" in results[1]["error"]
    assert "火星" in results[2]["error"]
    assert "green_factory" in results[3]["error"]
    for body in (
        {"queries": [{"name": "x"}] * 10_001},
        {"queries": []},
        {"queries": [{"name": "x"}], "threshold": 1.5},
        {"queries": [{"name": "x"}], "limit": 11},
        {"queries": [{"name": "x", "colour": "green"}]},
    ):
        response = client.post("/api/v1/match", json=body)
        assert response.status_code == 422, (body, response.text)
    assert world.snapshot() == before


def test_a_match_after_a_write_sees_it_and_the_name_index_is_updated_not_rebuilt(
    client: TestClient, scenario: Scenario, world: World
) -> None:
    facade = facade_of(client)
    store = facade.queries.store
    [before] = match(client, {"name": FACTORY_NAME})
    assert before["unit_id"] == str(scenario.factory)
    first = name_index(store)

    # A new unit and a rename, each its own write: the next match finds both.
    park = facade.submit(world.act("js-eit", "register_unit", effective_date="2023-03-01",
                         kind="park", name="苏州吴中绿色循环产业园", credit_code=None,
                         division="320506")).subject_id  # fmt: skip
    facade.submit(world.act("js-eit", "rename", unit=FACTORY_CODE, effective_date="2023-06-01",
                  new_name="苏州虎丘绿能材料股份有限公司", reported_on="2023-06-05"))  # fmt: skip
    new, renamed, former = match(
        client,
        {"name": "苏州吴中绿色循环产业园"},
        {"name": "苏州虎丘绿能材料有限公司"},
        {"name": FACTORY_NAME},
        as_of="2024-01-01",
    )
    assert (new["unit_id"], new["candidates"][0]["matched"]) == (str(park), "name"), new[
        "candidates"
    ]
    assert (renamed["unit_id"], renamed["candidates"][0]["matched"]) == (
        str(scenario.factory),
        "name",
    )
    assert (former["unit_id"], former["candidates"][0]["matched"]) == (
        str(scenario.factory),
        "former_name",
    )

    # The index was updated from the units the writes touched (the factory's one name
    # replaced by its two, the park's added), not rebuilt: the same names as a rebuild from
    # every name; the earlier index is left as a match running on it saw it.
    updated = name_index(store)
    rebuilt = NameIndex(index_entries(store))
    assert (updated is not first, updated.dead, rebuilt.dead) == (True, 1, 0)
    assert live(updated) == live(rebuilt)
    assert str(park) not in {e.unit_id for e in first.candidates(parse("苏州吴中绿色循环产业园"))}
    for text in (
        "苏州吴中绿色循环产业园",
        "苏州虎丘绿能材料有限公司",
        FACTORY_NAME,
        "苏州工业园区",
    ):
        assert candidates(updated, text) == candidates(rebuilt, text), text


def live(index: NameIndex) -> list[tuple[str, ...]]:
    """The index's names and postings, by unit and name (not by slot), in a fixed order."""

    def named(number: int) -> tuple[str, str]:
        entry = index.entries[number]
        assert entry is not None, f"slot {number} is posted but replaced"
        return entry.unit_id, entry.name.norm

    names = sorted(named(n) for numbers in index.by_unit.values() for n in numbers)
    by_norm = sorted((norm, *named(n)) for norm, ns in index.by_norm.items() for n in ns)
    by_core = sorted((core, *named(n)) for core, ns in index.by_core.items() for n in ns)
    grams = sorted((gram, *named(n)) for gram, ns in index.postings.items() for n in ns)
    sized = sorted((g, str(size), *named(n)) for (g, size), ns in index.sized.items() for n in ns)
    alive = sum(e is not None for e in index.entries)
    assert alive == len(names), "every live entry is its unit's"
    assert all(index.cores[n] == e.name.core for n, e in enumerate(index.entries) if e)
    return [*names, *by_norm, *by_core, *grams, *sized]


def candidates(index: NameIndex, text: str) -> set[tuple[str, str]]:
    return {(e.unit_id, e.name.norm) for e in index.candidates(parse(text))}
