"""Split view: an operator that forks its log cannot get the fork cosigned by a witness that saw
the other history, and a receipt from the fork fails ``greenreg receipt verify`` under a 1-of-1
witness policy; a rolled-back log is refused too, and every refusal leaves the witness and the
registry as they were.

The operator runs two stores from one prefix, signed with one log key: the registry everyone
sees, and a secret copy that received the same acts until it took a different one at the same
log position. The witness runs over HTTP on loopback with its own key and SQLite store. On
SQLite and PostgreSQL (the copy is a second file, or a second schema on the same server).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenreg.api import create_app
from greenreg.bootstrap import open_greenreg, open_registry
from greenreg.cli import app
from greenreg.events.issuer import Issuer
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.key_formats import private_key_text
from greenreg.registry.application import Receipt, Registry
from greenreg.registry.checkpoints import verifier_key
from greenreg.registry.log import consistency_proof
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables
from greenreg.witness.service import Witness, trusted_logs
from greenreg.witness.state import WitnessState
from greenreg.witness.submitter import Submitter, WitnessConfig, WitnessEndpoint
from tests.integration.witnessing import on_loopback, witness_on_loopback, write_keys
from tests.support import World, empty_database

runner = CliRunner()


class ForkingOperator(World):
    """A registry, and the operator's secret copy of it that receives every act too until
    ``mirrored`` is turned off."""

    def __init__(self, url: str, copy_url: str) -> None:
        self.registry_url, self.copy_url = url, copy_url
        self.copy: Registry | None = None
        self.mirrored = True
        super().__init__(url)

    def submit(self, issuer: Issuer | str, type: str, **fields: Any) -> Receipt:
        act = self.act(issuer, type, **fields)
        receipt = self.registry.submit(act)
        if self.mirrored:
            self.the_copy().submit(act)
        return receipt

    def the_copy(self) -> Registry:
        if self.copy is None:
            self.copy = open_registry(self.copy_url, clock=self.clock)
        return self.copy

    def close(self) -> None:
        if self.copy is not None:
            self.copy.close()
        super().close()


def log_of(registry: Registry) -> LogTables:
    recorder = registry.recorder
    assert isinstance(recorder, LogTables)
    return recorder


@pytest.fixture
def copy_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty store beside ``database_url``: the operator's secret copy."""
    folder = tmp_path / "secret-copy"
    folder.mkdir()
    kind = "sqlite" if database_url.startswith("sqlite") else "postgres"
    with empty_database(kind, folder) as url:
        yield url


@pytest.fixture
def operator(
    database_url: str, copy_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ForkingOperator]:
    """Both stores sign with one log key, from a file (as production keeps it)."""
    key = tmp_path / "log.key"
    key.write_text(private_key_text(Ed25519Signer.generate()))
    key.chmod(0o600)
    monkeypatch.setenv("GREENREG_LOG_KEY", str(key))
    world = ForkingOperator(database_url, copy_url)
    try:
        declare(
            world.registry,
            world.root.signer,
            world.clock.now,
            lambda act: (world.registry.submit(act), world.the_copy().submit(act)),
        )
        yield world
    finally:
        world.close()


def register(world: ForkingOperator, registry: Registry, name: str) -> UUID:
    """``registry`` alone records a new park."""
    act = world.act(
        "js-eit", "register_unit", effective_date="2017-01-01", kind="park", name=name,
        credit_code=None, division="320500",
    )  # fmt: skip
    return registry.submit(act).subject_id


def add_checkpoint(url: str, old: int, note: str, proof: list[bytes]) -> httpx.Response:
    lines = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
    return httpx.post(f"{url}/add-checkpoint", content=f"old {old}\n{lines}\n{note}".encode())


def served_receipt(world: World, url: str, config: WitnessConfig, unit: UUID) -> dict[str, Any]:
    """The receipt file the registry on ``url`` serves for ``unit``, as a bank keeps it."""
    facade = open_greenreg(url, clock=world.clock)
    try:
        facade.projector.catch_up()
        with TestClient(create_app(facade, witnesses=config)) as client:
            answer = client.get(f"/api/v1/units/{unit}", params={"receipt": "true"})
            assert answer.status_code == 200, answer.text
            receipt: dict[str, Any] = answer.json()["receipt"]
            return receipt
    finally:
        facade.close()


def witnessed_answer(world: World, url: str, config: WitnessConfig, size: int) -> httpx.Response:
    facade = open_greenreg(url, clock=world.clock)
    try:
        with TestClient(create_app(facade, witnesses=config)) as client:
            return client.get("/api/v1/log/witnessed", params={"size": size})
    finally:
        facade.close()


def verify(tmp_path: Path, receipt: dict[str, Any], *options: str) -> tuple[int, str]:
    file = tmp_path / "receipt.json"
    file.write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["receipt", "verify", str(file), *options])
    return result.exit_code, result.output


def test_a_forked_log_is_refused_by_the_witness_and_its_receipts_fail(
    operator: ForkingOperator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    world = operator
    honest, copy = log_of(world.registry), log_of(world.the_copy())
    # The operator's two stores hold the same prefix, byte for byte: one size, one root.
    prefix = honest.latest_checkpoint()
    assert prefix is not None
    assert copy.latest_checkpoint() == prefix

    # A witness of its own, trusting the registry's log key; the policy: 1 of 1.
    assert honest.log_signer is not None
    logs = trusted_logs([verifier_key(honest.log_origin, honest.log_signer.public_key)])
    state = WitnessState(tmp_path / "witness.db")
    witness = Witness("witness.test/w1", Ed25519Signer.generate(), logs, state)
    with witness_on_loopback(witness) as url:
        config = WitnessConfig((WitnessEndpoint(witness.key, url),), 1)
        policy = ["--root-public-key", str(tmp_path / "root.pub")]
        (tmp_path / "root.pub").write_text(b64encode(world.root.signer.public_key) + "\n")
        policy += [*write_keys(tmp_path, [witness.key]), "--witnesses-required", "1"]

        # The registry everyone sees records a park; the witness cosigns its checkpoint.
        park = register(world, world.registry, "苏州工业园区")
        world.mirrored = False
        assert Submitter(honest, config).run_once() == 1
        seen = state.latest(honest.log_origin)
        assert seen.size == honest.log_size()
        assert seen.note is not None
        assert seen.note.startswith(str(honest.checkpoint_note(seen.size)))

        # Rolled back: the secret copy, still at the prefix, sends its smaller checkpoint. The
        # witness answers with the size it holds; the registry's side says the log was rolled
        # back and stores nothing.
        caplog.set_level(logging.WARNING, logger="greenreg.witness")
        assert Submitter(copy, config).run_once() == 0
        assert "this log has been rolled back" in caplog.text
        assert copy.witnessed_size(witness.name) == 0
        assert copy.cosignatures(prefix[0]) == []
        # Sent straight to the witness against its size: a log does not shrink.
        refused = add_checkpoint(url, seen.size, prefix[1], [])
        assert refused.status_code == 400
        assert "a log does not shrink (a rolled-back checkpoint)" in refused.text
        # Against its own old size: the witness says where it is, and why not.
        refused = add_checkpoint(url, prefix[0], prefix[1], [])
        assert (refused.status_code, refused.text) == (409, f"{seen.size}\n")
        assert "would roll the log back" in refused.headers["Witness-Reason"]
        assert state.latest(honest.log_origin) == seen

        # The fork: the copy records another park at the same position. Same size, another
        # root: the witness that saw the first history refuses, saying the log has forked.
        other = register(world, world.the_copy(), "苏州新区")
        assert copy.log_size() == seen.size
        fork = copy.latest_checkpoint()
        assert fork is not None
        assert not seen.note.startswith(fork[1])
        caplog.clear()
        assert Submitter(copy, config).run_once() == 0
        assert "the log has forked (two different histories)" in caplog.text
        refused = add_checkpoint(url, seen.size, fork[1], [])
        assert refused.status_code == 422
        assert "another root than the one the witness cosigned at that size" in refused.text
        assert copy.cosignatures(fork[0]) == []
        assert state.latest(honest.log_origin) == seen

        # The fork grows: no consistency proof from the witnessed tree holds.
        register(world, world.the_copy(), "苏州高新区")
        grown = copy.latest_checkpoint()
        assert grown is not None
        proof = consistency_proof(seen.size, grown[0], copy.read_nodes)
        refused = add_checkpoint(url, seen.size, grown[1], proof)
        assert refused.status_code == 422
        assert "is not an extension of the one the witness cosigned" in refused.text
        assert "the log has forked or been rewritten" in refused.text
        assert Submitter(copy, config).run_once() == 0
        assert copy.witnessed_size(witness.name) == 0
        assert state.latest(honest.log_origin) == seen

        # The honest registry's receipt carries the witnessed checkpoint and passes 1 of 1.
        receipt = served_receipt(world, world.registry_url, config, park)
        assert receipt["witnessed"]["checkpoint"].startswith(seen.note)
        status, output = verify(tmp_path, receipt, *policy)
        assert status == 0, output
        assert f"witnessed: the checkpoint of size {seen.size} covers it, cosigned by " in output
        assert "witness.test/w1 (1 of the 1 required)" in output

        # The fork's receipt: valid from the root key alone (the operator signed it), but no
        # witnessed checkpoint covers it, and the registry cannot give one.
        forked = served_receipt(world, world.copy_url, config, other)
        assert "witnessed" not in forked
        assert verify(tmp_path, forked, policy[0], policy[1])[0] == 0
        status, output = verify(tmp_path, forked, *policy)
        assert status == 1, output
        assert "0 valid of the 1 required; missing: witness.test/w1" in output
        assert "carries no witnessed checkpoint yet" in output
        asked = witnessed_answer(world, world.copy_url, config, grown[0])
        assert asked.status_code == 404
        assert "no checkpoint of size" in asked.json()["detail"]

        # The operator grafts the honest log's witnessed checkpoint onto the fork's receipt,
        # with the honest log's consistency proof from that size: the proof does not hold.
        register(world, world.registry, "昆山开发区")
        register(world, world.registry, "吴江开发区")
        assert Submitter(honest, config).run_once() == 1
        graft = witnessed_answer(world, world.registry_url, config, grown[0]).json()
        assert (graft["since"], graft["checkpoint"]["tree_size"]) == (grown[0], grown[0] + 1)
        assert graft["witnessed"]["consistency"]
        status, output = verify(tmp_path, {**forked, "witnessed": graft["witnessed"]}, *policy)
        assert status == 1, output
        assert f"checkpoint of size {grown[0]} is not part of the witnessed checkpoint" in output
        assert "the registry has shown two different histories" in output

        # A bank holding the fork's receipt asks the registry everyone sees for its witnessed
        # checkpoint: the proof it answers does not tie the receipt to it, so the file is left
        # as it was, and the command says why.
        facade = open_greenreg(world.registry_url, clock=world.clock)
        try:
            with on_loopback(create_app(facade, witnesses=config)) as seen_url:
                file = tmp_path / "fork-receipt.json"
                file.write_text(json.dumps(forked, ensure_ascii=False), encoding="utf-8")
                kept = file.read_bytes()
                asked = runner.invoke(
                    app, ["receipt", "witnessed", str(file), "--registry", seen_url]
                )
        finally:
            facade.close()
        assert asked.exit_code != 0
        assert "the registry has shown two different histories" in asked.output
        assert file.read_bytes() == kept
    state.close()
