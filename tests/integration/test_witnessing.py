"""The registry gets its checkpoints cosigned by two witnesses on loopback (real HTTP, each
witness its own key and SQLite store), serves the cosignatures and its witness policy, and
``greenreg verify`` / ``greenreg receipt verify`` hold a checkpoint to a k-of-n policy; on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send
from typer.testing import CliRunner

from greenreg.api import create_app
from greenreg.bootstrap import open_greenreg
from greenreg.cli import app
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.receipts import issue_receipt
from greenreg.registry.checkpoints import verifier_key
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables
from greenreg.witness.cosignature import WitnessKey, check_witnessed
from greenreg.witness.service import Witness, trusted_logs
from greenreg.witness.state import WitnessState
from greenreg.witness.submitter import MAX_BACKOFF, Submitter, WitnessConfig, WitnessEndpoint
from tests.e2e.server import serving_app
from tests.integration.witnessing import witness_on_loopback, write_keys
from tests.support import World

runner = CliRunner()


def log_of(world: World) -> LogTables:
    recorder = world.registry.recorder
    assert isinstance(recorder, LogTables)
    assert recorder.log_signer is not None
    return recorder


@pytest.fixture
def witnessed(world: World, tmp_path: Path) -> Iterator[tuple[WitnessConfig, list[Witness]]]:
    declare(world.registry, world.root.signer, world.clock.now)  # as greenreg init does
    log = log_of(world)
    assert log.log_signer is not None
    logs = trusted_logs([verifier_key(log.log_origin, log.log_signer.public_key)])
    with ExitStack() as stack:
        witnesses, endpoints = [], []
        for n in (1, 2):
            state = WitnessState(tmp_path / f"witness-{n}.db")
            stack.callback(state.close)
            witness = Witness(f"witness.test/w{n}", Ed25519Signer.generate(), logs, state)
            url = stack.enter_context(witness_on_loopback(witness))
            witnesses.append(witness)
            endpoints.append(WitnessEndpoint(witness.key, url))
        yield WitnessConfig(tuple(endpoints), 2), witnesses


def test_two_witnesses_cosign_and_the_registry_serves_them(
    world: World,
    database_url: str,
    tmp_path: Path,
    witnessed: tuple[WitnessConfig, list[Witness]],
) -> None:
    config, witnesses = witnessed
    log = log_of(world)
    submitter = Submitter(log, config)
    try:
        assert submitter.run_once() == 2  # the first checkpoint each sees: old size 0
        first = log.log_size()
        world.register("js-eit", "苏州工业园区", "320500")
        grown = log.log_size()
        assert grown > first
        assert submitter.run_once() == 2  # with the consistency proof from the first size
        assert submitter.run_once() == 0  # nothing new
        for witness in witnesses:
            assert witness.state.latest(log.log_origin).size == grown
        # the registry lost its record of witness 1: the witness says 409 and its size, and
        # the registry sends the proof again from there
        with log.writing() as c:
            c.execute(log.sql("DELETE FROM {witnessed} WHERE witness = ?"), ("witness.test/w1",))
        world.register("js-eit", "苏州新区", "320505")
        assert submitter.run_once() == 2
        assert log.witnessed_size("witness.test/w1") == log.log_size()
    finally:
        submitter.stop()

    size = log.log_size()
    facade = open_greenreg(database_url, clock=world.clock)
    try:
        with TestClient(create_app(facade, witnesses=config)) as client:
            note = client.get("/api/v1/log/checkpoint?format=note").text
            answer = client.get("/api/v1/log/checkpoint").json()["checkpoint"]
            policy = client.get("/api/v1/log/witnesses").json()
    finally:
        facade.close()
    assert note.startswith(f"{log.log_origin}\n{size}\n")
    assert [c["witness"] for c in answer["cosignatures"]] == ["witness.test/w1", "witness.test/w2"]
    assert answer["cosigned_note"] == note
    assert policy["required"] == 2
    assert [w["vkey"] for w in policy["witnesses"]] == [w.key.vkey for w in witnesses]
    assert [w["url"] for w in policy["witnesses"]] == [e.url for e in config.endpoints]
    assert check_witnessed(note, config.policy) == ["witness.test/w1", "witness.test/w2"]

    # greenreg verify: 2 of 2 passes; 3 required of three keys fails naming the missing one
    keys = [w.key for w in witnesses]
    absent = WitnessKey("witness.test/absent", Ed25519Signer.generate().public_key)
    two = write_keys(tmp_path, keys)
    passed = runner.invoke(app, ["verify", "--database", database_url, *two])
    assert passed.exit_code == 0, passed.output
    assert "cosigned by witness.test/w1, witness.test/w2 (2 of the 2 required)" in passed.output
    assert "[witnesses]" not in passed.output
    three = write_keys(tmp_path, [*keys, absent])
    failed = runner.invoke(
        app, ["verify", "--database", database_url, *three, "--witnesses-required", "3"]
    )
    assert failed.exit_code != 0
    assert "2 valid of the 3 required; missing: witness.test/absent" in failed.output


def test_receipt_verify_holds_the_checkpoint_to_the_policy(
    world: World, tmp_path: Path, witnessed: tuple[WitnessConfig, list[Witness]]
) -> None:
    """A receipt file without a witnessed checkpoint (its own checkpoint has the log's
    signature only) is refused under a 1-of-1 policy, naming the witness; without a policy it
    is valid."""
    _, witnesses = witnessed
    log = log_of(world)
    assert log.log_signer is not None
    latest = log.latest_checkpoint()
    assert latest is not None
    receipt = issue_receipt(
        log.log_signer,
        latest[1],
        kind="lookup",
        question={"q": "x"},
        answer={"found": []},
        issued_at=world.clock.now,
    )
    file = tmp_path / "receipt.json"
    file.write_text(json.dumps(receipt, ensure_ascii=False))
    key = tmp_path / "log.pub"
    key.write_text(b64encode(log.log_signer.public_key) + "\n")
    base = ["receipt", "verify", str(file), "--log-public-key", str(key)]
    assert runner.invoke(app, base).exit_code == 0
    refused = runner.invoke(app, [*base, *write_keys(tmp_path, [witnesses[0].key])])
    assert refused.exit_code != 0
    assert "missing: witness.test/w1" in refused.output


def test_a_refusing_witness_is_tried_less_often_and_its_reason_logged_once(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    log = log_of(world)
    tries: list[str] = []
    reason = [b"unknown log"]

    async def refusing(scope: Scope, receive: Receive, send: Send) -> None:
        """A witness that refuses every checkpoint (403), counting the requests it gets."""
        if scope["type"] != "http":
            return
        tries.append(scope["path"])
        headers = [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(reason[0]))]
        await send({"type": "http.response.start", "status": 403, "headers": headers})
        await send({"type": "http.response.body", "body": reason[0]})

    key = WitnessKey("witness.test/refusing", Ed25519Signer.generate().public_key)
    now = [0.0]
    with serving_app(refusing) as url:
        config = WitnessConfig((WitnessEndpoint(key, url),), 1)
        submitter = Submitter(log, config, poll=1.0, clock=lambda: now[0])
        try:
            caplog.set_level(logging.WARNING, logger="greenreg")
            tried = []
            for second in range(64):  # a round a second for a minute
                now[0] = float(second)
                assert submitter.run_once() == 0
                tried.append(len(tries))
            # tried at 0, 1, 3, 7, 15, 31 and 63 s: the wait doubles, not a try a round
            assert [s for s in range(64) if tried[s] > (tried[s - 1] if s else 0)] == [
                0,
                1,
                3,
                7,
                15,
                31,
                63,
            ]
            said = [r.getMessage() for r in caplog.records if "refusing" in r.getMessage()]
            assert len(said) == 1  # the same reason is said once
            assert "did not cosign" in said[0]
            assert "unknown log" in said[0]
            reason[0] = b"log key not trusted"
            now[0] = 200.0
            submitter.run_once()
            said = [r.getMessage() for r in caplog.records if "refusing" in r.getMessage()]
            assert len(said) == 2
            assert "log key not trusted" in said[1]
            assert submitter.refusals[key.name].wait == 128.0
            for _ in range(5):
                now[0] += 1000.0
                submitter.run_once()
            assert submitter.refusals[key.name].wait == MAX_BACKOFF
        finally:
            submitter.stop()
