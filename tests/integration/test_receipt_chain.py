"""A bank checks a receipt from the root public key alone: the root's declaration of the log key
is a log entry in the receipt's checkpoint, and every broken link is refused, named in one line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.receipts import compact, issue_receipt
from greenreg.storage.log_tables import LogTables
from greenreg.storage.queries import TransparencyLog
from tests.e2e.support import Scenario, facade_of
from tests.support import World

runner = CliRunner()


def served(client: TestClient, scenario: Scenario) -> dict[str, Any]:
    """The receipt file the REST API serves for a unit, as a bank saves it."""
    body = client.get(f"/api/v1/units/{scenario.park}", params={"receipt": "true"}).json()
    receipt: dict[str, Any] = body["receipt"]
    return receipt


def keys(world: World, folder: Path) -> tuple[Path, Path]:
    """The root public key (the bank's trust anchor) and the log public key, as files."""
    root, log = folder / "root.pub", folder / "log.pub"
    root.write_text(b64encode(world.root.signer.public_key) + "\n")
    signer = world.registry.recorder.log_signer  # type: ignore[attr-defined]
    log.write_text(b64encode(signer.public_key) + "\n")
    return root, log


def verify(folder: Path, receipt: dict[str, Any] | str, *options: str) -> tuple[int, str]:
    file = folder / "receipt.json"
    text = receipt if isinstance(receipt, str) else json.dumps(receipt, ensure_ascii=False)
    file.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["receipt", "verify", str(file), *options])
    return result.exit_code, result.output


def refusal(folder: Path, receipt: dict[str, Any] | str, root: Path) -> str:
    """The one line that names the break; the command's status says 'not valid' (1)."""
    status, output = verify(folder, receipt, "--root-public-key", str(root))
    assert status == 1, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("not valid: ")
    return lines[0]


def test_a_served_receipt_verifies_from_the_root_key(
    client: TestClient, world: World, scenario: Scenario, tmp_path: Path
) -> None:
    # The bank asks about a park with a receipt and keeps the file the API answers.
    receipt = served(client, scenario)
    root, _ = keys(world, tmp_path)
    position = receipt["log_key"]["position"]
    assert json.loads(receipt["document"])["act"]["log_key_position"] == position

    # From the root key alone: declaration, log key, checkpoint, inclusion, receipt.
    status, output = verify(tmp_path, receipt, "--root-public-key", str(root))
    assert status == 0, output
    assert output.startswith("valid from the root key: unit receipt")

    # The declaration is the log entry at that position: the registry's own proof agrees.
    log = TransparencyLog(world.registry.recorder)
    assert log.inclusion_at(position).event_id.endswith(
        f"/{receipt['log_key']['entry']['originator_version']}"
    )

    # The GraphQL receipt's file is the same kind of file.
    query = (
        "query($refs: [String!]!) "
        "{ certifications(refs: $refs, receipt: true) { receipt { file } } }"
    )
    answer = client.post(
        "/graphql", json={"query": query, "variables": {"refs": [str(scenario.park)]}}
    ).json()
    file = answer["data"]["certifications"]["receipt"]["file"]
    status, output = verify(tmp_path, file, "--root-public-key", str(root))
    assert status == 0, output


def test_another_root_key_is_refused(
    client: TestClient, world: World, scenario: Scenario, tmp_path: Path
) -> None:
    receipt = served(client, scenario)
    other = tmp_path / "other-root.pub"
    other.write_text(b64encode(Ed25519Signer.generate().public_key) + "\n")
    line = refusal(tmp_path, receipt, other)
    assert "not by this root key" in line


def test_a_tampered_act_is_refused(
    client: TestClient, world: World, scenario: Scenario, tmp_path: Path
) -> None:
    receipt = served(client, scenario)
    root, log = keys(world, tmp_path)
    document = receipt["document"]
    changed = document.replace('"kind":"unit"', '"kind":"unjt"', 1)
    assert changed != document
    line = refusal(tmp_path, {**receipt, "document": changed}, root)
    assert "the receipt was altered" in line
    # The log key alone refuses it too.
    assert verify(tmp_path, {**receipt, "document": changed}, "--log-public-key", str(log))[0] == 1


def test_a_tampered_proof_is_refused(
    client: TestClient, world: World, scenario: Scenario, tmp_path: Path
) -> None:
    receipt = served(client, scenario)
    root, _ = keys(world, tmp_path)
    proof = receipt["log_key"]
    assert proof["inclusion"], "a log of several entries has a non-empty inclusion proof"

    # One hash of the inclusion proof changed: the declaration is not proven in the tree.
    first = proof["inclusion"][0]
    hashes = [("0" if first[0] != "0" else "1") + first[1:], *proof["inclusion"][1:]]
    line = refusal(tmp_path, {**receipt, "log_key": {**proof, "inclusion": hashes}}, root)
    assert f"declaration at position {proof['position']} is not proven in the checkpoint" in line

    # Another position for the same entry: the signed receipt reports where it is.
    moved = {**proof, "position": proof["position"] - 1}
    line = refusal(tmp_path, {**receipt, "log_key": moved}, root)
    assert f"declaration at position {proof['position']}, the proof at {moved['position']}" in line

    # The entry's version changed: its leaf is another leaf.
    entry = {**proof["entry"], "originator_version": proof["entry"]["originator_version"] + 1}
    assert "is not proven" in refusal(
        tmp_path, {**receipt, "log_key": {**proof, "entry": entry}}, root
    )


def test_a_log_key_the_root_did_not_declare_is_refused(
    client: TestClient, world: World, scenario: Scenario, tmp_path: Path
) -> None:
    receipt = served(client, scenario)
    root, _ = keys(world, tmp_path)
    body = json.loads(receipt["document"])["act"]
    checkpoint = body["checkpoint"]

    # The operator signs with a key of its own, never declared by the root, and attaches the
    # proof of the declared key: the break is named.
    rogue = Ed25519Signer.generate()
    forged = issue_receipt(
        rogue,
        checkpoint,
        kind=body["kind"],
        question=body["question"],
        answer=body["answer"],
        issued_at=world.clock.now,
        log_key_position=receipt["log_key"]["position"],
    )
    file = {"document": compact(forged), "key_id": rogue.key_id, "log_key": receipt["log_key"]}
    line = refusal(tmp_path, file, root)
    assert f"signed by log key {rogue.key_id}, which this root did not declare" in line

    # A registry whose current log key was never declared serves receipts without a proof.
    facade = facade_of(client)
    recorder = facade.registry.recorder
    assert isinstance(recorder, LogTables)
    recorder.configure_log(rogue, recorder.log_origin)
    undeclared = served(client, scenario)
    assert undeclared["log_key"] is None
    assert "carries no proof that the root declared its log key" in refusal(
        tmp_path, undeclared, root
    )


def test_an_old_receipt_still_verifies_by_the_log_key(
    client: TestClient, world: World, scenario: Scenario, tmp_path: Path
) -> None:
    # A receipt as the registry served it before declarations were log entries: no
    # log_key_position in the signed part, no proof beside it.
    root, log_key = keys(world, tmp_path)
    signer = world.registry.recorder.log_signer  # type: ignore[attr-defined]
    old = issue_receipt(
        signer,
        TransparencyLog(world.registry.recorder).checkpoint().note,
        kind="lookup",
        question={"unit": str(scenario.park)},
        answer={"certified": True},
        issued_at=world.clock.now,
    )
    assert "log_key_position" not in old["act"]
    for shape in (compact(old), json.dumps({"document": compact(old), "key_id": signer.key_id})):
        status, output = verify(tmp_path, shape, "--log-public-key", str(log_key))
        assert status == 0, output
        assert "valid: lookup receipt" in output
    # From the root key it lacks the link to the root, and says so.
    assert "carries no proof" in refusal(tmp_path, compact(old), root)


def test_one_trust_anchor_is_given(
    client: TestClient, world: World, scenario: Scenario, tmp_path: Path
) -> None:
    receipt = served(client, scenario)
    root, log_key = keys(world, tmp_path)
    assert verify(tmp_path, receipt)[0] == 2  # usage: neither
    both = ("--root-public-key", str(root), "--log-public-key", str(log_key))
    assert verify(tmp_path, receipt, *both)[0] == 2


def test_a_receipt_time_without_an_offset_is_refused_in_words(
    client: TestClient, world: World, scenario: Scenario, tmp_path: Path
) -> None:
    # Signed by the declared log key, but its time names no instant: refused, not a crash.
    receipt = served(client, scenario)
    root, _ = keys(world, tmp_path)
    body = json.loads(receipt["document"])["act"]
    signer = world.registry.recorder.log_signer  # type: ignore[attr-defined]
    naive = issue_receipt(
        signer,
        body["checkpoint"],
        kind=body["kind"],
        question=body["question"],
        answer=body["answer"],
        issued_at=world.clock.now.replace(tzinfo=None),
        log_key_position=receipt["log_key"]["position"],
    )
    file = {"document": compact(naive), "key_id": signer.key_id, "log_key": receipt["log_key"]}
    status, output = verify(tmp_path, file, "--root-public-key", str(root))
    assert status != 0, output
    assert "has no UTC offset, so it names no instant" in output
