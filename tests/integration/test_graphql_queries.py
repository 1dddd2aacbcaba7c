"""GraphQL answers for the public and for banks, on SQLite and PostgreSQL: the bank check with
every outcome, lookups by id, credit code, global id and former name, lists as of a day, bans,
histories, Relay-style pages, the data version in every answer, and no N+1 reads."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.support import (
    BYSTANDER_CODE,
    FACTORY_CODE,
    FACTORY_NAME,
    UNKNOWN_CODE,
    Scenario,
    count_reads,
    facade_of,
    graphql,
)
from tests.support import World

CHECK = """
query Check($refs: [String!]!, $asOf: Date) {
  certifications(refs: $refs, asOf: $asOf) {
    asOf
    dataVersion { lastPosition }
    results { ref outcome certified name unitId
              designations { programme level jurisdiction since documentNumber }
              bans { lastDay rule } evidence { eventId position } message }
  }
}
"""


def check(client: TestClient, refs: list[str], as_of: str) -> list[dict[str, object]]:
    body = graphql(client, CHECK, refs=refs, asOf=as_of)
    assert "errors" not in body, body["errors"]
    answer = body["data"]["certifications"]
    assert answer["asOf"] == as_of
    results: list[dict[str, object]] = answer["results"]
    return results


def test_the_bank_check_answers_each_reference_in_order(
    client: TestClient, scenario: Scenario
) -> None:
    refs = [FACTORY_CODE, "not-a-code", str(scenario.park), UNKNOWN_CODE, BYSTANDER_CODE]

    results = check(client, refs, "2020-06-01")

    assert [r["ref"] for r in results] == refs
    assert [r["outcome"] for r in results] == [
        "CERTIFIED",
        "INVALID_CODE",
        "CERTIFIED",
        "NOT_FOUND",
        "NOT_LISTED",
    ]
    factory = results[0]
    assert factory["certified"] is True
    assert factory["unitId"] == str(scenario.factory)
    assert factory["designations"] == [
        {
            "programme": "GREEN_FACTORY",
            "level": "PROVINCIAL",
            "jurisdiction": "320000",
            "since": "2019-10-15",
            "documentNumber": "苏工信节能〔2019〕398号",
        }
    ]
    assert factory["evidence"], "a certified answer names the events it rests on"
    assert results[1]["message"], "an invalid code says why"


def test_the_bank_check_follows_the_factory_through_its_life(
    client: TestClient, scenario: Scenario
) -> None:
    outcomes = {
        day: check(client, [FACTORY_CODE], day)[0]["outcome"]
        for day in (
            "2019-10-14",
            "2019-10-15",
            "2024-08-31",
            "2024-09-01",
            "2025-05-09",
            "2028-05-10",
            "2028-05-11",
        )
    }
    # Listed, then under the rectification order of a verified complaint (003 art. 25), then
    # removed by Jiangsu and barred from its lists through 2028-05-10 (003 art. 17(3)).
    assert outcomes == {
        "2019-10-14": "NOT_LISTED",
        "2019-10-15": "CERTIFIED",
        "2024-08-31": "CERTIFIED",
        "2024-09-01": "WARNED",
        "2025-05-09": "WARNED",
        "2028-05-10": "BANNED",
        "2028-05-11": "REMOVED",
    }
    [removed] = check(client, [FACTORY_CODE], "2026-01-01")
    assert {(b["lastDay"], b["rule"]) for b in removed["bans"]} == {
        ("2028-05-10", "003 art. 17(3): 3 years")
    }


def test_every_answer_states_its_data_version(client: TestClient, scenario: Scenario) -> None:
    body = graphql(client, CHECK, refs=[FACTORY_CODE], asOf="2020-06-01")
    version = body["extensions"]["dataVersion"]
    assert version["lastPosition"] == version["projectedPosition"] > 0
    assert body["data"]["certifications"]["dataVersion"]["lastPosition"] == version["lastPosition"]
    assert graphql(client, "{ __typename }")["extensions"]["dataVersion"] == version


def test_a_unit_by_id_credit_code_and_global_id(client: TestClient, scenario: Scenario) -> None:
    query = "query U($id: ID!) { unit(id: $id) { id unitId name creditCode } }"
    by_code = graphql(client, query, id=FACTORY_CODE)["data"]["unit"]
    assert by_code["unitId"] == str(scenario.factory)
    by_id = graphql(client, query, id=str(scenario.factory))["data"]["unit"]
    assert by_id == by_code
    node = graphql(
        client, "query N($id: ID!) { node(id: $id) { id ... on Unit { name } } }", id=by_code["id"]
    )["data"]["node"]
    assert node == {"id": by_code["id"], "name": FACTORY_NAME}
    assert graphql(client, query, id=UNKNOWN_CODE)["data"]["unit"] is None


def test_the_public_finds_a_park_by_its_former_name(client: TestClient, scenario: Scenario) -> None:
    query = "{ search(text: $text) { matched unit { name formerNames { name validUntil } } } }"
    body = graphql(client, "query S($text: String!) " + query, text="苏州工业园区")
    hits = body["data"]["search"]
    park = next(h for h in hits if h["unit"]["name"] == "苏州工业园区绿色发展区")
    assert park["unit"]["formerNames"] == [{"name": "苏州工业园区", "validUntil": "2022-05-31"}]


def test_a_list_as_of_a_day(client: TestClient, scenario: Scenario) -> None:
    query = """query L($asOf: Date) { designations(programme: GREEN_FACTORY, level: PROVINCIAL,
        asOf: $asOf) { nodes { unitName status since } } }"""

    def statuses(as_of: str) -> list[tuple[str, str]]:
        nodes = graphql(client, query, asOf=as_of)["data"]["designations"]["nodes"]
        return [(n["unitName"], n["status"]) for n in nodes]

    assert statuses("2020-01-01") == [(FACTORY_NAME, "LISTED")]
    assert statuses("2025-01-01") == [(FACTORY_NAME, "WARNED")]
    assert statuses("2026-01-01") == [(FACTORY_NAME, "REMOVED")]


def test_bans_and_history(client: TestClient, scenario: Scenario) -> None:
    # The scenario's only removal is Jiangsu's: a ban on each of its green-manufacturing lists
    # through 2028-05-10 (003 art. 17(3)).
    bans = graphql(client, '{ bans(activeOn: "2026-05-10") { unitId lastDay } }')["data"]["bans"]
    assert bans == [{"unitId": str(scenario.factory), "lastDay": "2028-05-10"}] * 3
    history = graphql(
        client,
        "query H($id: ID!) { history(unitId: $id) { entries { eventType effectiveDate } } }",
        id=FACTORY_CODE,
    )["data"]["history"]
    assert [e["eventType"] for e in history["entries"]] == [
        "UnitRegistered",
        "Designated",
        "ComplaintRecorded",
        "ComplaintDecided",
        "Removed",
    ]


def test_units_come_in_pages(client: TestClient, scenario: Scenario) -> None:
    query = """query P($after: String) { units(first: 2, after: $after) {
        edges { node { unitId } } pageInfo { hasNextPage endCursor } } }"""
    first = graphql(client, query)["data"]["units"]
    assert len(first["edges"]) == 2
    assert first["pageInfo"]["hasNextPage"] is True
    second = graphql(client, query, after=first["pageInfo"]["endCursor"])["data"]["units"]
    assert second["pageInfo"]["hasNextPage"] is False
    seen = [e["node"]["unitId"] for e in first["edges"] + second["edges"]]
    assert sorted(seen) == sorted(
        str(u) for u in (scenario.park, scenario.factory, scenario.bystander)
    )


def test_a_page_of_100_units_reads_a_fixed_number_of_times(
    client: TestClient, world: World
) -> None:
    facade = facade_of(client)
    acts = [
        world.act(
            "js-eit",
            "register_unit",
            effective_date="2017-01-01",
            kind="park",
            name=f"苏州第{i}园区",
            credit_code=None,
            division="320500",
        )
        for i in range(100)
    ]
    parks = [receipt.subject_id for receipt in facade.submit_batch(acts)]
    facade.submit_batch(
        world.act(
            "js-eit",
            "designate",
            unit=str(park),
            effective_date="2020-01-01",
            programme="green_park",
            jurisdiction="320000",
            batch="第一批",
            grade=None,
        )
        for park in parks
    )
    query = """{ units(first: 100) { nodes { name formerNames { name } predecessors { name }
        designations { programme status unit { name } } } } }"""
    reads = count_reads(facade)
    body = graphql(client, query.replace("100", "10"))
    assert len(body["data"]["units"]["nodes"]) == 10
    reads_for_10 = list(reads)
    reads.clear()

    body = graphql(client, query)

    nodes = body["data"]["units"]["nodes"]
    assert len(nodes) == 100
    assert all(n["designations"][0]["unit"]["name"] == n["name"] for n in nodes)
    # The data version, the page, one batch of designations for all the page's units, one
    # batch of predecessors: as many reads for 100 units as for 10, and a handful at that.
    assert len(reads) == len(reads_for_10)
    assert len(reads) <= 6, reads
