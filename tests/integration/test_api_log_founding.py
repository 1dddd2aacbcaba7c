"""Founding declares the log key: after ``greenreg init`` (or the first run's shipped lists) an
inspector holding only the root public key trusts the registry's checkpoints, with no extra
step. Both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from greenreg.bootstrap import open_greenreg, open_registry
from greenreg.cli import app
from greenreg.events.signing import b64decode
from greenreg.importer import loading
from greenreg.importer.loading import load_shipped_lists
from greenreg.registry.checkpoints import check_log_key, open_checkpoint
from greenreg.storage.queries import TransparencyLog
from tests.support import Clock

runner = CliRunner()


def declared_log_key(database_url: str, root_public_key: bytes) -> bytes:
    """The log key the root declared in this store; the latest checkpoint must verify with it."""
    registry = open_registry(database_url)
    try:
        log = TransparencyLog(registry.recorder)
        [declared] = [check_log_key(d, root_public_key) for d in log.log_key_declarations()]
        open_checkpoint(log.checkpoint().note, declared.public_key)
        return declared.public_key
    finally:
        registry.close()


def test_greenreg_init_declares_the_log_key(database_url: str, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    made = runner.invoke(app, ["keys", "new", "root", "--dir", str(keys)])
    assert made.exit_code == 0, made.output

    founded = runner.invoke(
        app, ["init", "--root-key", str(keys / "root.key"), "--database", database_url]
    )
    assert founded.exit_code == 0, founded.output
    assert "declared by the root key" in founded.output

    root_public_key = b64decode((keys / "root.pub").read_text().strip(), "root.pub")
    declared_log_key(database_url, root_public_key)
    audit = runner.invoke(
        app,
        ["verify", "--database", database_url, "--root-public-key", str(keys / "root.pub")],
    )
    assert audit.exit_code == 0, audit.output
    assert "verified" in audit.output


def test_the_first_run_declares_the_log_key(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The founding steps only: the shipped announcements themselves are tested elsewhere.
    monkeypatch.setattr(loading, "shipped_announcements", list)
    greenreg = open_greenreg(database_url, clock=Clock())
    try:
        assert load_shipped_lists(greenreg, tmp_path / "keys") == []
    finally:
        greenreg.close()
    root_pub = (tmp_path / "keys" / "root.pub").read_text().strip()
    declared_log_key(database_url, b64decode(root_pub, "root.pub"))
