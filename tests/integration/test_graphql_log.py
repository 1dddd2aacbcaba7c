"""The transparency log over GraphQL, on SQLite and PostgreSQL: the checkpoint every response
was answered at, proofs that verify against it, a bank check's signed receipt that the command
line verifies offline, and refusals (with codes) that change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from greenreg.events.signing import b64decode, b64encode
from greenreg.receipts import verify_receipt
from greenreg.registry.log import verify_consistency, verify_inclusion
from tests.e2e.support import (
    FACTORY_CODE,
    Scenario,
    error_codes,
    graphql,
)
from tests.integration.test_api_log import (
    log_state,
    stored_leaf,
    trusted_log_key,
    verified,
    verify_on_the_command_line,
)
from tests.support import World

CHECKPOINT = "{ checkpoint { size root rootBase64 origin note keyId } }"
INCLUSION = """query I($eventId: String!, $treeSize: Int) {
  inclusionProof(eventId: $eventId, treeSize: $treeSize) {
    eventId position treeSize leafHash hashes checkpoint { size root note }
  }
}"""
CONSISTENCY = """query C($first: Int!, $second: Int) {
  consistencyProof(first: $first, second: $second) {
    first { size note } second { size note } hashes
  }
}"""
CHECK = """query B($refs: [String!]!, $asOf: Date!, $receipt: Boolean!) {
  certifications(refs: $refs, asOf: $asOf, receipt: $receipt) {
    asOf
    dataVersion { logSize rootHash lastPosition }
    results { ref outcome certified }
    receipt { document keyId }
  }
}"""


def test_the_checkpoint_is_the_one_the_response_was_answered_at(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    log_key = trusted_log_key(client, world.root.signer.public_key)
    body = graphql(client, CHECKPOINT)
    checkpoint = body["data"]["checkpoint"]
    tree = verified(checkpoint["note"], log_key)
    assert (checkpoint["size"], checkpoint["root"]) == (tree.size, tree.root.hex())
    assert b64decode(checkpoint["rootBase64"], "root") == tree.root
    assert checkpoint["origin"] == "greenreg.log"
    assert checkpoint["keyId"] == client.get("/api/v1/log/keys").json()["log_key"]["key_id"]
    version = body["extensions"]["dataVersion"]
    assert (version["logSize"], version["rootHash"]) == (tree.size, tree.root.hex())
    assert tree.size == world.registry.recorder.log_size()

    # Any answer states the same size and root until the next write.
    other = graphql(client, "{ bans { programme } }")["extensions"]["dataVersion"]
    assert (other["logSize"], other["rootHash"]) == (tree.size, tree.root.hex())


def test_inclusion_and_consistency_proofs_verify(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    log_key = trusted_log_key(client, world.root.signer.public_key)
    size = world.registry.recorder.log_size()
    for event_id, tree_size in [
        (f"{scenario.park}/1", None),
        (f"{scenario.park}/3", None),
        (f"{scenario.factory}/4", size),
        (f"{scenario.park}/1", 22),
    ]:
        body = graphql(client, INCLUSION, eventId=event_id, treeSize=tree_size)
        assert "errors" not in body, body
        proof = body["data"]["inclusionProof"]
        tree = verified(proof["checkpoint"]["note"], log_key)
        assert proof["treeSize"] == tree.size == (tree_size or size)
        assert proof["leafHash"] == stored_leaf(world, event_id).hex()
        verify_inclusion(
            proof["position"],
            tree.size,
            bytes.fromhex(proof["leafHash"]),
            [bytes.fromhex(h) for h in proof["hashes"]],
            tree.root,
        )

    for first, second in [(1, None), (16, size), (size - 1, size), (5, 9)]:
        body = graphql(client, CONSISTENCY, first=first, second=second)
        assert "errors" not in body, body
        proof = body["data"]["consistencyProof"]
        old = verified(proof["first"]["note"], log_key)
        new = verified(proof["second"]["note"], log_key)
        assert (old.size, new.size) == (first, second or size)
        verify_consistency(
            old.size, new.size, old.root, new.root, [bytes.fromhex(h) for h in proof["hashes"]]
        )


def test_a_bank_checks_receipt_verifies_on_the_command_line(
    client: TestClient, world: World, scenario: Scenario, tmp_path: Path
) -> None:
    key = tmp_path / "log.pub"
    log_key = trusted_log_key(client, world.root.signer.public_key)
    key.write_text(b64encode(log_key) + "\n")
    refs = [FACTORY_CODE, str(scenario.park), "bad"]
    body = graphql(client, CHECK, refs=refs, asOf="2021-10-01", receipt=True)
    check = body["data"]["certifications"]
    receipt = check["receipt"]

    # The receipt covers the question, the answer, asOf and the checkpoint answered at.
    content = verify_receipt(receipt["document"], log_key)
    assert content["kind"] == "certification_check"
    assert content["question"] == {"refs": refs, "as_of": "2021-10-01", "known_at": None}
    assert content["as_of"] == "2021-10-01"
    assert [(r["ref"], r["outcome"], r["certified"]) for r in content["answer"]["results"]] == [
        (r["ref"], r["outcome"].lower(), r["certified"]) for r in check["results"]
    ]
    tree = verified(content["checkpoint"], log_key)
    assert (tree.size, tree.root.hex()) == (
        check["dataVersion"]["logSize"],
        check["dataVersion"]["rootHash"],
    )
    assert content["answer"]["data_version"]["log_size"] == tree.size

    status, output = verify_on_the_command_line(receipt["document"], key, tmp_path)
    assert status == 0, output
    changed = receipt["document"].replace('"certified":true', '"certified":trUe', 1)
    assert sum(a != b for a, b in zip(changed, receipt["document"], strict=True)) == 1
    assert verify_on_the_command_line(changed, key, tmp_path)[0] == 1  # a receipt not valid

    # No receipt unless asked for.
    plain = graphql(client, CHECK, refs=refs, asOf="2021-10-01", receipt=False)
    assert plain["data"]["certifications"]["receipt"] is None


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        (INCLUSION, {"eventId": "00000000-0000-4000-8000-000000000009/1"}, "not_found"),
        (INCLUSION, {"eventId": "nonsense"}, "out_of_range"),
        (INCLUSION, {"eventId": "PARK/1", "treeSize": 0}, "out_of_range"),
        (INCLUSION, {"eventId": "PARK/1", "treeSize": 100_000}, "out_of_range"),
        (INCLUSION, {"eventId": "FACTORY/4", "treeSize": 17}, "out_of_range"),
        (CONSISTENCY, {"first": 0}, "out_of_range"),
        (CONSISTENCY, {"first": 9, "second": 5}, "out_of_range"),
    ],
)
def test_refused_proofs_have_a_code_and_change_nothing(  # noqa: PLR0917 (fixtures, parameters)
    client: TestClient,
    world: World,
    scenario: Scenario,
    query: str,
    variables: dict[str, object],
    code: str,
) -> None:
    named = {
        k: str(v).replace("PARK", str(scenario.park)).replace("FACTORY", str(scenario.factory))
        if isinstance(v, str)
        else v
        for k, v in variables.items()
    }
    before = log_state(world, client)
    body = graphql(client, query, **named)
    assert error_codes(body) == [code], body
    assert log_state(world, client) == before
