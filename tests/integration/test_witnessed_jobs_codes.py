"""A bulk job's receipt and a unit's ``green-code.json`` are receipt files as a bank check's
receipt is (docs/receipts.md 2.5): the signed receipt, the proof that the root declared its log
key, and, once the witnesses have cosigned a checkpoint that covers it, the witnessed checkpoint.
So ``greenreg receipt verify --root-public-key`` holds each to a 1-of-1 witness policy, and one
flipped byte in the witnessed part fails it. A witness runs over HTTP on loopback with its own
key and store; on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.registry.checkpoints import parse_checkpoint
from tests.integration.jobs_support import answered, submitted
from tests.integration.witnessing import WITNESS, Witnessed

runner = CliRunner()


def verify(tmp_path: Path, file: dict[str, Any], options: list[str]) -> tuple[int, str]:
    path = tmp_path / "kept.json"
    path.write_text(json.dumps(file, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["receipt", "verify", str(path), *options])
    return result.exit_code, result.output


def refusal(tmp_path: Path, file: dict[str, Any], options: list[str]) -> str:
    status, output = verify(tmp_path, file, options)
    assert status == 1, output
    (line,) = output.strip().splitlines()
    assert line.startswith("not valid: ")
    return line


def cosignature_flipped(file: dict[str, Any]) -> dict[str, Any]:
    """``file`` with one byte of the witness's signature, in its witnessed checkpoint, flipped."""
    note = file["witnessed"]["checkpoint"]
    head, _, rest = note.partition(f"— {WITNESS} ")
    line, _, tail = rest.partition("\n")
    blob = bytearray(base64.b64decode(line))
    blob[-1] ^= 1
    flipped = f"{head}— {WITNESS} {base64.b64encode(blob).decode()}\n{tail}"
    assert len(flipped) == len(note)
    assert flipped != note
    return {**file, "witnessed": {**file["witnessed"], "checkpoint": flipped}}


def size_of(file: dict[str, Any]) -> int:
    return parse_checkpoint(json.loads(file["document"])["act"]["checkpoint"])[0].size


def test_a_job_receipt_carries_its_log_key_proof_and_the_witnessed_checkpoint(
    witnessed: Witnessed, tmp_path: Path
) -> None:
    client, options = witnessed.client, witnessed.options
    park = witnessed.park()
    job = submitted(client, f"ref\n{park}\n", format="csv")
    status = answered(client, job["id"])
    assert status["status"] == "done"

    # Done before any witness cosigned: the receipt file has the log key proof, which the
    # signed receipt names, and no witnessed checkpoint, so the policy refuses it and says how
    # to get one.
    receipt = status["receipt"]
    act = json.loads(receipt["document"])["act"]
    assert act["kind"] == "certification_check_job"
    assert receipt["log_key"]["position"] == act["log_key_position"]
    assert receipt["witnessed"] is None
    line = refusal(tmp_path, receipt, options)
    assert f"0 valid of the 1 required; missing: {WITNESS}" in line
    assert f"GET /api/v1/log/witnessed?size={size_of(receipt)}" in line
    # The root key alone (no policy) checks the chain.
    assert verify(tmp_path, receipt, options[:2])[0] == 0

    # The witness cosigns: the next poll of the same job carries the witnessed checkpoint,
    # which is the receipt's own; the signed receipt is the same, byte for byte.
    assert witnessed.cosign() == 1
    again = client.get(f"/api/v1/jobs/{job['id']}").json()["receipt"]
    assert again["document"] == receipt["document"]
    assert again["witnessed"]["consistency"] == []
    status_code, output = verify(tmp_path, again, options)
    assert status_code == 0, output
    assert f"cosigned by {WITNESS} (1 of the 1 required)" in output

    # One flipped byte of the cosignature: that witness's line is not valid.
    line = refusal(tmp_path, cosignature_flipped(again), options)
    assert f"not valid: {WITNESS}" in line.removeprefix("not valid: ")

    # The log grows and the witness cosigns again: the job's receipt is tied to the newer
    # witnessed checkpoint by a consistency proof, and one flipped hex digit of it fails. (The
    # log is closed up to the job's moment: the later act is recorded later.)
    witnessed.world.clock.advance(seconds=1)
    witnessed.park("苏州工业园区")
    assert witnessed.cosign() == 1
    later = client.get(f"/api/v1/jobs/{job['id']}").json()["receipt"]
    assert later["document"] == receipt["document"]
    assert parse_checkpoint(later["witnessed"]["checkpoint"])[0].size > size_of(receipt)
    assert verify(tmp_path, later, options)[0] == 0
    first = later["witnessed"]["consistency"][0]
    hashes = [("1" if first[0] == "0" else "0") + first[1:], *later["witnessed"]["consistency"][1:]]
    changed = {**later, "witnessed": {**later["witnessed"], "consistency": hashes}}
    line = refusal(tmp_path, changed, options)
    assert f"the receipt's checkpoint of size {size_of(receipt)} is not part of the witnessed" in (
        line
    )


def test_a_units_green_code_json_carries_its_log_key_proof_and_the_witnessed_checkpoint(
    witnessed: Witnessed, tmp_path: Path
) -> None:
    client, options = witnessed.client, witnessed.options
    park = witnessed.park()

    # Before the witness cosigned: the statement with the proof of its log key, which verifies
    # from the root key, and no witnessed checkpoint, which the policy refuses.
    served = client.get(f"/units/{park}/green-code.json")
    assert served.status_code == 200, served.text
    assert served.headers["content-type"] == "application/json"
    early = served.json()
    assert set(early) == {"document", "key_id", "log_key"}
    act = json.loads(early["document"])["act"]
    assert (act["kind"], act["question"]) == ("green_code", {"unit": park})
    assert early["log_key"]["position"] == act["log_key_position"]
    assert verify(tmp_path, early, options[:2])[0] == 0
    assert f"0 valid of the 1 required; missing: {WITNESS}" in refusal(tmp_path, early, options)

    # Cosigned: the same statement (the unit has not changed) now carries the witnessed
    # checkpoint, and verifies under the policy.
    assert witnessed.cosign() == 1
    code = client.get(f"/units/{park}/green-code.json").json()
    assert code["document"] == early["document"]
    assert code["witnessed"]["consistency"] == []
    status, output = verify(tmp_path, code, options)
    assert status == 0, output
    assert f"cosigned by {WITNESS} (1 of the 1 required)" in output

    # One flipped byte of the cosignature, or of the witnessed note's root: refused.
    line = refusal(tmp_path, cosignature_flipped(code), options)
    assert f"not valid: {WITNESS}" in line.removeprefix("not valid: ")
    note = code["witnessed"]["checkpoint"]
    root_line = note.split("\n")[2]
    other = ("B" if root_line[0] == "A" else "A") + root_line[1:]
    rooted = {
        **code,
        "witnessed": {**code["witnessed"], "checkpoint": note.replace(root_line, other)},
    }
    line = refusal(tmp_path, rooted, options)
    assert "the witnessed checkpoint is not signed by the receipt's log key" in line

    # A unit recorded after the witnessed checkpoint: its code names the latest checkpoint and
    # carries no witnessed checkpoint until the witness cosigns it.
    newer = witnessed.park("苏州工业园区")
    fresh = client.get(f"/units/{newer}/green-code.json").json()
    assert "witnessed" not in fresh
    assert size_of(fresh) == witnessed.log.log_size()
    assert witnessed.cosign() == 1
    assert verify(tmp_path, client.get(f"/units/{newer}/green-code.json").json(), options)[0] == 0
