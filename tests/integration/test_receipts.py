"""A receipt is the registry's signed word: it verifies offline, later, and only unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.code_reference import parse
from greenreg.errors import GreenregError, SignatureError
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.green_codes import GreenCodes
from greenreg.receipts import compact, issue_receipt, verify_receipt
from greenreg.registry.checkpoints import parse_checkpoint
from greenreg.registry.log import verify_consistency
from greenreg.storage.queries import TransparencyLog
from tests.support import World

runner = CliRunner()


def designated_park(world: World) -> str:
    park = str(world.register("js-eit", "苏州高新技术产业开发区", "320505"))
    world.submit(
        "js-eit",
        "designate",
        unit=park,
        effective_date="2020-01-01",
        programme="green_park",
        jurisdiction="320000",
        batch="第一批",
        grade=None,
    )
    return park


def test_a_receipt_still_verifies_after_1000_more_events(world: World) -> None:
    # A bank asks whether a park is certified and keeps the signed answer.
    park = designated_park(world)
    log = TransparencyLog(world.registry.recorder)
    signer = log.recorder.log_signer
    assert signer is not None
    at = log.checkpoint()
    receipt = issue_receipt(
        signer,
        at.note,
        kind="certification_check",
        question={"unit": park, "programme": "green_park"},
        answer={"certified": True, "since": "2020-01-01"},
        issued_at=world.clock.now,
        as_of=world.clock.now.date(),
    )

    # 1,000 more events are recorded, in ten announcements.
    for batch in range(10):
        world.registry.submit_batch(
            world.act(
                "js-eit",
                "register_unit",
                effective_date="2018-01-01",
                kind="park",
                name=f"园区 {batch}-{i}",
                credit_code=None,
                division="320505",
            )
            for i in range(100)
        )
    later = log.checkpoint()
    assert later.tree_size == at.tree_size + 1000

    # The receipt verifies with the log public key alone ...
    body = verify_receipt(json.loads(json.dumps(receipt)), signer.public_key)
    assert body["answer"] == {"certified": True, "since": "2020-01-01"}
    # ... and its checkpoint is a prefix of today's log: history was not rewritten since.
    proof = log.consistency(at.tree_size, later.tree_size)
    old, _ = parse_checkpoint(at.note)
    new, _ = parse_checkpoint(later.note)
    verify_consistency(
        old.size, new.size, old.root, new.root, [bytes.fromhex(h) for h in proof.hashes]
    )


def test_a_receipt_with_one_changed_byte_fails(world: World) -> None:
    park = designated_park(world)
    log = TransparencyLog(world.registry.recorder)
    signer = log.recorder.log_signer
    assert signer is not None
    receipt = issue_receipt(
        signer,
        log.checkpoint().note,
        kind="lookup",
        question={"unit": park},
        answer={"certified": True},
        issued_at=world.clock.now,
    )
    text = compact(receipt)
    verify_receipt(text, signer.public_key)
    changed = text.replace('"certified":true', '"certified":trUe')
    assert sum(a != b for a, b in zip(changed, text, strict=True)) == 1
    with pytest.raises(GreenregError):
        verify_receipt(changed, signer.public_key)
    flipped = text.replace('"lookup"', '"lookuq"')
    with pytest.raises(SignatureError, match="altered"):
        verify_receipt(flipped, signer.public_key)
    with pytest.raises(SignatureError):
        verify_receipt(text, Ed25519Signer.generate().public_key)


def test_the_green_code_verifies_on_the_command_line(
    world: World, database_url: str, tmp_path: Path
) -> None:
    park = designated_park(world)
    result = runner.invoke(
        app, ["receipt", "green-code", park, "--out", str(tmp_path), "--database", database_url]
    )
    assert result.exit_code == 0, result.output
    code = tmp_path / "green-code.json"
    assert (tmp_path / "green-code.png").stat().st_size > 0
    signer = TransparencyLog(world.registry.recorder).recorder.log_signer
    assert signer is not None
    key = tmp_path / "log.pub"
    key.write_text(b64encode(signer.public_key) + "\n")

    ok = runner.invoke(app, ["receipt", "verify", str(code), "--log-public-key", str(key)])
    assert ok.exit_code == 0, ok.output
    assert "green_park" in ok.output
    assert "苏州高新技术产业开发区" in ok.output

    code.write_text(code.read_text("utf-8").replace("320000", "320001"), "utf-8")
    bad = runner.invoke(app, ["receipt", "verify", str(code), "--log-public-key", str(key)])
    assert bad.exit_code == 1  # not valid: a check found a problem


def test_the_command_lines_qr_code_carries_the_pages_short_url(
    world: World, database_url: str, tmp_path: Path
) -> None:
    park = designated_park(world)
    result = runner.invoke(
        app,
        [
            *("receipt", "green-code", park, "--out", str(tmp_path)),
            *("--database", database_url, "--base-url", "https://greenreg.example.cn"),
        ],
    )
    assert result.exit_code == 0, result.output
    image = Image.open(tmp_path / "green-code.png")  # read as QR codes are (not as 1-D codes)
    (found,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    url = found.text
    assert url.startswith("HTTPS://GREENREG.EXAMPLE.CN/V/")
    assert url in result.output
    reference = parse(url.rsplit("/", 1)[1])
    code = GreenCodes(world.registry).at(reference.registered, reference.size)
    assert str(code.unit_id) == park
    kept = json.loads((tmp_path / "green-code.json").read_text("utf-8"))
    assert kept["document"] == code.json  # the file holds the statement the URL names
    assert [d["programme"] for d in code.body["answer"]["designations"]] == ["green_park"]
