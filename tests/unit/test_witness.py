"""The witness (C2SP tlog-witness) and its cosignatures (C2SP tlog-cosignature), over HTTP.

The log here is an in-memory RFC 9162 tree signed with a real log key; the witness runs as its
Starlette app on a test client, with its SQLite store in a temporary file."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.errors import GreenregError
from greenreg.events.signing import Ed25519Signer
from greenreg.registry.checkpoints import Checkpoint, sign_checkpoint, verifier_key
from greenreg.registry.log import Node, append_leaves, consistency_proof, leaf_hash, tree_root
from greenreg.witness.app import SIZE_TYPE, witness_app
from greenreg.witness.cosignature import (
    WitnessKey,
    WitnessPolicy,
    WitnessPolicyError,
    check_witnessed,
    parse_witness_vkey,
)
from greenreg.witness.service import Witness, trusted_logs
from greenreg.witness.state import WitnessState

ORIGIN = "example.test/log"
NOW = 1_760_000_000


class Log:
    """A log: leaves appended, checkpoints signed, consistency proofs made."""

    def __init__(self, signer: Ed25519Signer, tag: bytes = b"") -> None:
        self.signer, self.tag = signer, tag
        self.nodes: dict[Node, bytes] = {}
        self.size = 0

    def grow(self, n: int, tag: bytes | None = None) -> None:
        leaves = [leaf_hash((tag or self.tag) + str(self.size + i).encode()) for i in range(n)]
        self.nodes |= append_leaves(self.size, self.nodes, leaves)
        self.size += n

    def read(self, keys: object) -> dict[Node, bytes]:
        return {k: self.nodes[k] for k in keys}  # type: ignore[attr-defined]

    def note(self, size: int | None = None) -> str:
        size = self.size if size is None else size
        return sign_checkpoint(Checkpoint(ORIGIN, size, tree_root(size, self.read)), self.signer)

    def body(self, old: int, size: int | None = None, proof: list[bytes] | None = None) -> str:
        size = self.size if size is None else size
        if proof is None:
            proof = consistency_proof(old, size, self.read) if 0 < old < size else []
        lines = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
        return f"old {old}\n{lines}\n{self.note(size)}"


@pytest.fixture
def log_key() -> Ed25519Signer:
    return Ed25519Signer.generate()


@pytest.fixture
def witness(tmp_path: Path, log_key: Ed25519Signer) -> Iterator[Witness]:
    state = WitnessState(tmp_path / "witness.db")
    logs = trusted_logs([verifier_key(ORIGIN, log_key.public_key)])
    yield Witness("witness.test/w1", Ed25519Signer.generate(), logs, state, clock=lambda: NOW)
    state.close()


@pytest.fixture
def http(witness: Witness) -> TestClient:
    return TestClient(witness_app(witness))


def post(http: TestClient, body: str) -> tuple[int, str, str]:
    answer = http.post("/add-checkpoint", content=body.encode())
    return answer.status_code, answer.text, answer.headers.get("content-type", "")


def test_cosignature_bytes_follow_the_specification(
    http: TestClient, witness: Witness, log_key: Ed25519Signer
) -> None:
    """Checked with plain ``cryptography``, from the specification's bytes alone."""
    log = Log(log_key)
    log.grow(5)
    status, text, _ = post(http, log.body(0))
    assert status == 200, text
    assert text.startswith("— witness.test/w1 ")
    assert text.endswith("\n")
    blob = base64.b64decode(text.split(" ")[-1])
    public = witness.signer.public_key
    key_id = hashlib.sha256(b"witness.test/w1\n\x04" + public).digest()[:4]
    assert blob[:4] == key_id
    assert int.from_bytes(blob[4:12], "big") == NOW
    body = log.note().split("\n\n")[0] + "\n"
    message = f"cosignature/v1\ntime {NOW}\n{body}".encode()
    Ed25519PublicKey.from_public_bytes(public).verify(blob[12:], message)  # raises if not
    flipped = message.replace(b"\n5\n", b"\n6\n")
    with pytest.raises(InvalidSignature):
        Ed25519PublicKey.from_public_bytes(public).verify(blob[12:], flipped)


def test_grown_checkpoint_cosigned_with_a_consistency_proof(
    http: TestClient, witness: Witness, log_key: Ed25519Signer
) -> None:
    log = Log(log_key)
    log.grow(3)
    assert post(http, log.body(0))[0] == 200
    log.grow(10)
    status, text, _ = post(http, log.body(3))
    assert status == 200, text
    policy = WitnessPolicy((witness.key,), 1)
    assert check_witnessed(log.note() + text, policy) == ["witness.test/w1"]
    assert witness.state.latest(ORIGIN).size == 13
    # the same checkpoint again is consistent with itself
    assert post(http, log.body(13))[0] == 200
    served = http.get(f"/{hashlib.sha256(ORIGIN.encode()).hexdigest()}/checkpoint")
    assert served.status_code == 200
    assert served.text.startswith(f"{ORIGIN}\n13\n")


def test_stale_old_size_is_409_with_the_witness_size(
    http: TestClient, log_key: Ed25519Signer
) -> None:
    log = Log(log_key)
    log.grow(4)
    assert post(http, log.body(0))[0] == 200
    log.grow(4)
    status, text, content_type = post(http, log.body(2))
    assert (status, text) == (409, "4\n")
    assert content_type.startswith(SIZE_TYPE)


def test_rolled_back_checkpoint_refused(http: TestClient, log_key: Ed25519Signer) -> None:
    log = Log(log_key)
    log.grow(8)
    assert post(http, log.body(0))[0] == 200
    # a smaller checkpoint sent against the witness's size: the log would shrink
    status, text, _ = post(http, log.body(8, size=5, proof=[]))
    assert status == 400
    assert "does not shrink" in text
    # and against its own size: the witness says where it is
    answer = http.post("/add-checkpoint", content=log.body(5, size=5).encode())
    assert answer.status_code == 409
    assert answer.text == "8\n"
    assert "roll the log back" in answer.headers["witness-reason"]


def test_forked_checkpoint_refused(http: TestClient, log_key: Ed25519Signer) -> None:
    log = Log(log_key)
    log.grow(6)
    assert post(http, log.body(0))[0] == 200
    fork = Log(log_key, tag=b"fork")  # other entries, same key: a split view
    fork.grow(6)
    status, text, _ = post(http, fork.body(6, proof=[]))
    assert status == 422
    assert "forked" in text
    # a grown fork whose first six entries differ: no proof from the witnessed tree holds
    fork.grow(4)
    status, text, _ = post(http, fork.body(6))
    assert status == 422
    assert "does not verify" in text
    # the witness still holds the honest size and goes on with the honest log
    log.grow(4)
    assert post(http, log.body(6))[0] == 200


def test_refusals_by_status(http: TestClient, log_key: Ed25519Signer, tmp_path: Path) -> None:
    log = Log(log_key)
    log.grow(2)
    other = Log(Ed25519Signer.generate())
    other.grow(2)
    assert post(http, other.body(0))[0] == 403  # signed by another key
    assert post(http, log.body(0).replace(ORIGIN, "unknown.test/log"))[0] == 404
    assert post(http, "old 01\n\n" + log.note())[0] == 400
    assert post(http, "nonsense")[0] == 400
    assert post(http, log.body(0, proof=[b"\x00" * 32]))[0] == 422  # a proof from size 0
    assert post(http, log.body(0))[0] == 200


def test_policy_names_missing_and_invalid_witnesses(
    http: TestClient, witness: Witness, log_key: Ed25519Signer
) -> None:
    log = Log(log_key)
    log.grow(2)
    status, line, _ = post(http, log.body(0))
    assert status == 200
    absent = WitnessKey("witness.test/absent", Ed25519Signer.generate().public_key)
    with pytest.raises(WitnessPolicyError, match=r"1 valid of the 2 required; missing: witness"):
        check_witnessed(log.note() + line, WitnessPolicy((witness.key, absent), 2))
    forged = log.note(1) + line  # the line cosigns size 2, not 1
    with pytest.raises(WitnessPolicyError, match=r"not valid: witness\.test/w1"):
        check_witnessed(forged, WitnessPolicy((witness.key,), 1))
    assert parse_witness_vkey(witness.key.vkey) == witness.key
    with pytest.raises(GreenregError, match="key id"):
        parse_witness_vkey(witness.key.vkey.replace("+", "+00", 1))
    # The key id is 8 lowercase hex digits (docs/receipts.md), as the Node verifier reads it:
    # the same id in capitals is refused here too, so two verifiers never disagree on a policy.
    lettered = next(
        k
        for k in (
            WitnessKey("witness.test/w2", Ed25519Signer.generate().public_key) for _ in range(99)
        )
        if not k.key_id.hex().isdigit()
    )
    name, key_id, key = lettered.vkey.split("+", 2)  # base64 may hold a "+"
    assert parse_witness_vkey(lettered.vkey) == lettered
    with pytest.raises(GreenregError, match="lowercase"):
        parse_witness_vkey(f"{name}+{key_id.upper()}+{key}")
    logged = verifier_key(ORIGIN, log_key.public_key)
    while logged.split("+")[1].isdigit():
        logged = verifier_key(ORIGIN, Ed25519Signer.generate().public_key)
    origin, log_id, log_public = logged.split("+", 2)
    assert list(trusted_logs([logged])) == [ORIGIN]
    with pytest.raises(GreenregError, match="lowercase"):
        trusted_logs([f"{origin}+{log_id.upper()}+{log_public}"])
    # One witness counts once: its key given twice, or under a second name, is refused, so
    # its one cosignature cannot meet a policy of two.
    renamed = WitnessKey("witness.test/again", witness.key.public_key)
    for twice in ((witness.key, witness.key), (witness.key, renamed)):
        with pytest.raises(GreenregError, match=r"names the witness witness\.test/w1 twice"):
            WitnessPolicy(twice, 2)
    namesake = WitnessKey(witness.key.name, Ed25519Signer.generate().public_key)
    with pytest.raises(GreenregError, match="twice"):
        WitnessPolicy((witness.key, namesake), 1)


def test_witness_command_makes_its_key_and_prints_its_vkey(tmp_path: Path) -> None:

    key = tmp_path / "witness.key"
    args = ["witness", "--name", "witness.test/w9", "--key", str(key), "--vkey"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    printed = parse_witness_vkey(first.output)
    assert printed.name == "witness.test/w9"
    again = CliRunner().invoke(app, args)  # the same key, read back
    assert parse_witness_vkey(again.output) == printed
    no_logs = CliRunner().invoke(app, [*args[:-1], "--state", str(tmp_path / "w.db")])
    assert no_logs.exit_code != 0
    assert "name the logs to witness" in no_logs.output
