"""Certified means usable: a title under a warning (or an eco-park's exit warning) stays on its
list with its status and rectification deadline, but it is never "in force" nor "certified"
(004 art. 26) — not in the bank check (REST, GraphQL, receipts), not on the unit's page, not in
its green code, not in the list counts. A lifted warning restores use of the title.

Each story runs on SQLite and on PostgreSQL, through the app as ``greenreg serve`` builds it.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from greenreg.receipts import verify_receipt
from greenreg.storage.log_key import declare
from tests.e2e.support import facade_of, graphql
from tests.integration.test_api_certifications import rest_check
from tests.integration.test_api_log import trusted_log_key
from tests.support import World

CHECK = """
query Check($refs: [String!]!, $asOf: Date) {
  certifications(refs: $refs, asOf: $asOf) {
    results { outcome certified message
              designations { programme status since }
              restricted { programme jurisdiction status since restrictedSince rectifyBy } }
  }
}
"""
FACTORY_CODE = "91320505MA1P7XQC3C"  # issued in Suzhou (320505)


def submit(client: TestClient, world: World, issuer: str, act: str, **fields: Any) -> UUID:
    """Sign an act now and submit it through the app's facade (readable at once)."""
    return facade_of(client).submit(world.act(issuer, act, **fields)).subject_id


def check(client: TestClient, ref: str, day: str) -> dict[str, Any]:
    """The bank check of one unit on ``day``, over REST; GraphQL must answer the same."""
    (rest,) = rest_check(client, refs=[ref], as_of=day)["results"]
    (answer,) = graphql(client, CHECK, refs=[ref], asOf=day)["data"]["certifications"]["results"]
    assert answer == {
        "outcome": rest["outcome"].upper(),
        "certified": rest["certified"],
        "message": rest["message"],
        "designations": [
            {
                "programme": d["programme"].upper(),
                "status": d["status"].upper(),
                "since": d["since"],
            }
            for d in rest["designations"]
        ],
        "restricted": [
            {
                "programme": d["programme"].upper(),
                "jurisdiction": d["jurisdiction"],
                "status": d["status"].upper(),
                "since": d["since"],
                "restrictedSince": d["restricted_since"],
                "rectifyBy": d["rectify_by"],
            }
            for d in rest["restricted"]
        ],
    }
    return rest


def programmes(result: dict[str, Any]) -> list[str]:
    return [d["programme"] for d in result["designations"]]


def test_a_park_under_an_eco_park_exit_warning_is_certified_only_through_its_green_park_title(
    client: TestClient, world: World
) -> None:
    # A park in Kunshan: its province approves its eco-park creation, MIIT lists it as a
    # national green park, and the coordination mechanism names it an eco-industrial park.
    park = submit(client, world, "js-eco", "register_unit", effective_date="2012-03-01",
                  kind="park", name="昆山经济技术开发区", division="320583")  # fmt: skip
    ref = str(park)
    submit(client, world, "js-eco", "approve_creation", effective_date="2014-05-20", unit=ref,
           programme="eco_park", jurisdiction="320000")  # fmt: skip
    submit(client, world, "miit", "designate", effective_date="2017-08-23", unit=ref,
           programme="green_park", jurisdiction="CN", batch="第一批")  # fmt: skip
    submit(client, world, "eco-cm", "name_park", effective_date="2016-11-30", unit=ref,
           programme="eco_park", jurisdiction="CN", batch="2016年")  # fmt: skip

    # Before the warning both titles are in force.
    before = check(client, ref, "2024-10-07")
    assert (before["outcome"], before["certified"]) == ("certified", True)
    assert programmes(before) == ["eco_park", "green_park"]
    assert before["restricted"] == []

    # A failed performance evaluation: an exit warning, one year to rectify (004 art. 26).
    submit(client, world, "eco-cm", "warn", effective_date="2024-10-08", unit=ref,
           programme="eco_park", jurisdiction="CN", ground="performance_failed",
           rectify_by="2025-10-08")  # fmt: skip

    # From that day the park is certified only through its green-park title; the eco-park
    # title is listed apart, suspended, with its deadline, and the message does not claim it.
    for day in ("2024-10-08", "2024-10-09", "2025-05-31"):
        during = check(client, ref, day)
        assert (during["outcome"], during["certified"]) == ("certified", True), day
        assert programmes(during) == ["green_park"], day
        assert [(d["status"], d["since"]) for d in during["designations"]] == [
            ("listed", "2017-08-23")
        ]
        (eco,) = during["restricted"]
        assert (eco["programme"], eco["jurisdiction"], eco["status"]) == (
            "eco_park",
            "CN",
            "suspended",
        )
        assert (eco["since"], eco["restricted_since"], eco["rectify_by"]) == (
            "2016-11-30",
            "2024-10-08",
            "2025-10-08",
        )
        assert during["message"].startswith("certified: green_park (CN) since 2017-08-23;")
        assert (
            "eco_park (CN) suspended since 2024-10-08, rectify by 2025-10-08" in (during["message"])
        )
        assert "certified: eco_park" not in during["message"]

    # It rectifies: the warning is lifted with effect from 2025-06-01, and both titles count.
    submit(client, world, "eco-cm", "lift_warning", effective_date="2025-06-01", unit=ref,
           programme="eco_park", jurisdiction="CN")  # fmt: skip
    assert check(client, ref, "2025-05-31")["restricted"], "the day before the lift"
    for day in ("2025-06-01", "2025-06-02"):
        after = check(client, ref, day)
        assert (after["outcome"], after["certified"]) == ("certified", True)
        assert programmes(after) == ["eco_park", "green_park"]
        assert after["restricted"] == []
        assert after["message"] == (
            "certified: eco_park (CN) since 2016-11-30; green_park (CN) since 2017-08-23"
        )


def test_a_unit_whose_only_title_is_warned_is_not_certified_anywhere(
    client: TestClient, world: World
) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    log_key = trusted_log_key(client, world.root.signer.public_key)
    # A Suzhou factory on Jiangsu's green-factory list, the only designation in force in
    # Jiangsu.
    factory = submit(client, world, "js-eit", "register_unit", effective_date="2018-05-02",
                     kind="enterprise", name="苏州虎丘新材料有限公司", credit_code=FACTORY_CODE,
                     division="320505")  # fmt: skip
    provincial = {"unit": FACTORY_CODE, "programme": "green_factory", "jurisdiction": "320000"}
    submit(client, world, "js-eit", "designate", effective_date="2019-10-15", batch="第四批",
           **provincial)  # fmt: skip
    assert "<th scope=row>江苏省</th><td>1</td>" in client.get("/").text
    assert client.get(f"/units/{factory}/green-code.json").status_code == 200

    # Suzhou receives a public complaint about the factory's listed data, verifies it and
    # orders rectification with effect from 2024-09-01, by 2025-03-01 (003 art. 25).
    recorded = world.act(
        "sz-eit", "record_complaint", effective_date="2024-08-20", matter="能耗数据与实际不符",
        **provincial,
    )  # fmt: skip
    complaint = facade_of(client).submit(recorded).act_id
    submit(client, world, "sz-eit", "decide_complaint", effective_date="2024-09-01",
           unit=FACTORY_CODE, complaint=str(complaint), outcome="rectification",
           rectify_by="2025-03-01", removal=None)  # fmt: skip

    # The bank check: certified the day before; warned, not certified, from that day on.
    assert check(client, FACTORY_CODE, "2024-08-31")["certified"] is True
    for day in ("2024-09-01", "2024-09-02"):
        warned = check(client, FACTORY_CODE, day)
        assert (warned["outcome"], warned["certified"]) == ("warned", False)
        assert warned["designations"] == []
        (held,) = warned["restricted"]
        assert (held["status"], held["restricted_since"], held["rectify_by"]) == (
            "warned",
            "2024-09-01",
            "2025-03-01",
        )
        assert warned["message"] == (
            "warned, the title may not be used while rectifying: green_factory (320000) "
            "warned since 2024-09-01, rectify by 2025-03-01"
        )

    # The signed receipt of the check says the same.
    answer = rest_check(client, refs=[FACTORY_CODE], as_of="2024-10-01", receipt=True)
    content = verify_receipt(answer["receipt"]["document"], log_key)
    (receipted,) = content["answer"]["results"]
    assert (receipted["outcome"], receipted["certified"]) == ("warned", False)
    assert receipted["restricted"][0]["rectify_by"] == "2025-03-01"

    # The unit over REST: still on its list, with status and deadline, not in force.
    (designation,) = client.get(f"/api/v1/units/{FACTORY_CODE}").json()["designations"]
    assert (designation["status"], designation["rectify_by"], designation["in_force"]) == (
        "warned",
        "2025-03-01",
        False,
    )
    unit_query = "query($id: ID!) { unit(id: $id) { designations { status inForce rectifyBy } } }"
    body = graphql(client, unit_query, id=str(factory))
    assert body["data"]["unit"]["designations"] == [
        {"status": "WARNED", "inForce": False, "rectifyBy": "2025-03-01"}
    ]

    # The list keeps it, marked, and does not count it as in force.
    listing = client.get("/api/v1/lists/green_factory").json()["items"]
    assert [(i["status"], i["rectify_by"], i["in_force"]) for i in listing] == [
        ("warned", "2025-03-01", False)
    ]
    exported = client.get("/api/v1/lists/green_factory", params={"format": "csv"}).text
    (row,) = csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))
    assert (row["status"], row["rectify_by"], row["in_force"]) == ("warned", "2025-03-01", "false")
    statistics = facade_of(client).queries.statistics()
    assert (statistics.designations_in_force, statistics.designations_restricted) == (0, 1)
    assert "<th scope=row>江苏省</th>" not in client.get("/").text  # not counted in force

    # No green code; the page says the title may not be used, and until when to rectify.
    refused = client.get(f"/units/{factory}/green-code.json")
    assert refused.status_code == 404
    assert "rectify by 2025-03-01" in refused.text
    assert client.get(f"/units/{factory}/green-code.svg").status_code == 404
    page = client.get(f"/units/{factory}").text
    assert '<img class="qr"' not in page
    assert "该单位目前没有可以使用的称号，不出具绿码。" in page
    assert "警示整改中（不得使用称号）" in page
    assert "2025-03-01" in page
    # The lookup's short table shows the deadline beside the status too.
    found = client.get("/", params={"q": FACTORY_CODE}).text
    assert "警示整改中（不得使用称号）" in found
    rectify_by = '整改期限</span> <span class="en" lang="en">Rectify by</span> <time>2025年3月1日'
    assert rectify_by in found

    # It rectifies: Jiangsu, the list's owner, lifts the order with effect from 2025-02-15,
    # and all is restored.
    submit(client, world, "js-eit", "lift_warning", effective_date="2025-02-15",
           **provincial)  # fmt: skip
    assert check(client, FACTORY_CODE, "2025-02-14")["outcome"] == "warned"
    for day in ("2025-02-15", "2025-02-16"):
        lifted = check(client, FACTORY_CODE, day)
        assert (lifted["outcome"], lifted["certified"], lifted["restricted"]) == (
            "certified",
            True,
            [],
        )
    assert client.get(f"/units/{factory}/green-code.json").status_code == 200
    assert '<img class="qr"' in client.get(f"/units/{factory}").text
    assert "<th scope=row>江苏省</th><td>1</td>" in client.get("/").text
