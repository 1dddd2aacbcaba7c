"""An inspector with only an export and the root public key verifies the registry offline."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.events.signing import b64encode
from greenreg.storage.log_key import declare
from tests.support import World

runner = CliRunner()
GREENREG = str(Path(sys.executable).with_name("greenreg"))


def inspect(export: Path, root_pub: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    """``greenreg verify`` in a fresh process that knows no database and no private key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENREG_")}
    return subprocess.run(
        [GREENREG, "verify", "--from", str(export), "--root-public-key", str(root_pub)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_export_verifies_offline_and_a_changed_export_does_not(
    world: World, database_url: str, tmp_path: Path
) -> None:
    # The registry's history: a park registered and designated; the root declares the log key.
    declare(world.registry, world.root.signer, world.clock.now)
    park = world.register("js-eit", "苏州高新技术产业开发区", "320505")
    world.submit(
        "js-eit",
        "designate",
        unit=str(park),
        effective_date="2020-01-01",
        programme="green_park",
        jurisdiction="320000",
        batch="第一批",
        grade=None,
    )

    # The operator exports the signed log.
    export = tmp_path / "export"
    result = runner.invoke(app, ["export", str(export), "--database", database_url])
    assert result.exit_code == 0, result.output
    assert {p.name for p in export.iterdir()} == {"checkpoint", "log-keys.json", "tile"}
    [bundle] = (export / "tile" / "entries").rglob("*/*")  # one partial bundle: 000.p/<size>

    # The inspector holds the export and the root public key, nothing else.
    inspector = tmp_path / "inspector"
    inspector.mkdir()
    root_pub = inspector / "root.pub"
    root_pub.write_text(b64encode(world.root.signer.public_key) + "\n")
    passed = inspect(export, root_pub, inspector)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "verified" in passed.stdout
    assert list(inspector.iterdir()) == [root_pub]

    # One changed character in one exported event: the inspector names the event.
    data = bundle.read_bytes()
    last_entry = data.rindex(b"greenreg.event.v1\n")  # each entry starts with the leaf tag
    changed = data[last_entry:].replace(b"2020-01-01", b"2019-01-01", 1)
    bundle.write_bytes(data[:last_entry] + changed)
    failed = inspect(export, root_pub, inspector)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    last = world.registry.recorder.log_size() - 1
    assert f"position {last} event {park} v2" in failed.stdout

    # Another root key is not the registry's trust anchor.
    other = inspector / "other.pub"
    other.write_text(base64.b64encode(b"\x01" * 32).decode() + "\n")
    assert inspect(export, other, inspector).returncode == 1
