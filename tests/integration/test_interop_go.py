"""The transparency log checked by an independent implementation, on SQLite and PostgreSQL.

The helper in ``tests/interop/go`` reads the log with Go's ``golang.org/x/mod/sumdb/note`` and
``sumdb/tlog`` (Debian's ``golang-golang-x-mod-dev``) and crypto/ed25519 for the witnesses'
cosignatures, and nothing of greenreg: the checkpoint note, every tile and entry bundle, every
inclusion and consistency proof the API serves, the cosigned checkpoint. Each check is shown to
fail: a registry (or an export) that changes one byte in a tile, a proof, a log signature or a
cosignature is caught. Without Go the tests skip, saying so, except under CI, where they fail.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from typer.testing import CliRunner

from greenreg.api import create_app
from greenreg.bootstrap import open_greenreg
from greenreg.cli import app
from greenreg.events.signing import Ed25519Signer
from greenreg.registry.checkpoints import verifier_key
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables
from greenreg.witness.app import witness_app
from greenreg.witness.cosignature import WitnessKey
from greenreg.witness.service import Witness, trusted_logs
from greenreg.witness.state import WitnessState
from greenreg.witness.submitter import Submitter, WitnessConfig, WitnessEndpoint
from tests.e2e.server import serving_app
from tests.integration.witnessing import policy_file
from tests.support import World

HELPER = Path(__file__).parents[1] / "interop" / "go"
GOPATH = Path("/usr/share/gocode")
SIZE = 260  # one full level-0 tile, a partial one, and a level-1 tile

runner = CliRunner()


# --- the Go helper -------------------------------------------------------------------------


def go_environment(cache: Path) -> dict[str, str]:
    """GOPATH mode on Debian's packaged x/mod: offline, no module download."""
    env = os.environ | {"GO111MODULE": "off", "GOPATH": str(GOPATH), "GOFLAGS": ""}
    if not any(env.get(name) for name in ("GOCACHE", "XDG_CACHE_HOME", "HOME")):
        env["GOCACHE"] = str(cache)
    return env


@pytest.fixture(scope="session")
def go_helper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    if go is None or not (GOPATH / "src/golang.org/x/mod/sumdb/tlog").is_dir():
        reason = (
            "Go and golang.org/x/mod are needed to check the log with an independent "
            "implementation: apt-get install golang-go golang-golang-x-mod-dev"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("go")
    binary = out / "interop"
    built = subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=HELPER,
        env=go_environment(out / "cache"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    return binary


def check(helper: Path, *args: str) -> tuple[int, str]:
    """Run the helper; its exit status and what it printed."""
    done = subprocess.run(
        [str(helper), *args], capture_output=True, text=True, timeout=300, check=False
    )
    return done.returncode, done.stdout + done.stderr


# --- a registry that lies on one path ------------------------------------------------------


class Tampering:
    """The registry's app, with the body of the answers on one path changed on demand."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.changes: dict[str, Callable[[bytes], bytes]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        change = self.changes.get(scope["path"]) if scope["type"] == "http" else None
        if change is None:
            await self.app(scope, receive, send)
            return
        start: Message = {}
        body = bytearray()

        async def changed(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            new = change(bytes(body))
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(new)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": new})

        await self.app(scope, receive, changed)


def flip_proof_hash(member: str) -> Callable[[bytes], bytes]:
    """Change one hex digit of the first hash of a proof answer (if it has one)."""

    def change(body: bytes) -> bytes:
        answer = json.loads(body)
        hashes = answer[member]["hashes"]
        if hashes:
            hashes[0] = ("1" if hashes[0][0] == "0" else "0") + hashes[0][1:]
        return json.dumps(answer).encode()

    return change


def flip_signature(name: str) -> Callable[[bytes], bytes]:
    """Flip the last byte of the signature on ``name``'s line of a signed note."""

    def change(body: bytes) -> bytes:
        lines = body.decode().split("\n")
        for i, line in enumerate(lines):
            if line.startswith(f"— {name} "):
                head, _, blob = line.rpartition(" ")
                raw = bytearray(base64.b64decode(blob))
                raw[-1] ^= 0x01
                lines[i] = f"{head} {base64.b64encode(raw).decode()}"
        return "\n".join(lines).encode()

    return change


def flip_byte(at: int) -> Callable[[bytes], bytes]:
    def change(body: bytes) -> bytes:
        return body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]

    return change


# --- the registry --------------------------------------------------------------------------


def log_of(world: World) -> LogTables:
    log = world.registry.recorder
    assert isinstance(log, LogTables)
    return log


def grown(world: World) -> LogTables:
    """The world with its log key declared (as ``greenreg init`` does) and ``SIZE`` entries,
    a checkpoint signed after every write."""
    declare(world.registry, world.root.signer, world.clock.now)
    log = log_of(world)
    for i in range(SIZE - log.log_size()):
        world.register("js-eit", f"互操作园区{i:04d}", "320505")
    assert log.log_size() == SIZE
    return log


def log_vkey(log: LogTables) -> str:
    assert log.log_signer is not None
    return verifier_key(log.log_origin, log.log_signer.public_key)


@pytest.fixture
def witnesses(world: World, tmp_path: Path) -> Iterator[list[Witness]]:
    """Two witnesses of the world's log, each with its own key and store."""
    logs = trusted_logs([log_vkey(log_of(world))])
    with ExitStack() as stack:
        found = []
        for n in (1, 2):
            state = WitnessState(tmp_path / f"witness-{n}.db")
            stack.callback(state.close)
            found.append(Witness(f"witness.test/w{n}", Ed25519Signer.generate(), logs, state))
        yield found


def test_go_checks_the_served_log_its_proofs_and_cosignatures(
    world: World, database_url: str, go_helper: Path, witnesses: list[Witness]
) -> None:
    log = grown(world)
    vkey = log_vkey(log)

    # Two witnesses on loopback cosign the latest checkpoint over C2SP tlog-witness.
    with ExitStack() as stack:
        endpoints = []
        for witness in witnesses:
            url = stack.enter_context(serving_app(witness_app(witness)))
            endpoints.append(WitnessEndpoint(witness.key, url))
        submitter = Submitter(log, WitnessConfig(tuple(endpoints), 2))
        try:
            assert submitter.run_once() == 2
        finally:
            submitter.stop()

    # The registry serves its tiles, its API and the cosigned checkpoint over HTTP.
    facade = open_greenreg(database_url, clock=world.clock)
    stack = ExitStack()
    try:
        # The helper asks for every proof: more than an anonymous caller's quota a minute.
        registry = Tampering(create_app(facade, quotas=False))
        url = stack.enter_context(serving_app(registry))
        witness_args = [a for w in witnesses for a in ("-witness", w.key.vkey)]
        args = ["-log", url, "-api", url, "-vkey", vkey, *witness_args]

        # Go agrees with every byte.
        code, output = check(go_helper, *args)
        assert code == 0, output
        sizes = [size for size, _ in log.checkpoint_notes()]
        signed = len(sizes)
        # each leaf in the latest tree, and in the first signed tree holding it if that is older
        first_trees = [min(s for s in sizes if s > leaf) for leaf in range(SIZE)]
        inclusions = SIZE + sum(1 for size in first_trees if size < SIZE)
        assert f"ok checkpoint: {log.log_origin}, size {SIZE}, signed by {vkey[:-45]}" in output
        assert "ok 3 tiles and 2 entry bundles: 260 entries, rebuilt root = signed root" in output
        assert f"ok {signed} signed checkpoints listed" in output
        assert f"ok the tiles of {signed - 1} older trees rebuild their signed roots" in output
        assert f"ok {signed - 1} consistency proofs (tlog.CheckTree)" in output
        assert f"ok {inclusions} inclusion proofs (tlog.CheckRecord)" in output
        # The served checkpoint is the latest, which both witnesses cosigned.
        assert f"ok size {SIZE} cosigned by witness.test/w1 at " in output
        assert f"ok size {SIZE} cosigned by witness.test/w2 at " in output
        assert f"ok {signed} signed checkpoints listed, each opened with the log key; 0 newer" in (
            output
        )
        assert output.rstrip().endswith("PASS")

        # A registry that changes one byte anywhere is caught, and Go says where.
        lies = {
            "/api/v1/log/inclusion": (flip_proof_hash("inclusion"), "inclusion proof of leaf"),
            "/api/v1/log/consistency": (flip_proof_hash("consistency"), "consistency proof"),
            "/checkpoint": (flip_signature(log.log_origin), "checkpoint: invalid signature"),
            "/tile/0/001.p/4": (flip_byte(40), "tiles against the signed root"),
            "/tile/entries/000": (flip_byte(100), "tile/entries/000: entry"),
        }
        for path, (change, named) in lies.items():
            registry.changes = {path: change}
            code, output = check(go_helper, *args)
            assert code == 1, (path, output)
            assert "FAIL: " in output, (path, output)
            assert named in output, (path, output)
            assert "PASS" not in output

        registry.changes = {"/checkpoint": flip_signature("witness.test/w2")}
        code, output = check(go_helper, *args)
        assert code == 1, output
        assert "checkpoint: invalid signature for key witness.test/w2" in output

        # A witness key the checkpoint lacks: not cosigned as asked.
        registry.changes = {}
        absent = WitnessKey("witness.test/absent", Ed25519Signer.generate().public_key)
        code, output = check(go_helper, *args, "-witness", absent.vkey)
        assert code == 1, output
        assert f"size {SIZE}: no cosignature by witness.test/absent" in output

        # The log grows past what the witnesses cosigned: this registry publishes no policy, so
        # its checkpoint is the latest, uncosigned, and the cosignatures are read from its
        # witnessed checkpoint, an older signed one.
        world.register("js-eit", "互操作园区新", "320505")
        code, output = check(go_helper, *args)
        assert code == 0, output
        assert f"ok checkpoint: {log.log_origin}, size {SIZE + 1}" in output
        assert f"ok size {SIZE} cosigned by witness.test/w2 at " in output
        assert f"ok the witnessed checkpoint (size {SIZE})" in output
        registry.changes = {"/api/v1/log/checkpoint": flip_signature("witness.test/w2")}
        code, output = check(go_helper, *args)
        assert code == 1, output
        assert "witnessed checkpoint: invalid signature for key witness.test/w2" in output
    finally:
        stack.close()
        facade.close()


def test_go_checks_an_export_and_names_a_changed_byte(
    world: World, database_url: str, tmp_path: Path, go_helper: Path
) -> None:
    log = grown(world)
    vkey = log_vkey(log)
    export = tmp_path / "export"
    result = runner.invoke(app, ["export", str(export), "--database", database_url])
    assert result.exit_code == 0, result.output

    code, output = check(go_helper, "-log", str(export), "-vkey", vkey)
    assert code == 0, output
    assert "ok 3 tiles and 2 entry bundles: 260 entries" in output
    assert output.rstrip().endswith("PASS")

    def changed(path: str, change: Callable[[bytes], bytes]) -> tuple[int, str]:
        copy = tmp_path / "changed"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(export, copy)
        (copy / path).write_bytes(change((copy / path).read_bytes()))
        return check(go_helper, "-log", str(copy), "-vkey", vkey)

    for path, change, named in [
        ("tile/0/000", flip_byte(32 * 7 + 3), "tiles against the signed root"),
        ("tile/1/000.p/1", flip_byte(0), "tiles against the signed root"),
        ("tile/entries/001.p/4", flip_byte(50), "tile/entries/001.p/4: entry"),
        ("checkpoint", flip_signature(log.log_origin), "checkpoint: invalid signature"),
        ("checkpoint", flip_byte(len(log.log_origin) + 1), "checkpoint: invalid signature"),
    ]:
        code, output = changed(path, change)
        assert code == 1, (path, output)
        assert "FAIL: " in output, (path, output)
        assert named in output, (path, output)

    # A key Go does not know signed it: not accepted on greenreg's say-so.
    other = verifier_key(log.log_origin, Ed25519Signer.generate().public_key)
    code, output = check(go_helper, "-log", str(export), "-vkey", other)
    assert code == 1, output
    assert "checkpoint: note has no verifiable signatures" in output


def test_go_checks_a_registry_with_a_witness_policy_and_its_export(
    world: World, database_url: str, tmp_path: Path, go_helper: Path, witnesses: list[Witness]
) -> None:
    """Under a witness policy the tiled log's checkpoint is the latest the witnesses cosigned,
    older than the latest the registry signed: Go checks the tiles at that size, the
    cosignatures on it, and that the newer signed checkpoints extend it; an export written under
    the policy carries the cosignatures, which Go checks without asking the registry."""
    log = grown(world)
    vkey = log_vkey(log)
    witness_args = [a for w in witnesses for a in ("-witness", w.key.vkey)]
    with ExitStack() as stack:
        endpoints = []
        for witness in witnesses:
            url = stack.enter_context(serving_app(witness_app(witness)))
            endpoints.append(WitnessEndpoint(witness.key, url))
        config = WitnessConfig(tuple(endpoints), 2)
        submitter = Submitter(log, config)
        try:
            assert submitter.run_once() == 2
        finally:
            submitter.stop()
        for i in range(3):  # signed, not yet witnessed
            world.register("js-eit", f"未见证园区{i}", "320505")
        assert log.log_size() == SIZE + 3

        facade = open_greenreg(database_url, clock=world.clock)
        stack.callback(facade.close)
        registry = Tampering(create_app(facade, quotas=False, witnesses=config))
        url = stack.enter_context(serving_app(registry))
        args = ["-log", url, "-api", url, "-vkey", vkey, *witness_args]
        code, output = check(go_helper, *args)
        assert code == 0, output
        assert f"ok checkpoint: {log.log_origin}, size {SIZE}," in output
        assert f"ok size {SIZE} cosigned by witness.test/w1 at " in output
        assert f"ok size {SIZE} cosigned by witness.test/w2 at " in output
        assert "each opened with the log key; 3 newer than the tiles' checkpoint" in output
        assert (
            f"ok the 3 newer signed checkpoints extend it (tlog.CheckTree to size {SIZE + 3})"
            in (output)
        )
        assert output.rstrip().endswith("PASS")

        # A flipped byte of a cosignature on the served checkpoint, or of the proof that the
        # newer checkpoints extend it, is caught.
        registry.changes = {"/checkpoint": flip_signature("witness.test/w1")}
        code, output = check(go_helper, *args)
        assert code == 1, output
        assert "checkpoint: invalid signature for key witness.test/w1" in output
        registry.changes = {"/api/v1/log/consistency": flip_proof_hash("consistency")}
        code, output = check(go_helper, *args)
        assert code == 1, output
        assert "consistency proof from" in output
        registry.changes = {}

        # The export under the policy: the witnessed size, its note with both cosignatures.
        export = tmp_path / "export"
        policy = policy_file(tmp_path, config)
        written = runner.invoke(
            app, ["export", str(export), "--database", database_url, "--witnesses", str(policy)]
        )
        assert written.exit_code == 0, written.output
        code, output = check(go_helper, "-log", str(export), "-vkey", vkey, *witness_args)
        assert code == 0, output
        assert f"ok size {SIZE} cosigned by witness.test/w2 at " in output
        note = export / "checkpoint"
        note.write_bytes(flip_signature("witness.test/w2")(note.read_bytes()))
        code, output = check(go_helper, "-log", str(export), "-vkey", vkey, *witness_args)
        assert code == 1, output
        assert "checkpoint: invalid signature for key witness.test/w2" in output
        # Without the cosignature line, and no registry to ask, the export is not witnessed.
        lines = [ln for ln in note.read_text("utf-8").split("\n") if "witness.test/w2" not in ln]
        note.write_text("\n".join(lines), encoding="utf-8")
        code, output = check(go_helper, "-log", str(export), "-vkey", vkey, *witness_args)
        assert code == 1, output
        assert f"the checkpoint of size {SIZE} carries no cosignature by witness.test/w2" in output
