"""greenreg's signed notes and cosignatures against the vectors others publish, and the names a
signed note may carry.

- golang.org/x/mod/sumdb/note, the reference implementation of signed notes, documents a key
  (``PeterNeumann``) and the note it signs (``note/example_test.go``, x/mod 0.7.0).
- C2SP tlog-cosignature shows a checkpoint cosigned by ``witness.example.com/w1`` and the message
  the witness signed, but publishes no witness key: its line is checked for its framing (key
  id, timestamp) and its message byte for byte.
- transparency-dev/formats, the Go cosignature/v1 implementation witnesses run, tests a native
  type-0x04 witness key (``remora.n621.de``) in ``note/note_cosigv1_test.go``.

Go's ``note.Open`` refuses a whole note when any signature line has a name with a space or a
plus sign ("malformed note"), so a log origin or witness name like that would make every
checkpoint unreadable to Go verifiers: greenreg refuses such names up front.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.errors import GreenregError, SignatureError
from greenreg.events.signing import Ed25519Signer, verify_signature
from greenreg.registry.checkpoints import (
    Checkpoint,
    check_key_name,
    key_hash,
    parse_checkpoint,
    verifier_key,
)
from greenreg.storage.log_key import log_origin
from greenreg.witness.cosignature import (
    WitnessKey,
    cosign,
    cosignature_time,
    cosignatures_by,
    note_body,
    parse_witness_vkey,
    signed_message,
)

# golang.org/x/mod/sumdb/note, example_test.go: ExampleSign and ExampleOpen.
GO_SEED = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  # 0x01 || the Ed25519 seed
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIGNATURE = (
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
)

# c2sp.org/tlog-cosignature, its example checkpoint and the message its witness signs.
C2SP_NOTE = (
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5"
    "/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJs"
    "X3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)
C2SP_TIME = 1679315147
C2SP_MESSAGE = (
    b"cosignature/v1\n"
    b"time 1679315147\n"
    b"example.com/behind-the-sofa\n"
    b"20852163\n"
    b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)

# transparency-dev/formats, note/note_cosigv1_test.go: a native algEd25519CosignatureV1 key.
FORMATS_WITNESS = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"


def test_the_go_note_example_is_greenregs_key_hash_vkey_and_signature() -> None:
    seed = base64.b64decode(GO_SEED)
    assert seed[0] == 0x01
    signer = Ed25519Signer.from_seed(seed[1:])
    # The verifier key and its key hash, SHA-256(name || 0x0A || 0x01 || key)[:4].
    assert verifier_key("PeterNeumann", signer.public_key) == GO_VKEY
    assert key_hash("PeterNeumann", signer.public_key).hex() == "c74f20a3"
    # The signature line's bytes: key hash, then Ed25519 over the note text (deterministic).
    blob = base64.b64decode(GO_SIGNATURE)
    assert blob[:4].hex() == "c74f20a3"
    assert signer.sign(GO_TEXT.encode()) == blob[4:]
    verify_signature(signer.public_key, GO_TEXT.encode(), blob[4:])
    with pytest.raises(SignatureError):
        verify_signature(signer.public_key, GO_TEXT.replace("you", "we").encode(), blob[4:])


def test_the_c2sp_cosigned_checkpoint_reads_and_its_message_is_greenregs() -> None:
    checkpoint, signatures = parse_checkpoint(C2SP_NOTE)
    root = base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert checkpoint == Checkpoint("example.com/behind-the-sofa", 20852163, root)
    assert [name for name, _, _ in signatures] == [
        "example.com/behind-the-sofa",
        "witness.example.com/w1",
    ]
    # The witness line: key id, then an 8-byte big-endian timestamp and a 64-byte signature.
    _, key_id, timestamped = signatures[1]
    assert key_id.hex() == "8d66cf3f"
    assert len(timestamped) == 8 + 64
    assert int.from_bytes(timestamped[:8], "big") == C2SP_TIME
    # What that witness signed is what greenreg signs for the same body and time.
    assert signed_message(note_body(C2SP_NOTE), C2SP_TIME) == C2SP_MESSAGE

    # A greenreg cosignature on the example: the same framing, and it verifies.
    signer = Ed25519Signer.from_seed(bytes(range(32)))
    key = WitnessKey("witness.example.com/w2", signer.public_key)
    line = cosign(signer, key.name, note_body(C2SP_NOTE), C2SP_TIME)
    ours = base64.b64decode(line.split(" ")[-1])
    assert ours[:4] == key.key_id
    assert ours[4:12] == timestamped[:8]
    assert len(ours) == 76
    cosigned = C2SP_NOTE + line
    assert cosignature_time(key, note_body(cosigned), line.rstrip("\n")) == C2SP_TIME
    verify_signature(key.public_key, C2SP_MESSAGE, ours[12:])
    with pytest.raises(SignatureError):
        verify_signature(key.public_key, C2SP_MESSAGE.replace(b"20852163", b"20852164"), ours[12:])
    # The example's own witness line is not taken for ours: another name and key id.
    assert cosignatures_by(key, C2SP_NOTE) == []


def test_the_formats_witness_key_has_the_key_id_greenreg_computes() -> None:
    key = parse_witness_vkey(FORMATS_WITNESS)
    assert key.name == "remora.n621.de"
    assert key.key_id.hex() == "da77ade7"  # SHA-256(name || 0x0A || 0x04 || key)[:4]
    assert key.vkey == FORMATS_WITNESS
    with pytest.raises(GreenregError, match="key id"):
        parse_witness_vkey(FORMATS_WITNESS.replace("da77ade7", "da77ade8"))
    with pytest.raises(GreenregError, match="type 0x04"):
        parse_witness_vkey(GO_VKEY)  # an Ed25519 (0x01) note key is not a cosigner key


@pytest.mark.parametrize("name", ["greenreg.log", "witness.example.com/w1", "oid/1.3.6.1.4"])
def test_a_note_key_name_without_spaces_or_plus_is_accepted(name: str) -> None:
    assert check_key_name(name, "the name") == name


@pytest.mark.parametrize("name", ["", "greenreg log", "w+1", "w\u00a01", "w\t1", "w\x071"])
def test_a_name_go_refuses_is_refused(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(GreenregError, match="cannot name a key in a signed note"):
        check_key_name(name, "the name")
    # as the log's origin
    monkeypatch.setenv("GREENREG_LOG_ORIGIN", name)
    if name:  # an empty variable means the default origin
        with pytest.raises(GreenregError, match="GREENREG_LOG_ORIGIN"):
            log_origin()
    else:
        assert log_origin() == "greenreg.log"
    # as a witness's name
    key = tmp_path / "witness.key"
    refused = CliRunner().invoke(app, ["witness", "--name", name, "--key", str(key), "--vkey"])
    assert refused.exit_code != 0
    assert "in a signed note" in " ".join(refused.output.replace("│", " ").split())
    assert not key.exists()
