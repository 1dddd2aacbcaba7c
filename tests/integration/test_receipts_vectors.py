"""docs/receipts-vectors.json: test vectors from a small fixed store, and a verifier of them
written from docs/receipts.md alone.

The store is made with fixed keys (seeds derived from fixed strings), fixed act ids and a fixed
clock, so it is the same, byte for byte, on SQLite and on PostgreSQL; the test fails when the
committed vectors differ from what the registry writes now. Regenerate them with::

    GREENREG_WRITE_VECTORS=1 .venv/bin/python -m pytest tests/integration/test_receipts_vectors.py

The verifier at the end (``IndependentVerifier``) uses only ``cryptography``, ``rfc8785``,
``hashlib``, ``base64`` and ``json``, never greenreg's own verification code; its methods are the
steps of docs/receipts.md, sections 5 and 6 (and 2.8, a witness policy), and it fails on one
flipped byte.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from typer.testing import CliRunner

from greenreg.bootstrap import open_registry
from greenreg.cli import app
from greenreg.events.issuer import Issuer
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.receipts import receipt_at
from greenreg.registry.checkpoints import declare_log_key, verifier_key
from greenreg.registry.log import event_leaf, leaf_hash
from greenreg.storage.log_tables import LogTables
from greenreg.storage.queries import TransparencyLog
from greenreg.witness.cosignature import WitnessKey, WitnessPolicy, cosign, note_body

VECTORS = Path(__file__).parents[2] / "docs" / "receipts-vectors.json"
REGENERATE = (
    "GREENREG_WRITE_VECTORS=1 .venv/bin/python -m pytest tests/integration/test_receipts_vectors.py"
)
AT = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)
WITNESS = "witness.example/w1"
IDS = uuid.UUID("0b7c3a52-5f0e-4c8e-9a55-3f1d2c7b9e01")


def seeded(name: str) -> Ed25519Signer:
    return Ed25519Signer.from_seed(hashlib.sha256(f"greenreg vectors: {name}".encode()).digest())


def act_id(n: int) -> uuid.UUID:
    return uuid.uuid5(IDS, str(n))


def vectors_of(database_url: str) -> dict[str, Any]:
    """The fixed store's vectors: five entries, their checkpoints, proofs and a receipt file."""
    registry = open_registry(database_url, clock=lambda: AT)
    try:
        recorder = registry.recorder
        assert isinstance(recorder, LogTables)
        log_signer = seeded("log")
        recorder.configure_log(log_signer, "greenreg.log")
        root, province = Issuer("root", seeded("root")), Issuer("js-eit", seeded("js-eit"))
        common = {"effective_date": "2026-01-01", "signed_at": AT}
        acts = [
            root.act(
                "found_registry",
                act_id=act_id(1),
                document="founding",
                name="greenreg vectors",
                root_public_key=b64encode(root.signer.public_key),
                **common,
            ),
            declare_log_key(
                root.signer,
                log_signer.public_key,
                "greenreg.log",
                AT,
                signed_at=AT,
                act_id=act_id(2),
            ),
            root.act(
                "register_authority",
                act_id=act_id(3),
                document="registration",
                code="js-eit",
                name="江苏省工业和信息化厅",
                jurisdiction="320000",
                programmes=["green_park"],
                **common,
            ),
            root.act(
                "add_key",
                act_id=act_id(4),
                document="key",
                for_authority="js-eit",
                public_key=b64encode(province.signer.public_key),
                valid_from=AT.isoformat(),
                valid_until=None,
                **common,
            ),
            province.act(
                "register_unit",
                act_id=act_id(5),
                document="苏工信函〔2026〕1号",
                kind="park",
                name="苏州示例园区",
                credit_code=None,
                division="320505",
                **common,
            ),
        ]
        for act in acts:
            registry.submit(act)
        log = TransparencyLog(recorder)
        latest = log.checkpoint()
        entries = list(recorder.log_entries())
        unit = str(entries[-1].originator_id)
        receipt = receipt_at(
            log,
            latest,
            kind="unit",
            question={"unit": unit},
            answer={
                "unit": {"id": unit, "name": "苏州示例园区", "division": "320505"},
                "evidence": [{"position": 4, "event_id": f"{unit}/1"}],
                "data_version": {"log_size": latest.tree_size, "root_hash": latest.root_hash},
            },
            issued_at=AT,
        )
        witnessed = witnessed_receipt(recorder, log_signer, latest.tree_size)
        first = log.checkpoint(2)
        evidence = log.inclusion_at(4, latest.tree_size)
        consistency = log.consistency(2, latest.tree_size)
        return {
            "about": "Test vectors of docs/receipts.md, written by "
            "tests/integration/test_receipts_vectors.py from a fixed store; regenerate: "
            + REGENERATE,
            "keys": {
                "root_public_key": b64encode(root.signer.public_key),
                "log_public_key": b64encode(log_signer.public_key),
                "log_key_id": log_signer.key_id,
                "log_verifier_key": verifier_key("greenreg.log", log_signer.public_key),
            },
            "act": {
                "envelope": acts[-1],
                "jcs_utf8": rfc8785.dumps(acts[-1]["act"]).decode("utf-8"),
                "public_key": b64encode(province.signer.public_key),
            },
            "entries": [
                {
                    "position": e.position,
                    "originator_id": str(e.originator_id),
                    "originator_version": e.originator_version,
                    "topic": e.topic,
                    "state_base64": b64encode(e.state or b""),
                    "leaf_hash": leaf_hash(_leaf(e)).hex(),
                }
                for e in entries
            ],
            "checkpoints": [
                {"size": size, "note": note} for size, note in recorder.checkpoint_notes()
            ],
            "inclusion": {
                "position": evidence.position,
                "tree_size": evidence.checkpoint.tree_size,
                "hashes": evidence.hashes,
            },
            "consistency": {
                "first": first.tree_size,
                "second": latest.tree_size,
                "hashes": consistency.hashes,
            },
            "receipt_file": receipt.file(),
            "witness": {
                "name": WITNESS,
                "public_key": b64encode(seeded("witness").public_key),
                "vkey": WitnessKey(WITNESS, seeded("witness").public_key).vkey,
            },
            "witnessed_receipt_file": witnessed,
            "expected": {
                "root_hash": latest.root_hash,
                "tree_size": latest.tree_size,
                "log_key_position": 1,
                "receipt_jcs_sha256": hashlib.sha256(
                    rfc8785.dumps(json.loads(receipt.document)["act"])
                ).hexdigest(),
            },
        }
    finally:
        registry.close()


def witnessed_receipt(recorder: LogTables, log_signer: Ed25519Signer, size: int) -> Any:
    """A receipt at the checkpoint of size 3, issued before the witness cosigned, and its file
    once the witness cosigned the checkpoint of ``size`` (docs/receipts.md, 2.8)."""
    witness = seeded("witness")
    note = recorder.checkpoint_note(size)
    assert note is not None
    line = cosign(witness, WITNESS, note_body(note), int(AT.timestamp()))
    recorder.store_cosignature(WITNESS, size, line.rstrip("\n"))
    log = TransparencyLog(recorder, WitnessPolicy((WitnessKey(WITNESS, witness.public_key),), 1))
    early = log.checkpoint(3)
    receipt = receipt_at(
        log,
        early,
        kind="lookup",
        question={"q": "苏州示例园区"},
        answer={
            "found": [],
            "data_version": {"log_size": early.tree_size, "root_hash": early.root_hash},
        },
        issued_at=AT,
    )
    assert receipt.witnessed is not None
    assert receipt.witnessed["consistency"]  # from size 3 to the witnessed size
    assert log_signer.key_id == receipt.key_id
    return receipt.file()


def _leaf(entry: Any) -> bytes:
    return event_leaf(entry.originator_id, entry.originator_version, entry.topic, entry.state)


def written(vectors: dict[str, Any]) -> str:
    return json.dumps(vectors, ensure_ascii=False, indent=2) + "\n"


def test_the_vectors_are_what_the_registry_writes(database_url: str) -> None:
    text = written(vectors_of(database_url))
    if os.environ.get("GREENREG_WRITE_VECTORS") and database_url.startswith("sqlite"):
        VECTORS.write_text(text, encoding="utf-8")
    committed = VECTORS.read_text("utf-8") if VECTORS.exists() else ""
    assert text == committed, f"docs/receipts-vectors.json is out of date: run {REGENERATE}"


# --- an independent verifier, from docs/receipts.md alone ----------------------------------


class Broken(Exception):  # noqa: N818 (the verifier's one answer: where the chain broke)
    pass


def b64(text: str) -> bytes:
    """Standard base64 with padding (section 1), strictly."""
    return base64.b64decode(text, validate=True)


def key_id(public_key: bytes) -> str:
    """Section 1: the first 16 bytes of SHA-256 of the raw key, hex."""
    return hashlib.sha256(public_key).digest()[:16].hex()


def ed25519(public_key: bytes, message: bytes, signature: bytes, what: str) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        raise Broken(f"{what}: bad signature") from None


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def leaf_of(entry: dict[str, Any]) -> bytes:
    """Section 3: the leaf bytes of a stored event (the tag is 18 bytes)."""
    tag = b"greenreg.event.v1\n"
    assert len(tag) == 18
    topic = entry["topic"].encode("utf-8")
    state = b64(entry["state_base64"])
    return (
        tag
        + uuid.UUID(entry["originator_id"]).bytes
        + int(entry["originator_version"]).to_bytes(8, "big")
        + len(topic).to_bytes(4, "big")
        + topic
        + len(state).to_bytes(4, "big")
        + state
    )


def leaf_hash_of(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def inclusion_root(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        raise Broken("inclusion: the leaf is outside the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise Broken("inclusion: the proof is too long")
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise Broken("inclusion: the proof is too short")
    return r


def consistent(first: int, second: int, old: bytes, new: bytes, proof: list[bytes]) -> None:
    """RFC 9162 §2.1.4.2, for 0 < first < second."""
    path = ([old] if first & (first - 1) == 0 else []) + proof
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Broken("consistency: the proof is too long")
        if fn % 2 == 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != old or sr != new:
        raise Broken("consistency: the old tree is not a prefix of the new one")


def open_note(note: str, public_key: bytes) -> tuple[str, int, bytes]:
    """Section 5: a checkpoint's origin, size and root, if the log key signed it."""
    text, _, signatures = note.partition("\n\n")
    text += "\n"
    origin, size, root = text.split("\n")[:3]
    wanted = hashlib.sha256(origin.encode() + b"\n\x01" + public_key).digest()[:4]
    for line in signatures.splitlines():
        name, _, blob = line.removeprefix("\u2014 ").rpartition(" ")
        raw = b64(blob)
        if line.startswith("\u2014 ") and name == origin and raw[:4] == wanted:
            ed25519(public_key, text.encode("utf-8"), raw[4:], "checkpoint")
            return origin, int(size), b64(root)
    raise Broken("checkpoint: no signature by the log key")


class IndependentVerifier:
    """docs/receipts.md, section 6, step by step, from the root public key."""

    def __init__(self, root_public_key: bytes) -> None:
        self.root = root_public_key

    def verify(self, file: dict[str, Any]) -> dict[str, Any]:
        # Step 1. Read: the signed part is under "act".
        envelope = json.loads(file["document"])
        act = envelope["act"]
        if act["type"] != "greenreg.receipt/1" or file.get("log_key") is None:
            raise Broken("read: not a receipt with a log key proof")
        proof = file["log_key"]
        # Step 2. The declaration: the entry's signed_act, signed by the root key.
        stored = json.loads(b64(proof["entry"]["state_base64"]))
        if stored["key_id"] != key_id(self.root):
            raise Broken("declaration: not signed by the root key")
        ed25519(self.root, stored["signed_act"].encode("utf-8"), b64(stored["signature"]), "root")
        declaration = json.loads(stored["signed_act"])
        if declaration["type"] != "declare_log_key" or declaration["authority"] != "root":
            raise Broken("declaration: the root's act declares no log key")
        if not proof["entry"]["topic"].endswith(":LogKeyDeclared"):
            raise Broken("declaration: the entry is not a LogKeyDeclared event")
        log_key = b64(declaration["public_key"])
        # Step 3. The receipt names that key, and the declaration's position.
        if envelope["key_id"] != key_id(log_key) or act["log_key_id"] != key_id(log_key):
            raise Broken("log key: not the declared one")
        if act.get("log_key_position", proof["position"]) != proof["position"]:
            raise Broken("log key: the receipt reports another position")
        # Step 4. The checkpoint, signed by the log key, of the declared origin.
        origin, size, root = open_note(act["checkpoint"], log_key)
        if origin != declaration["origin"]:
            raise Broken("checkpoint: another log")
        # Step 5. The declaration is a leaf of the checkpoint's tree.
        leaf = leaf_hash_of(leaf_of(proof["entry"]))
        hashes = [bytes.fromhex(h) for h in proof["inclusion"]]
        if inclusion_root(proof["position"], size, leaf, hashes) != root:
            raise Broken("declaration: not in the checkpoint's tree")
        # Step 6. The receipt, signed by the log key over RFC 8785 bytes of "act".
        ed25519(log_key, rfc8785.dumps(act), b64(envelope["signature"]), "receipt")
        # Step 7. Beyond the signatures: validity window and data version.
        if datetime.fromisoformat(act["issued_at"]) < datetime.fromisoformat(
            declaration["valid_from"]
        ):
            raise Broken("validity: issued before the log key was valid")
        version = act["answer"].get("data_version", {})
        if version and (version["log_size"], version["root_hash"]) != (size, root.hex()):
            raise Broken("data version: not the checkpoint's tree")
        return {"act": act, "log_key": log_key, "size": size, "root": root, "origin": origin}


def witnessed_by(
    file: dict[str, Any], found: dict[str, Any], witnesses: list[tuple[str, bytes]], required: int
) -> tuple[int, list[str]]:
    """docs/receipts.md, 2.8: the file's witnessed checkpoint covers the receipt's, and at least
    ``required`` of ``witnesses`` (name, public key) cosigned it. Its size and who cosigned."""
    witnessed = file["witnessed"]
    note = witnessed["checkpoint"]
    origin, size, root = open_note(note, found["log_key"])
    if origin != found["origin"] or size < found["size"]:
        raise Broken("witnessed: another log, or a smaller tree than the receipt's")
    proof = [bytes.fromhex(h) for h in witnessed["consistency"]]
    if size == found["size"]:
        if proof or root != found["root"]:
            raise Broken("witnessed: the same size with another root")
    else:
        consistent(found["size"], size, found["root"], root, proof)
    text, _, lines = note.partition("\n\n")
    text += "\n"
    valid = []
    for name, public_key in witnesses:
        wanted = hashlib.sha256(name.encode() + b"\n\x04" + public_key).digest()[:4]
        for line in lines.splitlines():
            signer, _, blob = line.removeprefix("\u2014 ").rpartition(" ")
            raw = b64(blob)
            if signer != name or raw[:4] != wanted or len(raw) != 4 + 8 + 64:
                continue
            time = int.from_bytes(raw[4:12], "big")
            message = f"cosignature/v1\ntime {time}\n{text}".encode()
            try:
                ed25519(public_key, message, raw[12:], f"cosignature of {name}")
            except Broken:
                continue
            valid.append(name)
            break
    if len(valid) < required:
        raise Broken(f"witnessed: {len(valid)} valid cosignatures of the {required} required")
    return size, valid


def committed_vectors() -> dict[str, Any]:
    vectors: dict[str, Any] = json.loads(VECTORS.read_text("utf-8"))
    return vectors


def test_an_independent_verifier_checks_the_vectors_from_the_docs_alone() -> None:
    v = committed_vectors()
    root_key = b64(v["keys"]["root_public_key"])

    # An authority's act: Ed25519 over RFC 8785 bytes of "act" (section 2.1).
    envelope = v["act"]["envelope"]
    assert rfc8785.dumps(envelope["act"]).decode("utf-8") == v["act"]["jcs_utf8"]
    ed25519(
        b64(v["act"]["public_key"]),
        rfc8785.dumps(envelope["act"]),
        b64(envelope["signature"]),
        "act",
    )

    # The receipt file, from the root key (section 6).
    found = IndependentVerifier(root_key).verify(v["receipt_file"])
    assert key_id(found["log_key"]) == v["keys"]["log_key_id"]
    assert (found["size"], found["root"].hex()) == (
        v["expected"]["tree_size"],
        v["expected"]["root_hash"],
    )
    assert found["act"]["log_key_position"] == v["expected"]["log_key_position"]
    assert (
        hashlib.sha256(rfc8785.dumps(found["act"])).hexdigest()
        == (v["expected"]["receipt_jcs_sha256"])
    )

    # Every leaf hash (section 3), and every checkpoint (section 5).
    for entry in v["entries"]:
        assert leaf_hash_of(leaf_of(entry)).hex() == entry["leaf_hash"]
    roots = {c["size"]: open_note(c["note"], found["log_key"])[2] for c in v["checkpoints"]}

    # The evidence the answer cites is a leaf of the receipt's tree (section 7).
    inclusion = v["inclusion"]
    evidence = v["entries"][inclusion["position"]]
    hashes = [bytes.fromhex(h) for h in inclusion["hashes"]]
    tree = inclusion_root(
        inclusion["position"], inclusion["tree_size"], leaf_hash_of(leaf_of(evidence)), hashes
    )
    assert tree == roots[inclusion["tree_size"]] == found["root"]

    # A checkpoint seen before is a prefix of the receipt's (section 7).
    c = v["consistency"]
    consistent(
        c["first"],
        c["second"],
        roots[c["first"]],
        roots[c["second"]],
        [bytes.fromhex(h) for h in c["hashes"]],
    )


def test_the_independent_verifier_checks_the_witnessed_vector() -> None:
    """A receipt issued at size 3, and the checkpoint the witness cosigned later (2.8)."""
    v = committed_vectors()
    file = v["witnessed_receipt_file"]
    found = IndependentVerifier(b64(v["keys"]["root_public_key"])).verify(file)
    witness = (v["witness"]["name"], b64(v["witness"]["public_key"]))
    assert found["size"] == 3
    assert witnessed_by(file, found, [witness], 1) == (v["expected"]["tree_size"], [witness[0]])
    absent = ("witness.example/absent", Ed25519Signer.from_seed(b"\x01" * 32).public_key)
    with pytest.raises(Broken, match="1 valid cosignatures of the 2 required"):
        witnessed_by(file, found, [witness, absent], 2)

    # One flipped byte anywhere in the witnessed checkpoint or its proof breaks it.
    note = file["witnessed"]["checkpoint"]
    cosignature = note.index("\u2014 " + witness[0]) + len(witness[0]) + 10
    for changed in (
        {**file["witnessed"], "checkpoint": flipped(note, cosignature)},
        {**file["witnessed"], "checkpoint": flipped(note, note.index("\n") + 1)},
        {
            **file["witnessed"],
            "consistency": [flipped(file["witnessed"]["consistency"][0], 7)],
        },
    ):
        with pytest.raises((Broken, ValueError)):
            witnessed_by({**file, "witnessed": changed}, found, [witness], 1)


def flipped(text: str, index: int) -> str:
    """``text`` with the character at ``index`` changed to another of its kind."""
    character = text[index]
    other = "B" if character == "A" else "A"
    if character.isdigit():
        other = "1" if character == "0" else "0"
    return text[:index] + other + text[index + 1 :]


@pytest.mark.parametrize(
    "where",
    [
        "document: the answer",
        "document: the signature",
        "document: the checkpoint's root",
        "log_key: an inclusion hash",
        "log_key: the declaration's state",
        "root key",
    ],
)
def test_the_independent_verifier_fails_on_one_flipped_byte(where: str) -> None:
    v = committed_vectors()
    file = copy.deepcopy(v["receipt_file"])
    root_key = v["keys"]["root_public_key"]
    document = file["document"]
    if where == "document: the answer":
        file["document"] = document.replace("苏州示例园区", "苏州示例园匹", 1)
    elif where == "document: the signature":
        start = document.index('"signature":"') + len('"signature":"')
        file["document"] = flipped(document, start + 3)
    elif where == "document: the checkpoint's root":
        note_root = json.loads(document)["act"]["checkpoint"].split("\n")[2]
        file["document"] = document.replace(note_root, flipped(note_root, 0), 1)
    elif where == "log_key: an inclusion hash":
        file["log_key"]["inclusion"][0] = flipped(file["log_key"]["inclusion"][0], 5)
    elif where == "log_key: the declaration's state":
        file["log_key"]["entry"]["state_base64"] = flipped(
            file["log_key"]["entry"]["state_base64"], 40
        )
    else:
        root_key = flipped(root_key, 4)
    assert file != v["receipt_file"] or root_key != v["keys"]["root_public_key"]
    with pytest.raises((Broken, ValueError, KeyError)):
        IndependentVerifier(b64(root_key)).verify(file)


def test_greenreg_receipt_verify_agrees_on_the_vectors(tmp_path: Path) -> None:
    v = committed_vectors()
    file, root = tmp_path / "receipt.json", tmp_path / "root.pub"
    file.write_text(json.dumps(v["receipt_file"], ensure_ascii=False), "utf-8")
    root.write_text(v["keys"]["root_public_key"] + "\n")
    result = CliRunner().invoke(
        app, ["receipt", "verify", str(file), "--root-public-key", str(root)]
    )
    assert result.exit_code == 0, result.output


def test_greenreg_receipt_verify_agrees_on_the_witnessed_vector(tmp_path: Path) -> None:
    v = committed_vectors()
    file, root = tmp_path / "receipt.json", tmp_path / "root.pub"
    witness = tmp_path / "witness.vkey"
    file.write_text(json.dumps(v["witnessed_receipt_file"], ensure_ascii=False), "utf-8")
    root.write_text(v["keys"]["root_public_key"] + "\n")
    witness.write_text(v["witness"]["vkey"] + "\n")
    options = ["--root-public-key", str(root), "--witness-key", str(witness)]
    result = CliRunner().invoke(app, ["receipt", "verify", str(file), *options])
    assert result.exit_code == 0, result.output
    assert f"witnessed: the checkpoint of size {v['expected']['tree_size']} covers it" in (
        result.output
    )
