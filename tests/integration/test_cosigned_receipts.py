"""Receipts, green codes and exports carry the witnessed checkpoint, so each is checked against a
k-of-n witness policy: a bank's receipt issued before the witnesses cosigned is made checkable
later (the same receipt, with the witnessed checkpoint and a consistency proof to it), a green
code names a witnessed checkpoint, and an export holds the cosignatures. Two witnesses and the
registry run over HTTP on loopback, with real keys; on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from greenreg.api import create_app
from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.cli import app
from greenreg.code_reference import parse
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.registry.checkpoints import (
    Checkpoint,
    parse_checkpoint,
    sign_checkpoint,
    verifier_key,
)
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables
from greenreg.storage.queries import TransparencyLog
from greenreg.witness.cosignature import WitnessKey
from greenreg.witness.service import Witness, trusted_logs
from greenreg.witness.state import WitnessState
from greenreg.witness.submitter import Submitter, WitnessConfig, WitnessEndpoint
from tests.integration.witnessing import (
    Cosigning,
    on_loopback,
    policy_file,
    witness_on_loopback,
    write_keys,
)
from tests.support import World

runner = CliRunner()


class Registry(Cosigning):
    """The registry with two witnesses (policy: 2 of 2), served on loopback."""

    def __init__(self, world: World, facade: Greenreg, config: WitnessConfig, url: str) -> None:
        self.world, self.facade, self.config, self.url = world, facade, config, url
        recorder = world.registry.recorder
        assert isinstance(recorder, LogTables)
        self.log = recorder

    def receipt(self, park: str) -> dict[str, Any]:
        answer = httpx.get(f"{self.url}/api/v1/units/{park}", params={"receipt": "true"})
        assert answer.status_code == 200, answer.text
        receipt: dict[str, Any] = answer.json()["receipt"]
        return receipt


@pytest.fixture
def registry(world: World, database_url: str, tmp_path: Path) -> Iterator[Registry]:
    declare(world.registry, world.root.signer, world.clock.now)  # as greenreg init does
    recorder = world.registry.recorder
    assert isinstance(recorder, LogTables)
    assert recorder.log_signer is not None
    logs = trusted_logs([verifier_key(recorder.log_origin, recorder.log_signer.public_key)])
    with ExitStack() as stack:
        endpoints = []
        for n in (1, 2):
            state = WitnessState(tmp_path / f"witness-{n}.db")
            stack.callback(state.close)
            witness = Witness(f"witness.test/w{n}", Ed25519Signer.generate(), logs, state)
            url = stack.enter_context(witness_on_loopback(witness))
            endpoints.append(WitnessEndpoint(witness.key, url))
        config = WitnessConfig(tuple(endpoints), 2)
        facade = open_greenreg(database_url, clock=world.clock)
        stack.callback(facade.close)
        url = stack.enter_context(on_loopback(create_app(facade, witnesses=config)))
        (tmp_path / "root.pub").write_text(b64encode(world.root.signer.public_key) + "\n")
        yield Registry(world, facade, config, url)


def policy(tmp_path: Path, registry: Registry, *extra: WitnessKey) -> list[str]:
    """``receipt verify``'s options: the root key and the witness keys, all of them required."""
    keys = [e.key for e in registry.config.endpoints] + list(extra)
    return ["--root-public-key", str(tmp_path / "root.pub"), *write_keys(tmp_path, keys)]


def verify(tmp_path: Path, receipt: dict[str, Any] | Path, *options: str) -> tuple[int, str]:
    file = receipt if isinstance(receipt, Path) else tmp_path / "receipt.json"
    if not isinstance(receipt, Path):
        file.write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["receipt", "verify", str(file), *options])
    return result.exit_code, result.output


def refusal(tmp_path: Path, receipt: dict[str, Any], *options: str) -> str:
    status, output = verify(tmp_path, receipt, *options)
    assert status == 1, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("not valid: ")
    return lines[0]


def size_of(note: str) -> int:
    return parse_checkpoint(note)[0].size


def test_a_receipt_issued_before_the_witnesses_cosigned_is_made_checkable_later(
    registry: Registry, tmp_path: Path
) -> None:
    # A bank asks about a park right after it was designated: no witness has cosigned yet.
    park = registry.park()
    receipt = registry.receipt(park)
    assert "witnessed" not in receipt
    options = policy(tmp_path, registry)
    line = refusal(tmp_path, receipt, *options)
    assert "0 valid of the 2 required; missing: witness.test/w1, witness.test/w2" in line
    assert "carries no witnessed checkpoint yet" in line
    size = size_of(json.loads(receipt["document"])["act"]["checkpoint"])

    # The registry says when it has nothing to give yet; asking leaves the file as it was.
    asked = httpx.get(f"{registry.url}/api/v1/log/witnessed", params={"size": size})
    assert asked.status_code == 404
    assert asked.json()["detail"].startswith(
        f"no checkpoint of size {size} or larger has yet been cosigned by 2 of the 2 witnesses"
    )
    file = tmp_path / "kept.json"
    file.write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
    kept = file.read_bytes()
    early = runner.invoke(app, ["receipt", "witnessed", str(file), "--registry", registry.url])
    assert early.exit_code != 0
    assert "has yet been cosigned by 2 of the 2 witnesses" in early.output
    assert file.read_bytes() == kept

    # The witnesses cosign; the bank fetches the witnessed checkpoint into the same file.
    assert registry.cosign() == 2
    added = runner.invoke(app, ["receipt", "witnessed", str(file), "--registry", registry.url])
    assert added.exit_code == 0, added.output
    upgraded = json.loads(file.read_text("utf-8"))
    assert upgraded["document"] == receipt["document"]  # the signed receipt, byte for byte
    assert upgraded["witnessed"]["consistency"] == []  # the receipt's own checkpoint
    status, output = verify(tmp_path, file, *options)
    assert status == 0, output
    assert f"witnessed: the checkpoint of size {size} covers it" in output
    assert "cosigned by witness.test/w1, witness.test/w2 (2 of the 2 required)" in output

    # Much later the log has grown: the first receipt is tied to the newer witnessed
    # checkpoint by a consistency proof.
    registry.park("苏州工业园区")
    assert registry.cosign() == 2
    file.write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
    added = runner.invoke(app, ["receipt", "witnessed", str(file), "--registry", registry.url])
    assert added.exit_code == 0, added.output
    witnessed = json.loads(file.read_text("utf-8"))["witnessed"]
    assert size_of(witnessed["checkpoint"]) == registry.log.log_size() > size
    assert witnessed["consistency"]
    assert verify(tmp_path, file, *options)[0] == 0

    # A receipt issued while the latest checkpoint is cosigned carries it from the start, from
    # REST and from GraphQL alike.
    fresh = registry.receipt(park)
    assert fresh["witnessed"]["consistency"] == []
    assert verify(tmp_path, fresh, *options)[0] == 0
    query = "query($r: [String!]!) { certifications(refs: $r, receipt: true) { receipt { file } } }"
    answer = httpx.post(
        f"{registry.url}/graphql", json={"query": query, "variables": {"r": [park]}}
    )
    file_text = answer.json()["data"]["certifications"]["receipt"]["file"]
    assert json.loads(file_text)["witnessed"] == fresh["witnessed"]
    assert verify(tmp_path, json.loads(file_text), *options)[0] == 0

    # One witness cosigns the next checkpoint, the other not yet: under 2 of 2 the newest
    # witnessed checkpoint is still the one both cosigned, and a receipt at the newer one has
    # none until the second witness catches up.
    both = registry.log.log_size()
    registry.park("昆山经济技术开发区")
    submitter = Submitter(registry.log, registry.config)
    endpoint = registry.config.endpoints[0]
    assert submitter.submit(endpoint, registry.log.log_size(), registry.log.latest_checkpoint()[1])  # type: ignore[index]
    submitter.stop()
    asked = httpx.get(f"{registry.url}/api/v1/log/witnessed").json()
    assert asked["checkpoint"]["tree_size"] == both
    served = httpx.get(f"{registry.url}/api/v1/log/checkpoint", params={"witnessed": "true"})
    assert served.json()["checkpoint"]["tree_size"] == both
    later = registry.receipt(park)
    assert "witnessed" not in later
    assert registry.cosign() == 1  # the second witness
    assert "witnessed" in registry.receipt(park)


def test_a_witnessed_checkpoint_that_does_not_hold_is_refused(
    registry: Registry, tmp_path: Path
) -> None:
    """Each change to the file's witnessed checkpoint is named in one line; the receipt itself
    is untouched in every case."""
    park = registry.park()
    assert registry.cosign() == 2
    receipt = registry.receipt(park)  # at size n, covered by the witnessed checkpoint of n
    registry.park("苏州工业园区")
    assert registry.cosign() == 2
    size = size_of(json.loads(receipt["document"])["act"]["checkpoint"])
    answer = httpx.get(f"{registry.url}/api/v1/log/witnessed", params={"size": size}).json()
    witnessed = answer["witnessed"]
    assert witnessed["consistency"]
    options = policy(tmp_path, registry)
    assert verify(tmp_path, {**receipt, "witnessed": witnessed}, *options)[0] == 0

    def changed(**members: Any) -> dict[str, Any]:
        return {**receipt, "witnessed": {**witnessed, **members}}

    # A hash of the consistency proof changed: the trees are not shown to be one history.
    first = witnessed["consistency"][0]
    hashes = [("0" if first[0] != "0" else "1") + first[1:], *witnessed["consistency"][1:]]
    line = refusal(tmp_path, changed(consistency=hashes), *options)
    assert f"the receipt's checkpoint of size {size} is not part of the witnessed" in line

    # One witness's cosignature line left out: 1 of the 2 required.
    note = witnessed["checkpoint"]
    without = "".join(ln + "\n" for ln in note.split("\n") if "witness.test/w2" not in ln and ln)
    without = without.replace("\n— ", "\n\n— ", 1)
    line = refusal(tmp_path, changed(checkpoint=without), *options)
    assert "1 valid of the 2 required; missing: witness.test/w2" in line

    # A byte of a cosignature flipped: that witness's line is named as not valid.
    head, _, rest = note.partition("— witness.test/w1 ")
    blob = bytearray(base64.b64decode(rest.split("\n")[0]))
    blob[-1] ^= 1
    flipped = (
        f"{head}— witness.test/w1 {base64.b64encode(blob).decode()}\n" + rest.split("\n", 1)[1]
    )
    line = refusal(tmp_path, changed(checkpoint=flipped), *options)
    assert "not valid: witness.test/w1" in line.removeprefix("not valid: ")

    # A checkpoint of the same tree signed by a key the root never declared.
    tree = parse_checkpoint(note)[0]
    forged = sign_checkpoint(
        Checkpoint(tree.origin, tree.size, tree.root), Ed25519Signer.generate()
    )
    line = refusal(tmp_path, changed(checkpoint=forged), *options)
    assert "the witnessed checkpoint is not signed by the receipt's log key" in line

    # A receipt at the latest checkpoint, given the older witnessed checkpoint of size n.
    latest = registry.receipt(park)
    older = TransparencyLog(registry.log).cosigned_note(
        TransparencyLog(registry.log).checkpoint(size)
    )
    assert size_of(latest["witnessed"]["checkpoint"]) > size
    line = refusal(
        tmp_path, {**latest, "witnessed": {"checkpoint": older, "consistency": []}}, *options
    )
    assert f"has {size} entries, fewer than the receipt's" in line

    # Not the shape the specification gives.
    line = refusal(tmp_path, changed(consistency="none"), *options)
    assert "'witnessed' has 'checkpoint' (a signed note) and 'consistency'" in line
    line = refusal(tmp_path, {**receipt, "witnessed": "cosigned"}, *options)
    assert "a receipt file's 'witnessed' is an object (or null)" in line

    # The log key alone (no root) checks the same witnessed checkpoint.
    log_key = tmp_path / "log.pub"
    assert registry.log.log_signer is not None
    log_key.write_text(b64encode(registry.log.log_signer.public_key) + "\n")
    by_log_key = ["--log-public-key", str(log_key), *options[2:]]
    assert verify(tmp_path, {**receipt, "witnessed": witnessed}, *by_log_key)[0] == 0
    assert "not part of the witnessed" in refusal(
        tmp_path, changed(consistency=hashes), *by_log_key
    )


def test_an_export_holds_the_cosignatures_and_verify_checks_them(
    registry: Registry, database_url: str, tmp_path: Path
) -> None:
    witnesses = str(policy_file(tmp_path, registry.config))
    options = policy(tmp_path, registry)
    registry.park()

    # No checkpoint meets the registry's policy yet: nothing is written.
    folder = tmp_path / "export"
    early = runner.invoke(
        app, ["export", str(folder), "--database", database_url, "--witnesses", witnesses]
    )
    assert early.exit_code != 0
    assert "so nothing was exported" in early.output
    assert not folder.exists()

    # Cosigned, then the log grows: the export stops at the witnessed checkpoint, with the
    # witnesses' cosignature lines in its note.
    assert registry.cosign() == 2
    witnessed = registry.log.log_size()
    registry.park("苏州工业园区")
    done = runner.invoke(
        app, ["export", str(folder), "--database", database_url, "--witnesses", witnesses]
    )
    assert done.exit_code == 0, done.output
    note = (folder / "checkpoint").read_text("utf-8")
    assert size_of(note) == witnessed < registry.log.log_size()
    assert "\n— witness.test/w1 " in note
    assert "\n— witness.test/w2 " in note
    checked = runner.invoke(app, ["verify", "--from", str(folder), *options])
    assert checked.exit_code == 0, checked.output
    assert "cosigned by witness.test/w1, witness.test/w2 (2 of the 2 required)" in checked.output

    # A policy the export does not meet is a problem, named.
    absent = WitnessKey("witness.test/absent", Ed25519Signer.generate().public_key)
    three = runner.invoke(
        app, ["verify", "--from", str(folder), *policy(tmp_path, registry, absent)]
    )
    assert three.exit_code != 0
    assert "2 valid of the 3 required; missing: witness.test/absent" in three.output

    # Without the policy the export is the latest checkpoint, which no witness cosigned yet.
    latest = tmp_path / "latest"
    plain = runner.invoke(app, ["export", str(latest), "--database", database_url])
    assert plain.exit_code == 0, plain.output
    assert size_of((latest / "checkpoint").read_text("utf-8")) == registry.log.log_size()
    unwitnessed = runner.invoke(app, ["verify", "--from", str(latest), *options])
    assert unwitnessed.exit_code != 0
    assert "0 valid of the 2 required; missing: witness.test/w1, witness.test/w2" in (
        unwitnessed.output
    )

    # The registry's tiled log serves the witnessed checkpoint, so a mirror verifies too.
    assert httpx.get(f"{registry.url}/checkpoint").text == note
    mirrored = runner.invoke(app, ["verify", "--from", registry.url, *options])
    assert mirrored.exit_code == 0, mirrored.output


def test_a_green_code_names_the_witnessed_checkpoint(
    registry: Registry, database_url: str, tmp_path: Path
) -> None:
    witnesses = str(policy_file(tmp_path, registry.config))
    options = policy(tmp_path, registry)
    park = registry.park()
    assert registry.cosign() == 2
    witnessed = registry.log.log_size()
    other = registry.park("苏州工业园区")  # after the witnessed checkpoint

    def green_code(unit: str, out: Path, *extra: str) -> tuple[dict[str, Any], str]:
        made = runner.invoke(
            app,
            [
                *("receipt", "green-code", unit, "--out", str(out)),
                *("--database", database_url, "--base-url", registry.url, *extra),
            ],
        )
        assert made.exit_code == 0, made.output
        url = made.output.split("it carries ", 1)[1].split()[0]
        return json.loads((out / "green-code.json").read_text("utf-8")), url.rsplit("/", 1)[1]

    # The park has not changed since the witnessed checkpoint: its code names that one.
    kept, reference = green_code(park, tmp_path / "park", "--witnesses", witnesses)
    assert parse(reference).size == witnessed < registry.log.log_size()
    assert kept["witnessed"]["consistency"] == []
    assert verify(tmp_path, tmp_path / "park" / "green-code.json", *options)[0] == 0
    page = httpx.get(f"{registry.url}/V/{reference}")
    assert page.status_code == 200
    assert (
        f"log checkpoint {witnessed} covers this code and is cosigned by the witnesses "
        "witness.test/w1, witness.test/w2"
    ) in page.text

    # A unit recorded after it: its code names the latest checkpoint, not yet witnessed; the
    # page says so and the policy refuses the file until the witnesses cosign.
    kept, reference = green_code(other, tmp_path / "other", "--witnesses", witnesses)
    assert parse(reference).size == registry.log.log_size()
    assert "witnessed" not in kept
    page = httpx.get(f"{registry.url}/V/{reference}")
    assert "have not yet cosigned a log checkpoint that covers this code" in page.text
    assert verify(tmp_path, tmp_path / "other" / "green-code.json", *options)[0] == 1
    assert registry.cosign() == 2
    assert "is cosigned by the witnesses" in httpx.get(f"{registry.url}/V/{reference}").text

    # Without the registry's policy the command names the latest checkpoint, as before.
    kept, reference = green_code(park, tmp_path / "plain")
    assert parse(reference).size == registry.log.log_size()
    assert "witnessed" not in kept


def test_the_witnessed_checkpoint_is_refused_where_there_is_none_to_give(
    registry: Registry, world: World, database_url: str, tmp_path: Path
) -> None:
    """Each refusal of /api/v1/log/witnessed and of ``greenreg receipt witnessed`` says why,
    and the bank's file is left as it was."""
    park = registry.park()
    assert registry.cosign() == 2
    size = registry.log.log_size()
    asked = httpx.get(f"{registry.url}/api/v1/log/witnessed", params={"size": size + 5})
    assert asked.status_code == 422
    assert f"size {size + 5} is outside the log" in asked.json()["detail"]

    # A registry without witnesses says it has none.
    facade = open_greenreg(database_url, clock=world.clock)
    try:
        with on_loopback(create_app(facade)) as plain:
            asked = httpx.get(f"{plain}/api/v1/log/witnessed", params={"size": size})
            assert asked.status_code == 404
            assert "publishes no witness policy" in asked.json()["detail"]
            file = tmp_path / "kept.json"
            file.write_text(json.dumps(registry.receipt(park)), encoding="utf-8")
            kept = file.read_bytes()
            refused = runner.invoke(app, ["receipt", "witnessed", str(file), "--registry", plain])
            assert refused.exit_code != 0
            assert "publishes no witness policy" in refused.output
            assert file.read_bytes() == kept
    finally:
        facade.close()

    # No registry at that address: said so, the file unchanged.
    gone = runner.invoke(
        app, ["receipt", "witnessed", str(file), "--registry", "http://127.0.0.1:9"]
    )
    assert gone.exit_code != 0
    assert "cannot reach the registry at http://127.0.0.1:9" in gone.output
    assert file.read_bytes() == kept
