"""REST answers on SQLite and PostgreSQL: a unit by id or credit code, the lookup by former name,
lists as JSON and CSV as of a day, bans, histories, the signed event feed; refusals with explicit
statuses; the data version in every read answer."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi.testclient import TestClient

from greenreg.events.acts import check_signature
from greenreg.events.signing import b64decode
from tests.e2e.support import (
    FACTORY_CODE,
    FACTORY_NAME,
    UNKNOWN_CODE,
    Scenario,
    graphql,
    refusal_of,
)
from tests.support import World


def test_a_unit_by_credit_code_or_id(client: TestClient, scenario: Scenario) -> None:
    by_code = client.get(f"/api/v1/units/{FACTORY_CODE}")
    assert by_code.status_code == 200
    body = by_code.json()
    assert body["unit"]["id"] == str(scenario.factory)
    assert [(d["programme"], d["status"]) for d in body["designations"]] == [
        ("green_factory", "removed")
    ]
    # Removed by Jiangsu for falsified data: barred from each of Jiangsu's green-manufacturing
    # lists for 3 years, through 2028-05-10 (003 art. 17(3)).
    assert sorted((b["programme"], b["jurisdiction"], b["last_day"]) for b in body["bans"]) == [
        (programme, "320000", "2028-05-10")
        for programme in ("green_factory", "green_park", "green_supply_chain")
    ]
    assert body["removals_due"] == []
    assert body["data_version"]["last_position"] > 0
    assert "Greenreg-Data-Version" in by_code.headers
    assert client.get(f"/api/v1/units/{scenario.factory}").json()["unit"] == body["unit"]


def test_unknown_and_malformed_units_are_refused(client: TestClient, scenario: Scenario) -> None:
    assert refusal_of(client.get(f"/api/v1/units/{UNKNOWN_CODE}"))[:2] == (404, "not_found")
    assert refusal_of(client.get("/api/v1/units/00000000-0000-4000-8000-000000000009"))[:2] == (
        404,
        "not_found",
    )
    assert refusal_of(client.get("/api/v1/units/91310115MA1K3BTP2X"))[:2] == (
        422,
        "invalid_credit_code",
    )
    assert refusal_of(client.get("/api/v1/units/hello"))[:2] == (422, "bad_reference")
    status, code, detail = refusal_of(client.get("/api/v1/units/苏州"))
    assert (status, code) == (422, "bad_reference")
    assert "'苏州' names no unit" in detail
    assert "/api/v1/lookup" in detail


def test_the_public_finds_a_unit_by_its_former_name(client: TestClient, scenario: Scenario) -> None:
    response = client.get("/api/v1/lookup", params={"q": "苏州工业园区"})
    assert response.status_code == 200
    hit = response.json()["hits"][0]
    assert hit["unit"]["id"] == str(scenario.park)
    assert hit["unit"]["name"] == "苏州工业园区绿色发展区"
    assert hit["matched"] == "former_name"
    assert refusal_of(client.get("/api/v1/lookup", params={"q": ""}))[:2] == (
        422,
        "invalid_parameter",
    )


def test_each_lookup_hit_says_whether_the_unit_is_certified(
    client: TestClient, scenario: Scenario
) -> None:
    # One request answers the public's question: each hit carries its titles as they stand.
    def lookup(q: str) -> dict[str, Any]:
        response = client.get("/api/v1/lookup", params={"q": q})
        assert response.status_code == 200
        hits: list[dict[str, Any]] = response.json()["hits"]
        assert len(hits) == 1
        return hits[0]

    park = lookup("苏州工业园区绿色发展区")
    assert park["certified"] is True
    assert [
        (t["programme"], t["level"], t["status"], t["since"], t["document_number"])
        for t in park["titles"]
    ] == [("green_park", "provincial", "listed", "2020-01-01", "苏工信节能〔2020〕1号")]
    # The factory was removed from Jiangsu's list: a title it held, not one it may use.
    factory = lookup(FACTORY_CODE)
    assert factory["certified"] is False
    assert [(t["programme"], t["status"]) for t in factory["titles"]] == [
        ("green_factory", "removed")
    ]
    # Registered, never listed: no title at all.
    bystander = lookup("兴安盟某制造有限公司")
    assert (bystander["certified"], bystander["titles"]) == (False, [])


def test_a_graphql_search_hit_says_whether_the_unit_is_certified(
    client: TestClient, scenario: Scenario
) -> None:
    data = graphql(
        client,
        "query($t: String!) { search(text: $t) { unit { name } certified "
        "titles { programme status inForce } } }",
        t="苏州",
    )
    found = {h["unit"]["name"]: h for h in data["data"]["search"]}
    park = found["苏州工业园区绿色发展区"]
    assert park["certified"] is True
    assert park["titles"] == [{"programme": "GREEN_PARK", "status": "LISTED", "inForce": True}]
    assert found[FACTORY_NAME]["certified"] is False


def test_a_list_as_json_and_as_csv(client: TestClient, scenario: Scenario) -> None:
    params = {"level": "provincial", "as_of": "2025-01-01"}
    body = client.get("/api/v1/lists/green_factory", params=params).json()
    # Jiangsu's green-factory list on 2025-01-01: the factory, under a rectification order.
    assert [(i["unit_name"], i["status"]) for i in body["items"]] == [(FACTORY_NAME, "warned")]
    response = client.get("/api/v1/lists/green_factory", params={**params, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [(r["unit_name"], r["status"], r["since"]) for r in rows] == [
        (FACTORY_NAME, "warned", "2019-10-15")
    ]
    assert refusal_of(client.get("/api/v1/lists/green_cars"))[:2] == (422, "invalid_parameter")


def test_bans_running_on_a_day(client: TestClient, scenario: Scenario) -> None:
    # The factory's removal from Jiangsu's list on 2025-05-10 bars it from Jiangsu's lists
    # through 2028-05-10, that day included (003 art. 17(3)).
    def running(day: str) -> list[tuple[str, str]]:
        bans = client.get("/api/v1/bans", params={"active_on": day}).json()["bans"]
        return sorted((b["unit_name"], b["programme"]) for b in bans)

    assert running("2025-05-09") == []
    assert running("2028-05-10") == [
        (FACTORY_NAME, programme)
        for programme in ("green_factory", "green_park", "green_supply_chain")
    ]
    assert running("2028-05-11") == []


def test_a_unit_history(client: TestClient, scenario: Scenario) -> None:
    body = client.get(f"/api/v1/units/{scenario.park}/history").json()
    assert [e["event_type"] for e in body["entries"]] == ["UnitRegistered", "Designated", "Renamed"]


def test_the_signed_event_feed_can_be_reverified(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    first = client.get("/api/v1/events", params={"limit": 3}).json()
    assert [e["position"] for e in first["events"]] == [0, 1, 2]
    assert first["next"] == 3
    rest = client.get("/api/v1/events", params={"after": first["next"], "limit": 1000}).json()
    assert rest["next"] is None
    events = first["events"] + rest["events"]
    assert len(events) == len(world.snapshot())
    # An inspector re-verifies a unit's designation with the authority's public key alone.
    designated = next(e for e in events if e["type"] == "Designated")
    signer = world.issuers[json.loads(designated["signed_act"])["authority"]].signer
    check_signature(
        json.loads(designated["signed_act"]),
        signer.public_key,
        b64decode(designated["signature"], "signature"),
    )
