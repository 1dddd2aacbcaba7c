"""A verifier written in another language from ``docs/receipts.md`` alone
(``tests/interop/node/verify.mjs``, Node's built-ins only) checks what the registry serves: a
bank check's receipt file and a unit's green code, from the root public key. One changed byte in a
signature, the answer, the checkpoint or a proof hash makes it fail at the step that byte belongs
to; and it accepts the test vectors the document publishes. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.receipts import compact, issue_receipt
from tests.e2e.support import FACTORY_CODE, Scenario
from tests.integration.witnessing import WITNESS, Witnessed
from tests.support import World

REPOSITORY = Path(__file__).resolve().parents[2]
VERIFIER = REPOSITORY / "tests" / "interop" / "node" / "verify.mjs"
VECTORS = REPOSITORY / "docs" / "receipts-vectors.json"
SCAN_URL = re.compile(r'class="scan-url" href="([^"]+)"')
PRINTED_URL = re.compile(r"HTTPS?://\S+/V/[0-9A-Z.]+")


def node() -> str:
    """The ``node`` program; without it the test fails in CI and is skipped elsewhere."""
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed: the interoperability test needs Node 20 or later")
        pytest.skip("node is not installed (set CI to make this a failure)")
    return found


@dataclass
class Outcome:
    status: int
    output: str

    def failed_at(self, step: str) -> bool:
        """Refused, naming the step (``FAILED 6 the receipt signature: ...``)."""
        return self.status == 1 and self.output.startswith(f"FAILED {step}:")


def run(*args: str | Path) -> Outcome:
    done = subprocess.run(
        [node(), str(VERIFIER), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stderr == "", done.stderr  # a refusal is a line on stdout, never a crash
    return Outcome(done.returncode, done.stdout)


def one_byte_changed(text: str, old: str, new: str) -> str:
    """``text`` with the first ``old`` replaced by ``new``, asserted to differ in one byte."""
    assert len(old) == len(new)
    changed = text.replace(old, new, 1)
    before, after = text.encode(), changed.encode()
    assert len(before) == len(after)
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1, (old, new)
    return changed


def inside(text: str) -> str:
    """How ``text`` reads inside a JSON string (the receipt file's ``document``)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def other_base64_character(character: str) -> str:
    return "B" if character == "A" else "A"


@pytest.fixture
def root_key(world: World, tmp_path: Path) -> Path:
    """The bank's trust anchor: the root public key, one line of base64 in a file."""
    path = tmp_path / "root.pub"
    path.write_text(b64encode(world.root.signer.public_key) + "\n")
    return path


def test_a_bank_check_receipt_verifies_in_node_and_one_changed_byte_fails_it(
    client: TestClient, scenario: Scenario, root_key: Path, tmp_path: Path
) -> None:
    # A bank checks two borrowers as of its loan date, asks for a receipt and files it.
    answer = client.post(
        "/api/v1/certifications",
        json={"refs": [FACTORY_CODE, str(scenario.park)], "as_of": "2021-10-01", "receipt": True},
    )
    assert answer.status_code == 200, answer.text
    receipt: dict[str, Any] = answer.json()["receipt"]
    text = json.dumps(receipt, ensure_ascii=False)
    file = tmp_path / "receipt.json"
    file.write_text(text, encoding="utf-8")

    # The Node verifier checks every link from the root key and says what it checked.
    outcome = run("receipt", file, "--root-public-key", root_key)
    assert outcome.status == 0, outcome.output
    assert "ok 1 read: a certification_check receipt" in outcome.output
    assert f"declared at position {receipt['log_key']['position']}" in outcome.output
    assert "ok 6 the receipt signature" in outcome.output
    assert "data_version is the checkpoint" in outcome.output

    # One changed byte, in each part of the file, is refused at the step it belongs to.
    document = receipt["document"]
    envelope = json.loads(document)
    signature = envelope["signature"]
    note = envelope["act"]["checkpoint"]
    root_line = note.split("\n")[2]
    first_hash = receipt["log_key"]["inclusion"][0]
    changes = {
        "6 the receipt signature": [
            # a byte of the signature (a base64 digit inside it) ...
            (signature[:10], signature[:9] + other_base64_character(signature[9])),
            # ... and a byte of the answer: the factory's listing date
            (inside('"since":"2019-10-15"'), inside('"since":"2019-10-16"')),
        ],
        # a byte of the checkpoint's root hash: the log key did not sign that note
        "4 the checkpoint": [(root_line[:8], root_line[:7] + other_base64_character(root_line[7]))],
        # a hex digit of the declaration's inclusion proof
        "5 the declaration is in the tree": [
            (first_hash, ("1" if first_hash[0] == "0" else "0") + first_hash[1:])
        ],
    }
    assert '"since":"2019-10-15"' in document
    for step, edits in changes.items():
        for old, new in edits:
            file.write_text(one_byte_changed(text, old, new), encoding="utf-8")
            outcome = run("receipt", file, "--root-public-key", root_key)
            assert outcome.failed_at(step), (step, old, outcome.output)

    # Another root key does not vouch for this registry's log key.
    other = tmp_path / "other.pub"
    other.write_text(b64encode(bytes(range(1, 33))) + "\n")
    file.write_text(text, encoding="utf-8")
    outcome = run("receipt", file, "--root-public-key", other)
    assert outcome.failed_at("2 the declaration"), outcome.output


def test_a_green_code_verifies_in_node_and_one_changed_byte_fails_it(
    client: TestClient, scenario: Scenario, root_key: Path, tmp_path: Path
) -> None:
    # A supplier's customer scans the park's green code: a short URL naming a statement.
    page = client.get(f"/units/{scenario.park}").text
    found = SCAN_URL.search(page)
    assert found is not None
    url = found[1]
    # The statement the URL's signature signs, as the registry serves it: a receipt file whose
    # document is the statement, with the log key proof at the statement's checkpoint.
    statement = client.get(f"/units/{scenario.park}/green-code.json")
    assert statement.status_code == 200, statement.text
    text = statement.text
    served = json.loads(text)
    assert served["log_key"] is not None
    envelope = json.loads(served["document"])
    size = int(envelope["act"]["checkpoint"].split("\n")[1])
    statement_file = tmp_path / "green-code.json"
    statement_file.write_text(text, encoding="utf-8")

    def verify(scanned: str = url, *proof: str | Path) -> Outcome:
        return run("green-code", scanned, statement_file, "--root-public-key", root_key, *proof)

    outcome = verify()
    assert outcome.status == 0, outcome.output
    assert "ok 1 read: a green_code receipt" in outcome.output
    assert f"unit {scenario.park}" in outcome.output

    # The statement held alone (a bare envelope) is not tied to the root, and the verifier says
    # so; with the log key proof fetched as docs/receipts.md 2.5 says, it verifies.
    statement_file.write_text(served["document"], encoding="utf-8")
    bare = verify()
    assert bare.failed_at("1 read"), bare.output
    log_key = client.get("/api/v1/log/log-key", params={"key_id": envelope["key_id"], "size": size})
    assert log_key.status_code == 200, log_key.text
    assert log_key.json()["log_key"] == served["log_key"]
    proof_file = tmp_path / "log-key.json"
    proof_file.write_text(log_key.text, encoding="utf-8")
    fetched = verify(url, "--log-key", proof_file)
    assert fetched.status == 0, fetched.output
    statement_file.write_text(text, encoding="utf-8")

    # One changed byte of the URL's signature (a base32 digit) ...
    reference = url.rsplit("/", 1)[1]
    signature = reference.rsplit(".", 1)[1]
    changed_url = url[: -len(signature)] + ("B" if signature[0] == "A" else "A") + signature[1:]
    assert verify(changed_url).failed_at("8 the green code")
    # ... or of the checkpoint size it names.
    registered, code_size, _ = reference.split(".")
    older = url.replace(f"/{registered}.{code_size}.", f"/{registered}.{size - 1}.")
    assert verify(older).failed_at("8 the green code")

    # One changed byte of the statement (its signature, its answer, its checkpoint) or of a hash
    # of the log key proof.
    signature64 = envelope["signature"]
    designation = envelope["act"]["answer"]["designations"][0]
    root_line = envelope["act"]["checkpoint"].split("\n")[2]
    first_hash = served["log_key"]["inclusion"][0]
    since = designation["since"]
    changes = {
        "6 the receipt signature": [
            (signature64[:10], signature64[:9] + other_base64_character(signature64[9])),
            (inside(f'"since":"{since}"'), inside(f'"since":"{since[:-1]}9"')),
        ],
        "4 the checkpoint": [(root_line[:8], root_line[:7] + other_base64_character(root_line[7]))],
        "5 the declaration is in the tree": [
            (first_hash, ("1" if first_hash[0] == "0" else "0") + first_hash[1:])
        ],
    }
    assert since[-1] != "9"
    for step, edits in changes.items():
        for old, new in edits:
            statement_file.write_text(one_byte_changed(text, old, new), encoding="utf-8")
            outcome = verify()
            assert outcome.failed_at(step), (step, old, outcome.output)


def test_the_command_lines_green_code_file_carries_its_proof(
    scenario: Scenario, database_url: str, root_key: Path, tmp_path: Path
) -> None:
    """``greenreg receipt green-code`` writes a receipt file (the statement with its log key
    proof) and prints the URL its QR code carries: the two verify together, nothing fetched."""
    made = CliRunner().invoke(
        app,
        [
            *("receipt", "green-code", str(scenario.park), "--out", str(tmp_path)),
            *("--database", database_url, "--base-url", "https://greenreg.example.cn"),
        ],
    )
    assert made.exit_code == 0, made.output
    found = PRINTED_URL.search(made.output)
    assert found is not None, made.output
    kept = tmp_path / "green-code.json"
    assert json.loads(kept.read_text("utf-8"))["log_key"] is not None
    outcome = run("green-code", found[0], kept, "--root-public-key", root_key)
    assert outcome.status == 0, outcome.output
    assert f"unit {scenario.park}" in outcome.output


def test_node_holds_a_receipt_to_the_checks_beyond_its_signature(
    client: TestClient, world: World, scenario: Scenario, root_key: Path, tmp_path: Path
) -> None:
    """Receipts the log key really signed, each wrong in one way docs/receipts.md 7 (or 3)
    names: the verifier refuses each at that step."""
    served = client.get(f"/api/v1/units/{scenario.park}", params={"receipt": "true"}).json()
    receipt = served["receipt"]
    act = json.loads(receipt["document"])["act"]
    signer = world.registry.recorder.log_signer  # type: ignore[attr-defined]
    file = tmp_path / "receipt.json"

    def verify(signed_by: Any = signer, **changes: Any) -> Outcome:
        fields = {
            "kind": act["kind"],
            "question": act["question"],
            "answer": act["answer"],
            "issued_at": world.clock.now,
            "log_key_position": act["log_key_position"],
        } | changes
        document = compact(issue_receipt(signed_by, act["checkpoint"], **fields))
        file.write_text(json.dumps({**receipt, "document": document, "key_id": signed_by.key_id}))
        return run("receipt", file, "--root-public-key", root_key)

    # Signed again as served, it verifies: the refusals below are for what was changed.
    assert verify().status == 0
    # The answer claims another tree than the checkpoint's.
    version = act["answer"]["data_version"]
    stale = {**act["answer"], "data_version": {**version, "log_size": version["log_size"] - 1}}
    assert verify(answer=stale).failed_at("7 beyond the signatures")
    # Issued before the root declared the log key (valid from the declaration's time).
    early = world.clock.now - timedelta(seconds=1)
    assert verify(issued_at=early).failed_at("7 beyond the signatures")
    # It reports its key's declaration at another position than the proof's.
    moved = act["log_key_position"] + 1
    assert verify(log_key_position=moved).failed_at("3 the receipt names the log key")
    # Signed by a key the root never declared.
    assert verify(signed_by=Ed25519Signer.generate()).failed_at("3 the receipt names the log key")


def test_the_published_vectors_verify_in_node(tmp_path: Path) -> None:
    """docs/receipts-vectors.json: keys, an act, leaves, checkpoints, proofs and a receipt file,
    each recomputed by the Node verifier; one changed byte of the receipt file fails it."""
    outcome = run("vectors", VECTORS)
    assert outcome.status == 0, outcome.output
    assert "inclusion of 4 in 5, consistency of 2 with 5" in outcome.output
    assert "ok 7 beyond the signatures" in outcome.output

    vectors = json.loads(VECTORS.read_text("utf-8"))
    root_key = tmp_path / "root.pub"
    root_key.write_text(vectors["keys"]["root_public_key"] + "\n")
    text = json.dumps(vectors["receipt_file"], ensure_ascii=False)
    file = tmp_path / "receipt.json"
    file.write_text(text, encoding="utf-8")
    assert run("receipt", file, "--root-public-key", root_key).status == 0
    # The answer names its evidence at position 4: position 5 is another answer.
    evidence = (inside('"position":4'), inside('"position":5'))
    file.write_text(one_byte_changed(text, *evidence), encoding="utf-8")
    assert run("receipt", file, "--root-public-key", root_key).failed_at("6 the receipt signature")

    # The vectors' authority key is not the root key: the verifier refuses to be anchored there.
    root_key.write_text(vectors["act"]["public_key"] + "\n")
    file.write_text(text, encoding="utf-8")
    outcome = run("receipt", file, "--root-public-key", root_key)
    assert outcome.failed_at("2 the declaration"), outcome.output
    assert base64.b64decode(vectors["act"]["public_key"]) != base64.b64decode(
        vectors["keys"]["root_public_key"]
    )


def test_node_holds_a_receipt_and_a_green_code_to_a_one_of_one_witness_policy(
    witnessed: Witnessed, tmp_path: Path
) -> None:
    """docs/receipts.md 2.8 read alone: the witnessed checkpoint extends the receipt's (a
    consistency proof) and carries the cosignature the policy asks; a flipped byte of the
    cosignature or of the proof fails at step 4."""
    client, options = witnessed.client, witnessed.options
    park = witnessed.park()
    answer = client.post("/api/v1/certifications", json={"refs": [park], "receipt": True})
    assert answer.status_code == 200, answer.text
    receipt: dict[str, Any] = answer.json()["receipt"]
    assert "witnessed" not in receipt
    file = tmp_path / "receipt.json"

    def verify(kept: dict[str, Any], *policy: str) -> Outcome:
        file.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
        return run("receipt", file, *options[:2], *policy)

    # No witness has cosigned: without a policy it verifies; under 1 of 1 the receipt's own
    # checkpoint carries no cosignature.
    assert verify(receipt).status == 0
    early = verify(receipt, *options[2:])
    assert early.failed_at("4 the witnesses"), early.output
    assert f"0 valid of the 1 required; missing: {WITNESS}" in early.output

    # The log grows, the witness cosigns, and the bank fetches the witnessed checkpoint: it
    # extends the receipt's checkpoint by a consistency proof.
    witnessed.park("苏州工业园区")
    assert witnessed.cosign() == 1
    size = int(json.loads(receipt["document"])["act"]["checkpoint"].split("\n")[1])
    fetched = client.get("/api/v1/log/witnessed", params={"size": size})
    assert fetched.status_code == 200, fetched.text
    kept = {**receipt, "witnessed": fetched.json()["witnessed"]}
    assert kept["witnessed"]["consistency"]
    outcome = verify(kept, *options[2:], "--witnesses-required", "1")
    assert outcome.status == 0, outcome.output
    assert (
        f"ok 4 the witnesses: checkpoint {witnessed.log.log_size()}, consistent with the "
        f"receipt's {size}, cosigned by {WITNESS} (1 of the 1 required)"
    ) in outcome.output

    # One flipped byte of the cosignature (the last of its signature) ...
    note = kept["witnessed"]["checkpoint"]
    head, _, rest = note.partition(f"— {WITNESS} ")
    line, _, tail = rest.partition("\n")
    blob = bytearray(base64.b64decode(line))
    blob[-1] ^= 1
    flipped = f"{head}— {WITNESS} {base64.b64encode(blob).decode()}\n{tail}"
    outcome = verify({**kept, "witnessed": {**kept["witnessed"], "checkpoint": flipped}})
    assert outcome.status == 0, "without a policy a cosignature is not checked"
    outcome = verify(
        {**kept, "witnessed": {**kept["witnessed"], "checkpoint": flipped}}, *options[2:]
    )
    assert outcome.failed_at("4 the witnesses"), outcome.output
    assert f"not valid: {WITNESS} (the signature does not verify)" in outcome.output
    # ... or one flipped hex digit of the consistency proof, with or without a policy.
    first, *others = kept["witnessed"]["consistency"]
    hashes = [("1" if first[0] == "0" else "0") + first[1:], *others]
    changed = {**kept, "witnessed": {**kept["witnessed"], "consistency": hashes}}
    assert verify(changed).failed_at("4 the witnesses")
    outcome = verify(changed, *options[2:])
    assert outcome.failed_at("4 the witnesses"), outcome.output
    assert f"size {size} is not a prefix of the witnessed checkpoint" in outcome.output

    # A witness key given twice is one witness, not two.
    assert run("receipt", file, *options, *options[2:]).output.startswith(
        "FAILED witness policy: the policy names one witness twice"
    )

    # The park's green code carries the witnessed checkpoint too, and verifies under 1 of 1.
    page = client.get(f"/units/{park}").text
    found = SCAN_URL.search(page)
    assert found is not None
    code = tmp_path / "green-code.json"
    code.write_text(client.get(f"/units/{park}/green-code.json").text, encoding="utf-8")
    assert "witnessed" in json.loads(code.read_text("utf-8"))
    outcome = run("green-code", found[1], code, *options)
    assert outcome.status == 0, outcome.output
    assert f"cosigned by {WITNESS} (1 of the 1 required)" in outcome.output
