"""What the read side answers about third-party evaluators and public complaints.

- 003 art. 24: third-party evaluators with the same legal representative carry out at most 10
  provincial green-manufacturing evaluations a year. The registry counts them on the read side
  (``greenreg.projections.evaluators``): provincial designations governed by 003 that name an
  evaluator, by the calendar year of their effective date, in the order they were recorded.
  The 11th and later carry ``evaluation_cap_exceeded`` in the unit's history (REST and GraphQL,
  ``derived_flags``) and in the evaluator's answer (``GET /api/v1/evaluators/{ref}``, GraphQL
  ``evaluator``). National, Chongqing (001), municipal and pre-003 designations are not counted;
  a removal or a correction does not un-count.
- 003 art. 25: a complaint's recording and decision are lines of the unit's history; a verified
  complaint's rectification order puts the listing under rectification: ``warned``, not usable.

Jiangsu (320000) applies 003 from 2024-07-19 in the test world; every counted date lies inside.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import schemathesis
from fastapi.testclient import TestClient
from stdnum.cn import uscc

from greenreg.registry.evaluator import evaluator_id_for_credit_code
from tests.e2e.support import facade_of, refusal_of
from tests.support import World

CAP_CODE = "evaluation_cap_exceeded"
ART_24_SANCTION = "003 art. 24: results not accepted for 3 years"


def credit_code(division: str, serial: str) -> str:
    """A credit code issued in ``division`` (positions 3-8), with its check character."""
    body = f"91{division}MA1{serial:>6}".replace(" ", "0")[:17]
    return body + uscc.calc_check_digit(body)


WANG_A = credit_code("320505", "CAP01")  # 王某's first company
WANG_B = credit_code("320506", "CAP02")  # 王某's second company: the same legal representative
LI = credit_code("320505", "CAP03")  # 李某's company


class Registry:
    """The world's acts, submitted through the API's own registry (its read models catch up)."""

    def __init__(self, world: World, client: TestClient) -> None:
        self.world, self.client, self.facade = world, client, facade_of(client)

    def submit(self, issuer: str, type: str, **fields: Any) -> Any:
        return self.facade.submit(self.world.act(issuer, type, **fields))

    def evaluator(self, code: str, legal_representative: str) -> None:
        self.submit(
            "js-eit",
            "register_evaluator",
            effective_date="2024-07-01",
            name=f"评价机构 {code[-5:]}",
            credit_code=code,
            legal_representative=legal_representative,
        )

    def unit(self, name: str, *, issuer: str = "js-eit", division: str = "320505") -> UUID:
        receipt = self.submit(
            issuer,
            "register_unit",
            effective_date="2017-01-01",
            kind="enterprise",
            name=name,
            credit_code=None,
            division=division,
        )
        return UUID(str(receipt.subject_id))

    def designate(  # noqa: PLR0917 (the parts of a designation)
        self,
        issuer: str,
        unit: UUID,
        jurisdiction: str,
        day: str,
        by: str | None,
        programme: str = "green_supply_chain",
    ) -> Any:
        return self.submit(
            issuer,
            "designate",
            unit=str(unit),
            effective_date=day,
            programme=programme,
            jurisdiction=jurisdiction,
            batch=f"{day[:4]}年度",
            evaluator=by,
        )

    def provincial(self, name: str, day: str, by: str) -> UUID:
        """A new enterprise on Jiangsu's provincial supply-chain list on ``day``, evaluated by
        ``by``: one evaluation counted under 003 art. 24."""
        unit = self.unit(name)
        self.designate("js-eit", unit, "320000", day, by)
        return unit

    def history(self, unit: UUID) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.client.get(f"/api/v1/units/{unit}/history").json()[
            "entries"
        ]
        return entries

    def designation_flags(self, unit: UUID) -> list[list[dict[str, str]]]:
        """The derived flags of each of the unit's designation entries, oldest first (REST)."""
        return [e["derived_flags"] for e in self.history(unit) if e["event_type"] == "Designated"]

    def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        answer = self.client.post("/graphql", json={"query": query, "variables": variables})
        body: dict[str, Any] = answer.json()
        assert "errors" not in body, body
        return body["data"]


def cap_codes(flags: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(f["code"], f["rule"]) for f in flags]


HISTORY = """query($id: ID!) { history(unitId: $id) { entries {
  eventType flags derivedFlags { code rule message } } } }"""
EVALUATOR = """query($ref: String!) { evaluator(ref: $ref) {
  id name creditCode legalRepresentative
  sanctions { rule source area firstDay lastDay ground }
  evaluations { unitId programme level jurisdiction effectiveDate countedBy place
                flags { code rule message } }
  yearlyCounts { legalRepresentative year count byThisEvaluator cap rule exceeded } } }"""


def test_003_art_24_the_11th_provincial_evaluation_of_a_year_is_flagged(
    world: World, client: TestClient
) -> None:
    r = Registry(world, client)
    # 王某 is the legal representative of two evaluators; 李某 of a third.
    r.evaluator(WANG_A, "王某")
    r.evaluator(WANG_B, "王某")
    r.evaluator(LI, "李某")
    # Before 003 was in force in Jiangsu (2024-07-18), a provincial evaluation is not counted.
    before = r.provincial("企业 早", "2024-07-18", WANG_A)
    # Nine provincial evaluations in 2025 by 王某's two companies ...
    for n in range(9):
        r.provincial(f"企业 {n}", f"2025-0{n + 1}-10", WANG_A if n % 2 else WANG_B)
    # ... and, recorded among them, designations that are not provincial 003 evaluations:
    # MIIT's national list, Chongqing's list (001), Suzhou's municipal list.
    elsewhere = r.unit("企业 多处")
    r.designate("miit", elsewhere, "CN", "2025-10-01", WANG_A)
    r.designate("sz-eit", elsewhere, "320500", "2025-10-02", WANG_A)
    chongqing = r.unit("重庆企业", issuer="cq-eit", division="500112")
    r.designate("cq-eit", chongqing, "500000", "2025-10-03", WANG_A, "green_factory")
    # The 10th of 2025, on 2025-12-30: at the cap, not over it.
    tenth = r.provincial("企业 第十", "2025-12-30", WANG_B)
    at_cap = client.get(f"/api/v1/evaluators/{WANG_B}").json()["evaluator"]["yearly_counts"]
    assert [(y["year"], y["count"], y["exceeded"]) for y in at_cap] == [(2025, 10, False)]
    # The 11th, on the year's last day: over the cap, flagged.
    eleventh = r.provincial("企业 第十一", "2025-12-31", WANG_A)
    # MIIT lists the 10th's unit nationally the same day, on the same company's report: not a
    # provincial evaluation, so neither counted nor flagged although the year is over the cap.
    r.designate("miit", tenth, "CN", "2025-12-31", WANG_A)
    # The first of 2026, on its first day: a new year, not flagged.
    next_year = r.provincial("企业 新年", "2026-01-01", WANG_A)
    # 李某's company in 2025: another legal representative, its first.
    other = r.provincial("企业 李", "2025-12-31", LI)

    # The unit's history: only the 11th's designation entry carries the flag, with its rule
    # and a message naming the year, the place and the legal representative.
    assert r.designation_flags(tenth) == [[], []]
    ((flag,),) = r.designation_flags(eleventh)
    assert (flag["code"], flag["rule"]) == (CAP_CODE, "003 art. 24")
    assert "11th" in flag["message"]
    assert "2025" in flag["message"]
    assert "王某" in flag["message"]
    assert WANG_A in flag["message"]
    # The signed event's own flags are untouched: the cap is the read side's count.
    (designated,) = [e for e in r.history(eleventh) if e["event_type"] == "Designated"]
    assert designated["flags"] == []
    for unit in (next_year, other, before, elsewhere, chongqing):
        assert all(flags == [] for flags in r.designation_flags(unit)), unit
    # GraphQL's history says the same.
    entries = r.graphql(HISTORY, id=str(eleventh))["history"]["entries"]
    assert [e["derivedFlags"] for e in entries if e["eventType"] == "Designated"] == [
        [{"code": CAP_CODE, "rule": "003 art. 24", "message": flag["message"]}]
    ]
    entries = r.graphql(HISTORY, id=str(tenth))["history"]["entries"]
    assert all(e["derivedFlags"] == [] for e in entries)

    # The evaluator's answer (REST, by credit code): who it is, each designation naming it
    # with its place in the year's count, and the yearly counts of its legal representative.
    body = client.get(f"/api/v1/evaluators/{WANG_A}").json()["evaluator"]
    assert body["id"] == str(evaluator_id_for_credit_code(WANG_A))
    assert (body["credit_code"], body["legal_representative"]) == (WANG_A, "王某")
    places = [
        (e["jurisdiction"], e["effective_date"], e["counted_by"], e["place"], cap_codes(e["flags"]))
        for e in body["evaluations"]
    ]
    assert places == [
        ("320000", "2024-07-18", None, None, []),
        ("320000", "2025-02-10", "003 art. 24", 2, []),
        ("320000", "2025-04-10", "003 art. 24", 4, []),
        ("320000", "2025-06-10", "003 art. 24", 6, []),
        ("320000", "2025-08-10", "003 art. 24", 8, []),
        ("CN", "2025-10-01", None, None, []),
        ("320500", "2025-10-02", None, None, []),
        ("500000", "2025-10-03", None, None, []),
        ("320000", "2025-12-31", "003 art. 24", 11, [(CAP_CODE, "003 art. 24")]),
        ("CN", "2025-12-31", None, None, []),
        ("320000", "2026-01-01", "003 art. 24", 1, []),
    ]
    assert body["evaluations"][8]["flags"][0]["message"] == flag["message"]
    counts = [
        (y["legal_representative"], y["year"], y["count"], y["by_this_evaluator"], y["exceeded"])
        for y in body["yearly_counts"]
    ]
    assert counts == [("王某", 2025, 11, 5, True), ("王某", 2026, 1, 1, False)]
    assert {(y["cap"], y["rule"]) for y in body["yearly_counts"]} == {(10, "003 art. 24")}
    # By id, the other company of 王某 shares the yearly count; 李某's does not.
    by_id = client.get(f"/api/v1/evaluators/{evaluator_id_for_credit_code(WANG_B)}").json()
    assert [
        (y["year"], y["count"], y["by_this_evaluator"]) for y in by_id["evaluator"]["yearly_counts"]
    ] == [(2025, 11, 6), (2026, 1, 0)]
    li = client.get(f"/api/v1/evaluators/{LI}").json()["evaluator"]
    assert [(y["year"], y["count"], y["exceeded"]) for y in li["yearly_counts"]] == [
        (2025, 1, False)
    ]

    # GraphQL's evaluator(ref:) gives the same answer.
    record = r.graphql(EVALUATOR, ref=WANG_A)["evaluator"]
    assert (record["creditCode"], record["legalRepresentative"]) == (WANG_A, "王某")
    assert [(e["place"], e["level"]) for e in record["evaluations"]][-3:] == [
        (11, "PROVINCIAL"),
        (None, "NATIONAL"),
        (1, "PROVINCIAL"),
    ]
    assert record["evaluations"][-3]["flags"][0]["code"] == CAP_CODE
    assert [(y["year"], y["count"], y["exceeded"]) for y in record["yearlyCounts"]] == [
        (2025, 11, True),
        (2026, 1, False),
    ]


def test_003_art_24_counted_in_the_order_recorded_and_never_un_counted(
    world: World, client: TestClient
) -> None:
    r = Registry(world, client)
    r.evaluator(WANG_A, "王某")
    # Ten provincial evaluations of 2025, all dated in December, recorded first.
    first = r.unit("企业 首")
    first_act = r.designate("js-eit", first, "320000", "2025-12-01", WANG_A).act_id
    for n in range(9):
        r.provincial(f"企业 {n}", f"2025-12-{n + 2:02}", WANG_A)
    # An 11th recorded after them, although effective earlier in the year (March): it is the
    # one flagged, since the registry counts in the order it learnt of them, and a flag once
    # shown never moves to another designation.
    march = r.provincial("企业 三月", "2025-03-03", WANG_A)
    assert cap_codes(r.designation_flags(march)[0]) == [(CAP_CODE, "003 art. 24")]
    assert r.designation_flags(first) == [[]]
    # Jiangsu removes the first unit from its list, and corrects the document number of its
    # designation: the evaluation was made, and stays counted.
    r.submit(
        "js-eit",
        "correct",
        unit=str(first),
        effective_date="2025-12-05",
        corrects=str(first_act),
        changes={"document_number": "苏工信节能〔2025〕12号"},
        reason="文号笔误",
    )
    r.submit(
        "js-eit",
        "remove",
        unit=str(first),
        effective_date="2026-02-01",
        ground="fraud",
        programme="green_supply_chain",
        jurisdiction="320000",
    )
    assert cap_codes(r.designation_flags(march)[0]) == [(CAP_CODE, "003 art. 24")]
    # A 12th after the removal is flagged too, as the 12th.
    twelfth = r.provincial("企业 十二", "2025-12-20", WANG_A)
    ((flag,),) = r.designation_flags(twelfth)
    assert "12th" in flag["message"]
    body = client.get(f"/api/v1/evaluators/{WANG_A}").json()["evaluator"]
    assert [(y["year"], y["count"]) for y in body["yearly_counts"]] == [(2025, 12)]
    # The removed unit's evaluation is still listed first, in its place.
    assert (body["evaluations"][0]["unit_id"], body["evaluations"][0]["place"]) == (
        str(first),
        1,
    )


def test_the_evaluator_answer_states_its_sanctions_and_refuses_a_bad_reference(
    world: World, client: TestClient
) -> None:
    r = Registry(world, client)
    r.evaluator(WANG_A, "王某")
    # Jiangsu finds falsification and sanctions it under 003 art. 24: three years.
    r.submit(
        "js-eit",
        "sanction_evaluator",
        effective_date="2025-09-02",
        evaluator=WANG_A,
        ground="falsification",
    )
    body = client.get(f"/api/v1/evaluators/{WANG_A.lower()}").json()["evaluator"]
    sanctions = [
        (s["rule"], s["source"], s["area"], s["first_day"], s["last_day"], s["ground"])
        for s in body["sanctions"]
    ]
    assert sanctions == [
        (ART_24_SANCTION, "003", "320000", "2025-09-02", "2028-09-02", "falsification")
    ]
    assert (body["evaluations"], body["yearly_counts"]) == ([], [])
    record = r.graphql(EVALUATOR, ref=str(evaluator_id_for_credit_code(WANG_A)))["evaluator"]
    assert record["sanctions"] == [
        {
            "rule": ART_24_SANCTION,
            "source": "003",
            "area": "320000",
            "firstDay": "2025-09-02",
            "lastDay": "2028-09-02",
            "ground": "falsification",
        }
    ]
    # A valid code of no registered evaluator: 404 in REST, null in GraphQL.
    assert refusal_of(client.get(f"/api/v1/evaluators/{LI}"))[:2] == (404, "not_found")
    assert r.graphql(EVALUATOR, ref=LI) == {"evaluator": None}
    # A code whose check character is wrong, or no code at all: 422, saying why.
    status, _, message = refusal_of(client.get(f"/api/v1/evaluators/{WANG_A[:-1]}1"))
    assert (status, "check character" in message) == (422, True)
    assert refusal_of(client.get("/api/v1/evaluators/somebody"))[:2] == (422, "bad_reference")


def test_the_evaluator_answer_conforms_to_its_openapi_schema(
    world: World, client: TestClient
) -> None:
    r = Registry(world, client)
    r.evaluator(WANG_A, "王某")
    r.submit(
        "js-eit",
        "sanction_evaluator",
        effective_date="2025-09-02",
        evaluator=WANG_A,
        ground="falsification",
    )
    for n in range(11):
        r.provincial(f"企业 {n}", f"2025-01-{n + 1:02}", WANG_A)
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operation = schema["/api/v1/evaluators/{ref}"]["GET"]
    declared = operation.definition.raw["responses"]["200"]["content"]["application/json"]
    assert declared["schema"], "the 200 answer has a declared schema"
    response = client.get(f"/api/v1/evaluators/{WANG_A}")
    assert response.status_code == 200
    operation.validate_response(response)


# --- complaints on the read side (003 art. 25) ---------------------------------------------

MUNICIPAL = {"programme": "green_factory", "jurisdiction": "320500"}


def test_003_art_25_complaints_in_the_history_and_rectification_not_usable(
    world: World, client: TestClient
) -> None:
    r = Registry(world, client)
    # A Suzhou factory on Suzhou's green-factory list since 2024-08-01.
    factory = r.unit("苏州某绿色工厂", issuer="sz-eit")
    r.submit("sz-eit", "designate", unit=str(factory), effective_date="2024-08-01", **MUNICIPAL)
    # Suzhou receives a complaint on 2024-10-08: a line of the history, nothing else changes.
    complaint = r.submit(
        "sz-eit",
        "record_complaint",
        unit=str(factory),
        effective_date="2024-10-08",
        matter="能耗数据与实际不符",
        **MUNICIPAL,
    ).act_id
    last = r.history(factory)[-1]
    assert (last["event_type"], last["effective_date"]) == ("ComplaintRecorded", "2024-10-08")
    assert last["summary"] == (
        "complaint received about green_factory (320500): 能耗数据与实际不符 (003 art. 25)"
    )
    unit = client.get(f"/api/v1/units/{factory}").json()
    assert [(d["status"], d["in_force"]) for d in unit["designations"]] == [("listed", True)]

    # Verified: Suzhou orders rectification by 2025-01-31, effective 2024-10-20.
    r.submit(
        "sz-eit",
        "decide_complaint",
        unit=str(factory),
        effective_date="2024-10-20",
        complaint=str(complaint),
        outcome="rectification",
        rectify_by="2025-01-31",
        removal=None,
    )
    last = r.history(factory)[-1]
    assert last["event_type"] == "ComplaintDecided"
    assert last["summary"] == (
        f"complaint {complaint} verified: rectification ordered on green_factory (320500), "
        "rectify by 2025-01-31 (003 art. 25)"
    )
    # The listing is under rectification: warned, not in force, with its deadline ...
    unit = client.get(f"/api/v1/units/{factory}").json()
    ((listing,),) = [unit["designations"]]
    assert (listing["status"], listing["in_force"], listing["rectify_by"]) == (
        "warned",
        False,
        "2025-01-31",
    )
    # ... so the bank check answers warned, not certified, during the order ...
    check = {"refs": [str(factory)], "as_of": "2024-12-01"}
    (result,) = client.post("/api/v1/certifications", json=check).json()["results"]
    assert (result["outcome"], result["certified"]) == ("warned", False)
    assert [(x["status"], x["rectify_by"]) for x in result["restricted"]] == [
        ("warned", "2025-01-31")
    ]
    # ... and certified the day before the order took effect.
    check["as_of"] = "2024-10-19"
    (result,) = client.post("/api/v1/certifications", json=check).json()["results"]
    assert result["outcome"] == "certified"
    # Suzhou's list, restricted to usable titles, no longer holds it; its status filter does.
    where = "/api/v1/lists/green_factory?jurisdiction=320500&status="
    listed, warned = client.get(where + "listed"), client.get(where + "warned")
    assert str(factory) not in listed.text
    assert str(factory) in warned.text

    # Rectified: Suzhou lifts the order on 2025-01-20 and the title is usable again.
    r.submit("sz-eit", "lift_warning", unit=str(factory), effective_date="2025-01-20", **MUNICIPAL)
    unit = client.get(f"/api/v1/units/{factory}").json()
    assert [(d["status"], d["in_force"]) for d in unit["designations"]] == [("listed", True)]
    assert [e["event_type"] for e in r.history(factory)][-3:] == [
        "ComplaintRecorded",
        "ComplaintDecided",
        "WarningLifted",
    ]


def test_003_art_25_an_unfounded_complaint_is_closed_in_the_history(
    world: World, client: TestClient
) -> None:
    r = Registry(world, client)
    factory = r.unit("苏州某工厂", issuer="sz-eit")
    r.submit("sz-eit", "designate", unit=str(factory), effective_date="2024-08-01", **MUNICIPAL)
    complaint = r.submit(
        "sz-eit",
        "record_complaint",
        unit=str(factory),
        effective_date="2024-10-08",
        matter="数据不实",
        **MUNICIPAL,
    ).act_id
    # Jiangsu, the province, finds it unfounded: closed, the title stays usable.
    r.submit(
        "js-eit",
        "decide_complaint",
        unit=str(factory),
        effective_date="2024-10-20",
        complaint=str(complaint),
        outcome="unfounded",
        rectify_by=None,
        removal=None,
    )
    last = r.history(factory)[-1]
    assert (last["event_type"], last["authority_code"]) == ("ComplaintDecided", "js-eit")
    assert last["summary"] == f"complaint {complaint} found unfounded: closed (003 art. 25)"
    unit = client.get(f"/api/v1/units/{factory}").json()
    assert [(d["status"], d["in_force"]) for d in unit["designations"]] == [("listed", True)]
    # GraphQL's history carries the same lines.
    entries = r.graphql(HISTORY, id=str(factory))["history"]["entries"]
    assert [e["eventType"] for e in entries][-2:] == ["ComplaintRecorded", "ComplaintDecided"]
