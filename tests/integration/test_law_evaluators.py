"""Third-party evaluators as records of their own: registered once, named on designations, and
sanctioned under the rules that provide it (003 art. 24; 001 art. 22).

Dates lie inside each text's period: Jiangsu applies 003 from 2024-07-19, Chongqing's 001 is in
force from 2024-03-06. Every refusal says why in words and records nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from greenreg.errors import (
    CompetenceError,
    ConflictError,
    CreditCodeError,
    GreenregError,
    NotFoundError,
    RuleError,
)
from greenreg.events.vocabulary import Designated
from greenreg.registry.evaluator import evaluator_id_for_credit_code
from greenreg.storage.log_key import declare
from tests.e2e.support import facade_of
from tests.integration.test_tamper_rules import problems, smuggle, verify
from tests.support import World

EVALUATOR = "91320500MA1XY1200Q"  # 苏州某绿色评价咨询有限公司
OTHER_EVALUATOR = "91320505MA1AB3400N"  # same legal representative, another company
CQ_EVALUATOR = "91500103MA5NP33009"


def register_evaluator(
    world: World, issuer: str = "js-eit", code: str = EVALUATOR, **extra: Any
) -> UUID:
    fields = {
        "name": f"评价机构 {code[-4:]}",
        "credit_code": code,
        "legal_representative": "王某",
        "effective_date": "2024-07-01",
        **extra,
    }
    return world.submit(issuer, "register_evaluator", **fields).subject_id


def enterprise(world: World, issuer: str, division: str, code: str | None = None) -> UUID:
    return world.register(
        issuer, f"企业 {division} {code or ''}", division, kind="enterprise", credit_code=code
    )


def designation(
    world: World, issuer: str, unit: UUID, jurisdiction: str, day: str, *, by: str | None
) -> dict[str, Any]:
    return world.act(
        issuer,
        "designate",
        unit=str(unit),
        effective_date=day,
        programme="green_factory",
        jurisdiction=jurisdiction,
        batch=f"{day[:4]}年度",
        grade=None,
        evaluator=by,
    )


def refused(world: World, act: dict[str, Any], error: type[GreenregError], words: str) -> str:
    """Submit ``act``: it must be refused with ``error`` saying ``words``, recording nothing."""
    before = world.snapshot()
    with pytest.raises(error, match=words) as caught:
        world.registry.submit(act)
    assert world.snapshot() == before
    return str(caught.value)


def test_an_evaluator_is_registered_once_under_its_checked_credit_code(world: World) -> None:
    # Jiangsu registers an evaluator; its id derives from its credit code.
    evaluator = register_evaluator(world)
    assert evaluator == evaluator_id_for_credit_code(EVALUATOR)
    # Chongqing cannot register it again: one evaluator, one record.
    again = world.act(
        "cq-eit",
        "register_evaluator",
        effective_date="2024-08-01",
        name="另一个名字",
        credit_code=EVALUATOR,
        legal_representative="王某",
    )
    refused(world, again, ConflictError, "already registered")
    # A wrong check character is refused by GB 32100.
    wrong = world.act(
        "js-eit",
        "register_evaluator",
        effective_date="2024-08-01",
        name="假机构",
        credit_code=EVALUATOR[:-1] + "1",
        legal_representative="李某",
    )
    refused(world, wrong, CreditCodeError, "check character")
    # The root key registers authorities, not evaluators.
    by_root = world.act(
        world.root,
        "register_evaluator",
        effective_date="2024-08-01",
        name="根",
        credit_code=OTHER_EVALUATOR,
        legal_representative="李某",
    )
    refused(world, by_root, CompetenceError, "not the root key")


def test_a_designation_names_its_evaluator_and_only_a_registered_one(world: World) -> None:
    factory = enterprise(world, "sz-eit", "320505")
    # An evaluator nobody registered: refused, nothing recorded.
    unknown = designation(world, "sz-eit", factory, "320500", "2024-09-01", by=EVALUATOR)
    refused(world, unknown, NotFoundError, "no evaluator")
    # Registered, it is named on the designation (by credit code here).
    register_evaluator(world)
    world.registry.submit(
        designation(world, "sz-eit", factory, "320500", "2024-09-01", by=EVALUATOR)
    )
    events = list(world.registry.repository.event_store.get(factory))
    designated = [e for e in events if isinstance(e, Designated)]
    assert designated[-1].evaluator == EVALUATOR


def test_003_art_24_a_sanctioned_evaluator_is_not_accepted_for_three_years(world: World) -> None:
    """Jiangsu verifies that an evaluator falsified an evaluation and publishes it on
    2024-09-02; for three years, end day included (through 2027-09-02), Jiangsu's lists do not
    accept its results."""
    register_evaluator(world)
    units = [enterprise(world, "sz-eit", "320505") for _ in range(1)]
    units += [world.register("sz-eit", f"工厂 {n}", "320505", kind="enterprise") for n in range(4)]
    world.submit(
        "js-eit",
        "sanction_evaluator",
        effective_date="2024-09-02",
        evaluator=EVALUATOR,
        ground="falsification",
    )
    # The day before the sanction, Suzhou's list accepts a designation resting on its report.
    world.registry.submit(
        designation(world, "sz-eit", units[0], "320500", "2024-09-01", by=EVALUATOR)
    )
    # On the day of the sanction: refused, saying until when.
    on_the_day = designation(world, "sz-eit", units[1], "320500", "2024-09-02", by=EVALUATOR)
    message = refused(world, on_the_day, RuleError, "not accepted")
    assert "2027-09-02 inclusive" in message
    assert "003 art. 24" in message
    # The last day of the three years: still refused.
    last_day = designation(world, "sz-eit", units[1], "320500", "2027-09-02", by=EVALUATOR)
    refused(world, last_day, RuleError, "not accepted")
    # The day after: accepted again.
    world.registry.submit(
        designation(world, "sz-eit", units[1], "320500", "2027-09-03", by=EVALUATOR)
    )
    # A designation naming no evaluator is not affected.
    world.registry.submit(designation(world, "sz-eit", units[2], "320500", "2025-01-01", by=None))
    # Jiangsu's sanction does not reach Chongqing's lists (001 governs them) ...
    cq_factory = world.register("cq-eit", "重庆某工厂", "500112", kind="enterprise")
    world.registry.submit(
        designation(world, "cq-eit", cq_factory, "500000", "2025-03-01", by=EVALUATOR)
    )
    # ... nor MIIT's national list: the national rules on evaluators are not in the texts.
    world.registry.submit(designation(world, "miit", units[3], "CN", "2025-03-01", by=EVALUATOR))


def test_003_art_24_a_city_reports_the_evaluator_and_the_province_sanctions(world: World) -> None:
    register_evaluator(world)
    by_city = world.act(
        "sz-eit",
        "sanction_evaluator",
        effective_date="2024-09-02",
        evaluator=EVALUATOR,
        ground="falsification",
    )
    refused(world, by_city, RuleError, "reports a failing evaluator upward")
    # Zhejiang's department here issues only its low-carbon park list: no evaluator sanctions.
    by_other = world.act(
        "zj-eit",
        "sanction_evaluator",
        effective_date="2024-09-02",
        evaluator=EVALUATOR,
        ground="falsification",
    )
    refused(world, by_other, CompetenceError, "issues no green-manufacturing lists")
    # A ground the article does not name is refused, listing the grounds.
    bad_ground = world.act(
        "js-eit",
        "sanction_evaluator",
        effective_date="2024-09-02",
        evaluator=EVALUATOR,
        ground="late_report",
    )
    refused(world, bad_ground, RuleError, "concealment, falsification")


def test_003_art_24_a_miit_sanction_closes_every_003_list(world: World) -> None:
    register_evaluator(world)
    world.submit(
        "miit",
        "sanction_evaluator",
        effective_date="2024-10-08",
        evaluator=EVALUATOR,
        ground="concealment",
    )
    factory = world.register("js-eit", "江苏某工厂", "320505", kind="enterprise")
    # Jiangsu's provincial and Suzhou's municipal lists (003) refuse it ...
    refused(
        world,
        designation(world, "sz-eit", factory, "320500", "2025-06-01", by=EVALUATOR),
        RuleError,
        "not accepted",
    )
    # ... Chongqing's lists (001) and the national list do not.
    cq_factory = world.register("cq-eit", "重庆某工厂", "500112", kind="enterprise")
    world.registry.submit(
        designation(world, "cq-eit", cq_factory, "500000", "2025-06-01", by=EVALUATOR)
    )
    world.registry.submit(designation(world, "miit", factory, "CN", "2025-06-01", by=EVALUATOR))


def test_001_art_22_chongqing_withdraws_the_qualification_with_no_end(world: World) -> None:
    register_evaluator(world, issuer="cq-eit", code=CQ_EVALUATOR)
    units = [
        world.register("cq-eit", f"重庆工厂 {n}", "500112", kind="enterprise") for n in range(3)
    ]
    world.submit(
        "cq-eit",
        "sanction_evaluator",
        effective_date="2024-06-03",
        evaluator=CQ_EVALUATOR,
        ground="irresponsibility",
    )
    # The day before: accepted.
    world.registry.submit(
        designation(world, "cq-eit", units[0], "500000", "2024-06-02", by=CQ_EVALUATOR)
    )
    # The day of, and ten years on: refused, with no end.
    message = refused(
        world,
        designation(world, "cq-eit", units[1], "500000", "2024-06-03", by=CQ_EVALUATOR),
        RuleError,
        "with no end",
    )
    assert "001 art. 22" in message
    refused(
        world,
        designation(world, "cq-eit", units[1], "500000", "2034-06-03", by=CQ_EVALUATOR),
        RuleError,
        "not accepted",
    )
    # Jiangsu's lists (003) are not Chongqing's: accepted there.
    js_factory = world.register("sz-eit", "苏州工厂", "320505", kind="enterprise")
    world.registry.submit(
        designation(world, "sz-eit", js_factory, "320500", "2024-09-01", by=CQ_EVALUATOR)
    )


def test_a_designation_naming_a_sanctioned_evaluator_smuggled_into_the_store_is_named_by_verify(
    world: World, database_url: str, tmp_path: Path
) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    register_evaluator(world)
    world.submit(
        "js-eit",
        "sanction_evaluator",
        effective_date="2024-09-02",
        evaluator=EVALUATOR,
        ground="falsification",
    )
    factory = world.register("sz-eit", "苏州某工厂", "320505", kind="enterprise")
    # The registry refuses the designation ...
    act = designation(world, "sz-eit", factory, "320500", "2025-01-01", by=EVALUATOR)
    refused(world, act, RuleError, "not accepted")
    # ... so an operator records it by hand, signed by Suzhou's real key and logged.
    version = smuggle(world, factory, Designated, act)

    code, output = verify(world, database_url, tmp_path)

    assert code == 1, output
    named = [line for line in problems(output) if f"event {factory} v{version}" in line]
    assert any("[rules]" in line and "not accepted" in line for line in named), output


def test_a_history_with_evaluators_and_sanctions_verifies(
    world: World, database_url: str, tmp_path: Path
) -> None:
    """The evaluators' records replay like any act, in the fast path and the exact one."""
    declare(world.registry, world.root.signer, world.clock.now)
    register_evaluator(world)
    factory = world.register("sz-eit", "苏州某工厂", "320505", kind="enterprise")
    world.registry.submit(
        designation(world, "sz-eit", factory, "320500", "2024-09-01", by=EVALUATOR)
    )
    world.submit(
        "js-eit",
        "sanction_evaluator",
        effective_date="2024-09-02",
        evaluator=EVALUATOR,
        ground="falsification",
    )

    code, output = verify(world, database_url, tmp_path)

    assert code == 0, output


def test_the_evaluator_on_a_designation_is_in_the_rest_and_graphql_answers(
    world: World, client: TestClient
) -> None:
    facade = facade_of(client)
    # Jiangsu registers the evaluator; Suzhou lists a factory on the strength of its report.
    facade.submit(
        world.act(
            "js-eit",
            "register_evaluator",
            effective_date="2024-07-01",
            name="苏州某评价咨询有限公司",
            credit_code=EVALUATOR,
            legal_representative="王某",
        )
    )
    factory = facade.submit(
        world.act(
            "sz-eit",
            "register_unit",
            effective_date="2024-07-01",
            kind="enterprise",
            name="苏州某绿色工厂",
            credit_code=None,
            division="320505",
        )
    ).subject_id
    facade.submit(designation(world, "sz-eit", factory, "320500", "2024-09-01", by=EVALUATOR))
    named = {
        "id": str(evaluator_id_for_credit_code(EVALUATOR)),
        "name": "苏州某评价咨询有限公司",
        "credit_code": EVALUATOR,
    }
    # REST: the unit's designation names its evaluator.
    body = client.get(f"/api/v1/units/{factory}").json()
    assert [d["evaluator"] for d in body["designations"]] == [named]
    # GraphQL: the same.
    query = (
        "query($id: ID!) { unit(id: $id) { designations { evaluator { id name creditCode } } } }"
    )
    answer = client.post("/graphql", json={"query": query, "variables": {"id": str(factory)}})
    (designation_,) = answer.json()["data"]["unit"]["designations"]
    assert designation_["evaluator"] == {
        "id": named["id"],
        "name": named["name"],
        "creditCode": EVALUATOR,
    }
    # The timeline says which evaluator the designation rests on.
    history = client.get(f"/api/v1/units/{factory}/history").json()
    assert any(f"evaluator {EVALUATOR}" in e["summary"] for e in history["entries"])
