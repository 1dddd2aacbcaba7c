"""Signed-act intake over HTTP: ``POST /api/v1/acts`` accepts what the registry accepts, and
refuses the rest with an explicit status and a clerk's message, changing nothing.

Every act is really signed and verified; every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from greenreg.events.issuer import Issuer
from greenreg.events.signing import Ed25519Signer
from tests.e2e.support import refusal_of
from tests.support import World


@pytest.fixture
def suzhou_park(world: World) -> UUID:
    return world.register("js-eit", "苏州工业园区", "320500")


def designation(
    world: World, unit: UUID, issuer: str | Issuer = "js-eit", **fields: Any
) -> dict[str, Any]:
    fields.setdefault("effective_date", "2020-01-01")
    fields.setdefault("programme", "green_park")
    fields.setdefault("jurisdiction", "320000")
    fields.setdefault("batch", "第一批")
    return world.act(issuer, "designate", unit=str(unit), grade=None, **fields)


def refused(
    client: TestClient,
    world: World,
    body: dict[str, Any] | bytes,
    status: int,
    code: str,
    *words: str,
) -> None:
    """POST ``body``: the answer is ``status`` with ``code``, names ``words``, changes nothing."""
    before = world.snapshot()
    if isinstance(body, bytes):
        response = client.post(
            "/api/v1/acts", content=body, headers={"content-type": "application/json"}
        )
    else:
        response = client.post("/api/v1/acts", json=body)
    got_status, got_code, message = refusal_of(response)
    assert (got_status, got_code) == (status, code), message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert world.snapshot() == before


def test_an_accepted_act_answers_201_with_its_events_and_positions(
    client: TestClient, world: World, suzhou_park: UUID
) -> None:
    act = designation(world, suzhou_park)
    before = len(world.snapshot())

    response = client.post("/api/v1/acts", json=act)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "recorded"
    assert body["act_id"] == act["act"]["act_id"]
    [event] = body["events"]
    assert event["type"] == "Designated"
    assert event["unit_or_authority_id"] == str(suzhou_park)
    assert event["event_id"] == f"{suzhou_park}/{event['version']}"
    # The position is the event's place in the log (from 0): the one event after the snapshot.
    after = world.snapshot()
    assert len(after) == before + 1
    assert event["position"] == before


def test_positions_are_log_positions_even_after_a_refused_write(
    client: TestClient, world: World, suzhou_park: UUID
) -> None:
    """A write refused inside its transaction (an act id already taken) still uses up a
    PostgreSQL sequence number; the log's positions stay dense, and the receipt, the evidence,
    the history, the event feed and the inclusion proof all give the log's."""
    other = world.register("js-eit", "苏州相城经济技术开发区", "320507")
    first = client.post("/api/v1/acts", json=designation(world, suzhou_park))
    assert first.status_code == 201, first.text
    reused = designation(world, other, act_id=UUID(first.json()["act_id"]))
    assert client.post("/api/v1/acts", json=reused).status_code == 409
    second = client.post("/api/v1/acts", json=designation(world, other))
    assert second.status_code == 201, second.text

    [event] = second.json()["events"]
    position, event_id = event["position"], event["event_id"]
    assert position == first.json()["events"][0]["position"] + 1 == len(world.snapshot()) - 1
    proof = client.get("/api/v1/log/inclusion", params={"event": event_id}).json()["inclusion"]
    assert proof["position"] == position
    history = client.get(f"/api/v1/units/{other}/history").json()["entries"]
    assert history[-1]["evidence"] == {"event_id": event_id, "position": position}
    unit = client.get(f"/api/v1/units/{other}").json()
    assert [d["evidence"]["position"] for d in unit["designations"]] == [position]
    feed = client.get("/api/v1/events", params={"after": position, "limit": 1}).json()
    assert [(e["position"], e["event_id"]) for e in feed["events"]] == [(position, event_id)]


def test_the_same_act_again_answers_200_and_records_nothing(
    client: TestClient, world: World, suzhou_park: UUID
) -> None:
    act = designation(world, suzhou_park)
    assert client.post("/api/v1/acts", json=act).status_code == 201
    before = world.snapshot()

    response = client.post("/api/v1/acts", json=act)

    assert response.status_code == 200
    assert response.json()["status"] == "already_recorded"
    assert world.snapshot() == before


def test_a_body_that_is_not_json_is_400(client: TestClient, world: World) -> None:
    refused(client, world, b'{"act": ', 400, "malformed_json", "not UTF-8 JSON")
    refused(client, world, b"\xff\xfe", 400, "malformed_json")


def test_a_well_formed_act_with_invalid_values_is_422(
    client: TestClient, world: World, suzhou_park: UUID
) -> None:
    act = world.issuers["js-eit"].act("promote", effective_date="2020-01-01", document="d")
    refused(client, world, act, 422, "malformed_act", "unknown act type 'promote'")
    bad_code = world.act(
        "js-eit",
        "register_unit",
        effective_date="2020-01-01",
        kind="enterprise",
        name="苏州某公司",
        credit_code="91320500MA1MXXXXXX",
        division="320500",
    )
    refused(client, world, bad_code, 422, "invalid_credit_code")


def test_an_unsigned_or_altered_act_is_401(
    client: TestClient, world: World, suzhou_park: UUID
) -> None:
    unsigned = designation(world, suzhou_park)
    del unsigned["signature"]
    refused(client, world, unsigned, 401, "bad_signature", "not signed")
    altered = designation(world, suzhou_park)
    altered["act"]["effective_date"] = "2019-01-01"
    refused(client, world, altered, 401, "bad_signature")
    # The challenge names the credential an act takes: its own signature (RFC 9110 11.6.1).
    challenge = client.post("/api/v1/acts", json=altered).headers["www-authenticate"]
    assert challenge == 'SignedAct realm="greenreg", error="bad_signature"'


def test_a_key_not_valid_when_signing_is_401(
    client: TestClient, world: World, suzhou_park: UUID
) -> None:
    issuer = Issuer("js-eit", Ed25519Signer.generate())
    world.add_key(issuer, valid_from=world.clock.now + timedelta(days=10))
    act = designation(world, suzhou_park, issuer=issuer)
    refused(client, world, act, 401, "key_not_valid", "not yet valid")
    challenge = client.post("/api/v1/acts", json=act).headers["www-authenticate"]
    assert challenge == 'SignedAct realm="greenreg", error="key_not_valid"'


def test_an_act_outside_the_authority_competence_is_403(
    client: TestClient, world: World, suzhou_park: UUID
) -> None:
    act = designation(world, suzhou_park, issuer="cq-eit", jurisdiction="500000")
    refused(client, world, act, 403, "not_competent")


def test_an_act_on_an_unknown_unit_is_404(client: TestClient, world: World) -> None:
    act = designation(world, UUID("00000000-0000-4000-8000-000000000001"))
    refused(client, world, act, 404, "not_found", "no unit")


def test_an_act_against_a_rule_is_422_and_against_history_409(
    client: TestClient, world: World, suzhou_park: UUID
) -> None:
    # 003 art. 12 (in force in Jiangsu from 2024-07-19): a provincial green factory must first
    # be on a municipal list.
    act = designation(world, suzhou_park, programme="green_factory", effective_date="2024-09-01")
    refused(client, world, act, 422, "rule_violation", "art. 12")
    # Designating twice contradicts the history: 409.
    assert client.post("/api/v1/acts", json=designation(world, suzhou_park)).status_code == 201
    refused(client, world, designation(world, suzhou_park), 409, "contradicts_history")


def test_an_act_inside_a_ban_is_422(client: TestClient, world: World, suzhou_park: UUID) -> None:
    # Jiangsu lists the park, then removes it for fraud: a 3-year ban (003 art. 17(3)).
    assert client.post("/api/v1/acts", json=designation(world, suzhou_park)).status_code == 201
    removal = world.act(
        "js-eit",
        "remove",
        unit=str(suzhou_park),
        effective_date="2024-09-02",
        programme="green_park",
        jurisdiction="320000",
        ground="fraud",
    )
    assert client.post("/api/v1/acts", json=removal).status_code == 201
    act = designation(world, suzhou_park, effective_date="2025-06-30")
    refused(client, world, act, 422, "banned", "2027-09-02")


def test_an_act_id_reused_for_another_act_is_409(
    client: TestClient, world: World, suzhou_park: UUID
) -> None:
    first = designation(world, suzhou_park)
    assert client.post("/api/v1/acts", json=first).status_code == 201
    reused = designation(world, suzhou_park, act_id=UUID(first["act"]["act_id"]), batch="x")
    refused(client, world, reused, 409, "conflict", "already used")


def test_a_body_larger_than_an_act_is_413(client: TestClient, world: World) -> None:
    big = json.dumps({"act": {"padding": "x" * 300_000}, "key_id": "k", "signature": "s"})
    refused(client, world, big.encode(), 413, "too_large")
