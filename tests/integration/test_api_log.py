"""The transparency log over REST, as an inspector uses it, on SQLite and PostgreSQL.

An inspector fetches the keys (the root's declaration names the log key), the latest signed
checkpoint and the proofs, and checks every proof with the pure RFC 9162 functions against a
root it verified itself; leaves are recomputed from the event store's own rows, not taken from
the server. Refused requests change nothing. Every read answer states the log size and root.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.events.signing import b64decode, b64encode, key_id_of
from greenreg.receipts import verify_receipt
from greenreg.registry.checkpoints import Checkpoint, check_log_key, open_checkpoint
from greenreg.registry.log import event_leaf, leaf_hash, verify_consistency, verify_inclusion
from tests.e2e.support import Scenario, facade_of, refusal_of
from tests.support import World

runner = CliRunner()


# --- what an inspector does with public keys only ------------------------------------------


def trusted_log_key(client: TestClient, root_public_key: bytes) -> bytes:
    """The log public key, from a declaration the root key signed (checked here)."""
    keys = client.get("/api/v1/log/keys").json()
    assert keys["root"]["keys"][0]["key_id"] == key_id_of(root_public_key)
    [declared] = [check_log_key(d, root_public_key) for d in keys["log_key_declarations"]]
    assert declared.key_id == keys["log_key"]["key_id"]
    return declared.public_key


def verified(note: str, log_key: bytes) -> Checkpoint:
    """The checkpoint a signed note states, if the log key signed it."""
    return open_checkpoint(note, log_key)


def stored_leaf(world: World, event_id: str) -> bytes:
    """The leaf hash of an event, recomputed from the event store's own row."""
    aggregate, _, version = event_id.partition("/")
    [stored] = world.registry.recorder.select_events(
        UUID(aggregate), gt=int(version) - 1, lte=int(version)
    )
    return leaf_hash(event_leaf(UUID(aggregate), int(version), stored.topic, stored.state))


def check_inclusion(world: World, proof: dict[str, Any], log_key: bytes) -> None:
    tree = verified(proof["checkpoint"]["note"], log_key)
    assert tree.size == proof["tree_size"]
    assert proof["leaf_hash"] == stored_leaf(world, proof["event_id"]).hex()
    verify_inclusion(
        proof["position"],
        tree.size,
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(h) for h in proof["hashes"]],
        tree.root,
    )


def log_state(world: World, client: TestClient) -> tuple[Any, ...]:
    """Everything a refused request must leave as it was: events, log size, checkpoints."""
    recorder = world.registry.recorder
    return (
        world.snapshot(),
        recorder.log_size(),
        recorder.checkpoint_notes(),
        recorder.log_key_declarations(),
    )


# --- the tests -----------------------------------------------------------------------------


def test_the_latest_checkpoint_is_signed_by_the_declared_log_key(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    log_key = trusted_log_key(client, world.root.signer.public_key)
    body = client.get("/api/v1/log/checkpoint").json()
    checkpoint = body["checkpoint"]
    tree = verified(checkpoint["note"], log_key)
    assert tree.size == checkpoint["tree_size"] == world.registry.recorder.log_size()
    assert bytes.fromhex(checkpoint["root_hash"]) == tree.root
    assert b64decode(checkpoint["root_base64"], "root") == tree.root
    assert checkpoint["key_id"] == key_id_of(log_key)
    assert body["data_version"]["log_size"] == tree.size

    # The same note as text, for C2SP tools.
    as_text = client.get("/api/v1/log/checkpoint?format=note")
    assert as_text.headers["content-type"].startswith("text/plain")
    assert as_text.text == checkpoint["note"]
    accepted = client.get("/api/v1/log/checkpoint", headers={"accept": "text/plain"})
    assert accepted.text == checkpoint["note"]


def test_every_events_inclusion_proof_verifies(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    log_key = trusted_log_key(client, world.root.signer.public_key)
    feed = client.get("/api/v1/events?limit=1000").json()["events"]
    assert len(feed) == world.registry.recorder.log_size()
    for event in feed:
        response = client.get("/api/v1/log/inclusion", params={"event": event["event_id"]})
        assert response.status_code == 200, response.text
        check_inclusion(world, response.json()["inclusion"], log_key)

    # By position, against an older signed size: the same leaf, another tree.
    sizes = [c["tree_size"] for c in client.get("/api/v1/log/checkpoints").json()["checkpoints"]]
    old = sizes[len(sizes) // 2]
    proof = client.get(f"/api/v1/log/inclusion?position={old - 1}&size={old}").json()["inclusion"]
    assert proof["tree_size"] == old
    check_inclusion(world, proof, log_key)

    # A proof for one leaf does not pass for another.
    other = client.get("/api/v1/log/inclusion?position=0").json()["inclusion"]
    tree = verified(other["checkpoint"]["note"], log_key)
    with pytest.raises(ValueError, match="does not lead to the root"):
        verify_inclusion(
            1, tree.size, bytes.fromhex(other["leaf_hash"]),
            [bytes.fromhex(h) for h in other["hashes"]], tree.root,
        )  # fmt: skip


def test_consistency_proofs_between_signed_checkpoints_verify(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    log_key = trusted_log_key(client, world.root.signer.public_key)
    listed = client.get("/api/v1/log/checkpoints", params={"limit": 5}).json()
    assert [c["tree_size"] for c in listed["checkpoints"]] == [1, 2, 3, 4, 5]
    assert listed["next"] == 5
    later = client.get("/api/v1/log/checkpoints", params={"after": listed["next"]}).json()
    sizes = [c["tree_size"] for c in listed["checkpoints"] + later["checkpoints"]]
    assert sizes == sorted(sizes)
    assert sizes[-1] == world.registry.recorder.log_size()
    assert later["next"] is None

    for first in (1, 2, 3, 7, sizes[-1] - 1, sizes[-1]):
        for second in (first, sizes[-1]):
            response = client.get(f"/api/v1/log/consistency?first={first}&second={second}")
            assert response.status_code == 200, response.text
            proof = response.json()["consistency"]
            old = verified(proof["first"]["note"], log_key)
            new = verified(proof["second"]["note"], log_key)
            assert (old.size, new.size) == (first, second)
            verify_consistency(
                old.size, new.size, old.root, new.root, [bytes.fromhex(h) for h in proof["hashes"]]
            )
    # Without 'second': up to the latest checkpoint.
    latest = client.get("/api/v1/log/consistency?first=4").json()["consistency"]
    assert latest["second"]["tree_size"] == sizes[-1]


def test_the_keys_an_inspector_needs(client: TestClient, world: World, scenario: Scenario) -> None:
    keys = client.get("/api/v1/log/keys").json()
    assert keys["root"]["keys"][0]["public_key"] == b64encode(world.root.signer.public_key)
    by_code = {a["code"]: a for a in keys["authorities"]}
    assert set(by_code) == set(world.issuers)
    miit = world.issuers["miit"].signer
    assert [k["public_key"] for k in by_code["miit"]["keys"]] == [b64encode(miit.public_key)]
    assert keys["log_key"]["verifier_key"].startswith("greenreg.log+")
    assert keys["data_version"]["log_size"] == world.registry.recorder.log_size()


def test_every_read_answer_states_the_log_size_and_root(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    checkpoint = client.get("/api/v1/log/checkpoint").json()["checkpoint"]
    size, root = checkpoint["tree_size"], checkpoint["root_hash"]
    for url in (
        f"/api/v1/units/{scenario.park}",
        f"/api/v1/units/{scenario.park}/history",
        "/api/v1/lookup?q=苏州",
        "/api/v1/lists/green_park",
        "/api/v1/bans",
        "/api/v1/events",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        version = response.json()["data_version"]
        assert (version["log_size"], version["root_hash"]) == (size, root), url
        assert version["last_position"] == size - 1  # the last leaf index
        header = response.headers["Greenreg-Data-Version"]
        assert header.startswith(f"size={size}; root={root}; "), url
    csv = client.get("/api/v1/lists/green_park?format=csv")
    assert csv.headers["Greenreg-Data-Version"].startswith(f"size={size}; root={root}")

    # A write moves both.
    facade_of(client).submit(
        world.act("miit", "register_unit", effective_date="2018-01-01", kind="enterprise",
                  name="新登记企业", credit_code=None, division="110105")
    )  # fmt: skip
    moved = client.get("/api/v1/bans").json()["data_version"]
    assert moved["log_size"] == size + 1
    assert moved["root_hash"] != root


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("inclusion?event=00000000-0000-4000-8000-000000000009/1", 404, "not_found"),
        ("inclusion?event=not-an-event", 422, "out_of_range"),
        ("inclusion?event=00000000-0000-4000-8000-000000000009/0", 422, "out_of_range"),
        ("inclusion", 422, "out_of_range"),
        ("inclusion?position=0&event=00000000-0000-4000-8000-000000000009/1", 422, "out_of_range"),
        ("inclusion?position=1000", 422, "out_of_range"),
        ("inclusion?position=5&size=5", 422, "out_of_range"),
        ("inclusion?position=0&size=0", 422, "out_of_range"),
        ("inclusion?position=0&size=100000", 422, "out_of_range"),
        ("inclusion?position=-1", 422, "invalid_parameter"),
        ("consistency?first=0&second=3", 422, "out_of_range"),
        ("consistency?first=4&second=3", 422, "out_of_range"),
        ("consistency?first=3&second=100000", 422, "out_of_range"),
        ("consistency?first=x", 422, "invalid_parameter"),
        ("checkpoints?limit=0", 422, "invalid_parameter"),
    ],
)
def test_refused_proof_requests_change_nothing(  # noqa: PLR0917 (fixtures and parameters)
    client: TestClient, world: World, scenario: Scenario, query: str, status: int, code: str
) -> None:
    before = log_state(world, client)
    response = client.get(f"/api/v1/log/{query}")
    assert refusal_of(response)[:2] == (status, code), response.text
    assert log_state(world, client) == before


def test_a_size_the_registry_never_signed_is_not_found(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    # Two acts in one transaction: one checkpoint for both, none between them.
    facade_of(client).submit_batch(
        world.act("miit", "register_unit", effective_date="2018-01-01", kind="enterprise",
                  name=f"企业{i}", credit_code=None, division="110105")
        for i in range(2)
    )  # fmt: skip
    size = world.registry.recorder.log_size()
    before = log_state(world, client)
    status, code, message = refusal_of(
        client.get(f"/api/v1/log/inclusion?position=0&size={size - 1}")
    )
    assert (status, code) == (404, "not_found")
    assert "/api/v1/log/checkpoints" in message
    assert client.get(f"/api/v1/log/consistency?first={size - 1}").status_code == 404
    assert log_state(world, client) == before


# --- receipts --------------------------------------------------------------------------------


def write_log_key(client: TestClient, world: World, folder: Path) -> Path:
    key = folder / "log.pub"
    key.write_text(b64encode(trusted_log_key(client, world.root.signer.public_key)) + "\n")
    return key


def verify_on_the_command_line(document: str, key: Path, folder: Path) -> tuple[int, str]:
    file = folder / "receipt.json"
    file.write_text(document, encoding="utf-8")
    result = runner.invoke(app, ["receipt", "verify", str(file), "--log-public-key", str(key)])
    return result.exit_code, result.output


def test_a_units_receipt_verifies_offline_and_a_changed_byte_fails(
    client: TestClient, world: World, scenario: Scenario, tmp_path: Path
) -> None:
    key = write_log_key(client, world, tmp_path)
    body = client.get(f"/api/v1/units/{scenario.park}", params={"receipt": "true"}).json()
    receipt = body["receipt"]
    assert receipt["key_id"] == key_id_of(b64decode(key.read_text().strip(), "key"))

    # The receipt says what was asked and answered, at the checkpoint the answer states.
    content = verify_receipt(receipt["document"], b64decode(key.read_text().strip(), "key"))
    assert content["kind"] == "unit"
    assert content["question"] == {"unit": str(scenario.park)}
    assert content["answer"]["unit"]["name"] == "苏州工业园区绿色发展区"
    assert content["answer"]["data_version"] == body["data_version"]
    tree = verified(content["checkpoint"], b64decode(key.read_text().strip(), "key"))
    assert (tree.size, tree.root.hex()) == (
        body["data_version"]["log_size"],
        body["data_version"]["root_hash"],
    )

    status, output = verify_on_the_command_line(receipt["document"], key, tmp_path)
    assert status == 0, output
    assert "valid" in output
    changed = receipt["document"].replace("苏州工业园区绿色发展区", "苏州工业园区绿色发展匹", 1)
    assert changed != receipt["document"]
    assert verify_on_the_command_line(changed, key, tmp_path)[0] == 1  # not valid

    # The REST answer's receipt object, saved as it is, verifies too.
    status, output = verify_on_the_command_line(json.dumps(receipt), key, tmp_path)
    assert status == 0, output

    # Without ?receipt=true there is none.
    assert "receipt" not in client.get(f"/api/v1/units/{scenario.park}").json()


def test_a_lookups_receipt_verifies_offline(
    client: TestClient, world: World, scenario: Scenario, tmp_path: Path
) -> None:
    key = write_log_key(client, world, tmp_path)
    body = client.get("/api/v1/lookup", params={"q": "  苏州工业园区 ", "receipt": "true"}).json()
    document = body["receipt"]["document"]
    status, output = verify_on_the_command_line(document, key, tmp_path)
    assert status == 0, output
    content = verify_receipt(document, b64decode(key.read_text().strip(), "key"))
    assert content["kind"] == "lookup"
    assert content["question"] == {"q": "苏州工业园区", "limit": 20}
    assert [h["unit"]["id"] for h in content["answer"]["hits"]] == [
        h["unit"]["id"] for h in body["hits"]
    ]
    flipped = document.replace('"lookup"', '"lookuq"', 1)
    assert verify_on_the_command_line(flipped, key, tmp_path)[0] == 1  # not valid
