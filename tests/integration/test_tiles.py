"""The log as C2SP tlog-tiles, served and exported, on SQLite and PostgreSQL.

The tiles the registry serves are checked against tiles computed here from the event store's
own rows with a small RFC 6962 implementation of this test's own; the export, served by
``python -m http.server``, verifies by URL, and each kind of tampering is named.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.events.signing import b64encode
from greenreg.registry.log import event_leaf
from greenreg.storage.log_key import declare
from tests.e2e.support import api_client, refusal_of
from tests.support import World

runner = CliRunner()
IMMUTABLE = "public, max-age=31536000, immutable"


# --- an independent RFC 6962 computation ---------------------------------------------------


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 Merkle Tree Hash of leaf hashes, recursively."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def expected_tiles(leaves: list[bytes]) -> dict[str, bytes]:
    """Every tile of the tree, by path: tile ``n`` at level ``l`` holds, for i < 256, the MTH of
    leaves [(n*256+i)*256**l, (n*256+i+1)*256**l) over the complete ranges only."""
    tiles: dict[str, bytes] = {}
    level = 0
    while len(leaves) >> (8 * level):
        span = 256**level
        hashes = [mth(leaves[i * span : (i + 1) * span]) for i in range(len(leaves) // span)]
        for n in range(0, len(hashes), 256):
            chunk = hashes[n : n + 256]
            suffix = "" if len(chunk) == 256 else f".p/{len(chunk)}"
            tiles[f"tile/{level}/{n // 256:03d}{suffix}"] = b"".join(chunk)
        level += 1
    return tiles


def stored_entries(world: World) -> list[bytes]:
    """The log's entries, rebuilt from the event store's rows in log order."""
    recorder = world.registry.recorder
    rows = recorder.select_notifications(start=1, limit=1_000_000)
    return [event_leaf(r.originator_id, r.originator_version, r.topic, r.state) for r in rows]


def leaf(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def bundle(entries: list[bytes]) -> bytes:
    return b"".join(len(e).to_bytes(2, "big") + e for e in entries)


def grow(world: World, count: int) -> None:
    """``count`` more events: units registered by one authority."""
    for i in range(count):
        world.register("js-eit", f"测试园区{i:04d}", "320505")


@pytest.fixture
def client(world: World, database_url: str) -> Iterator[TestClient]:
    declare(world.registry, world.root.signer, world.clock.now)
    with api_client(world, database_url) as client:
        yield client


# --- served --------------------------------------------------------------------------------


def test_served_tiles_are_the_tiles_of_the_log(world: World, client: TestClient) -> None:
    grow(world, 300 - world.registry.recorder.log_size())
    entries = stored_entries(world)
    size = len(entries)
    assert size == 300
    leaves = [leaf(e) for e in entries]

    checkpoint = client.get("/checkpoint")
    assert checkpoint.status_code == 200
    assert checkpoint.headers["content-type"] == "text/plain; charset=utf-8"
    assert checkpoint.headers["cache-control"] == "public, max-age=5"
    assert checkpoint.text.split("\n")[1] == "300"

    # Every tile of the tree: level 0 full and partial, level 1 partial.
    expected = expected_tiles(leaves)
    assert sorted(expected) == ["tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1"]
    assert expected["tile/1/000.p/1"] == mth(leaves[:256])
    for path, data in expected.items():
        served = client.get(f"/{path}")
        assert served.status_code == 200, path
        assert served.content == data, path
        assert served.headers["content-type"] == "application/octet-stream"
        assert served.headers["cache-control"] == IMMUTABLE

    # Entry bundles: the entries as the store holds them, length-prefixed.
    assert client.get("/tile/entries/000").content == bundle(entries[:256])
    assert client.get("/tile/entries/001.p/44").content == bundle(entries[256:])
    assert client.get("/tile/entries/000").headers["cache-control"] == IMMUTABLE

    # A narrower partial tile (an earlier tree's) is the first hashes of the tile, for good.
    assert client.get("/tile/0/001.p/5").content == b"".join(leaves[256:261])
    assert client.get("/tile/0/000.p/255").content == b"".join(leaves[:255])
    assert client.get("/tile/entries/001.p/1").content == bundle(entries[256:257])

    # Tiles beyond the tree are not there.
    for beyond in [
        "tile/0/001",  # level 0 tile 1 is partial
        "tile/0/001.p/45",
        "tile/0/002.p/1",
        "tile/1/000",
        "tile/1/000.p/2",
        "tile/2/000.p/1",
        "tile/entries/001",
        "tile/entries/001.p/45",
        "tile/63/x999/x999/999",
    ]:
        answer = client.get(f"/{beyond}")
        status, _, detail = refusal_of(answer)
        assert status == 404, beyond
        assert "cache-control" not in answer.headers or "immutable" not in answer.headers.get(
            "cache-control", ""
        )
        assert "has no" in detail


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/0",
        "tile/0/x000/000",
        "tile/00/000",
        "tile/64/000",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/01",
        "tile/0/000/",
        "tile/entries/abc",
        "tile/0/%00",
        "tile/0/000.p/1%20",
        "tile/",
        "tile/0/99999999999999999999999999999999999999999",
    ],
)
def test_a_path_that_names_no_tile_is_not_found(
    world: World, client: TestClient, path: str
) -> None:
    answer = client.get(f"/{path}")
    assert answer.status_code == 404, answer.text


# --- exported, mirrored, verified ----------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served by ``python -m http.server`` on a free loopback port."""
    directory = tmp_path / "mirror"
    directory.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield directory, url
    finally:
        server.terminate()
        server.wait(10)


def verify(origin: str | Path, root_pub: Path) -> tuple[int, str]:
    result = runner.invoke(
        app, ["verify", "--from", str(origin), "--root-public-key", str(root_pub), "--workers", "1"]
    )
    return result.exit_code, result.output


def test_an_export_served_as_static_files_verifies_and_tampering_is_named(
    world: World, database_url: str, tmp_path: Path, served: tuple[Path, str]
) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    grow(world, 260 - world.registry.recorder.log_size())
    root_pub = tmp_path / "root.pub"
    root_pub.write_text(b64encode(world.root.signer.public_key) + "\n")

    export = tmp_path / "export"
    result = runner.invoke(app, ["export", str(export), "--database", database_url])
    assert result.exit_code == 0, result.output
    assert "exported 260 log entries" in result.output
    files = sorted(str(p.relative_to(export)) for p in export.rglob("*") if p.is_file())
    assert files == [
        "checkpoint",
        "log-keys.json",
        "tile/0/000",
        "tile/0/001.p/4",
        "tile/1/000.p/1",
        "tile/entries/000",
        "tile/entries/001.p/4",
    ]
    entries = stored_entries(world)
    assert (export / "tile/entries/001.p/4").read_bytes() == bundle(entries[256:])
    assert (
        expected_tiles([leaf(e) for e in entries])["tile/0/000"]
        == (export / "tile/0/000").read_bytes()
    )

    # A mirror is a static file server; the inspector verifies it by URL.
    mirror, url = served
    shutil.copytree(export, mirror, dirs_exist_ok=True)
    code, output = verify(url, root_pub)
    assert code == 0, output
    assert "260 events, 260 signatures, 1 checkpoints" in output
    assert "verified" in output

    def tampered(path: str, change: bytes, by: bytes) -> tuple[int, str]:
        shutil.rmtree(mirror)
        shutil.copytree(export, mirror)
        data = (mirror / path).read_bytes()
        assert change in data
        (mirror / path).write_bytes(data.replace(change, by, 1))
        return verify(url, root_pub)

    # An entry changed in its bundle: its tile and the signed root no longer agree with it.
    name = "测试园区0100".encode()
    code, output = tampered("tile/entries/000", name, "测试园区0999".encode())
    assert code == 1, output
    assert "tile/0/000: hash" in output
    assert "do not hash to the signed root of checkpoint 260" in output

    # A tile hash changed: the entries and the checkpoint agree; the tile is named.
    tile = (export / "tile/0/001.p/4").read_bytes()
    code, output = tampered("tile/0/001.p/4", tile[32:64], bytes(32))
    assert code == 1, output
    assert "tile/0/001.p/4: hash 1 is not the hash recomputed from the entries" in output
    assert "signed root" not in output
    level1 = (export / "tile/1/000.p/1").read_bytes()
    code, output = tampered("tile/1/000.p/1", level1[:4], b"\x00\x00\x00\x00")
    assert "tile/1/000.p/1: hash 0" in output

    # The checkpoint's root changed: its signature no longer holds.
    note = (export / "checkpoint").read_text()
    root_line = note.split("\n")[2].encode()
    code, output = tampered("checkpoint", root_line, b"A" * 43 + b"=")
    assert code == 1, output
    assert "checkpoint of size 260 is not signed by a log key" in output

    # A bundle the checkpoint calls for is missing.
    shutil.rmtree(mirror)
    shutil.copytree(export, mirror)
    (mirror / "tile/entries/001.p/4").unlink()
    code, output = verify(url, root_pub)
    assert code == 1, output
    assert "tile/entries/001.p/4 is missing" in output
    assert "positions 256 to 259 are missing" in output

    # The directory itself verifies offline, and a truncated bundle there is named.
    code, output = verify(export, root_pub)
    assert code == 0, output
    (export / "tile/entries/000").write_bytes((export / "tile/entries/000").read_bytes()[:-1])
    code, output = verify(export, root_pub)
    assert code == 1, output
    assert "tile/entries/000: the bundle ends inside the entry" in output
