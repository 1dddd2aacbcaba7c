"""A world copied from the tests' founded template is the world a founding makes.

The registry tests' ``world`` copies a store founded once per test process
(``tests/founded.py``) instead of founding its own: the copy must hold the same log (the same
events, in the same order, under checkpoints its own log key signs), its keys must be the ones
the founding registered, and it must go on as a fresh one does, or every test of a ``world``
would test another registry than the one a founding makes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.storage.log_key import declare
from tests.founded import founded_world, log_key_path
from tests.migrated import migrate_from_template, store_kind
from tests.support import World, empty_database

runner = CliRunner()


def log_of(world: World) -> list[tuple[int, str, int]]:
    """Each stored event's position, type and version in its aggregate (ids and signatures
    differ from founding to founding)."""
    recorder = world.registry.recorder
    return [
        (n.id, n.topic, n.originator_version)
        for n in recorder.select_notifications(start=1, limit=1_000)
    ]


def test_a_copied_world_is_a_founded_one_and_goes_on_as_one(
    database_url: str, tmp_path: Path
) -> None:
    kind = store_kind(database_url)
    (tmp_path / "fresh").mkdir()
    with empty_database(kind, tmp_path / "fresh") as fresh_url:
        migrate_from_template(fresh_url)
        fresh = World(fresh_url)
        copied = founded_world(database_url)
        try:
            assert log_of(copied) == log_of(fresh)
            assert len(log_of(copied)) == 20

            # The keys registered are the world's: each authority signs, the root declares.
            for code, issuer in copied.issuers.items():
                keys = copied.registry.authority(code).keys
                assert issuer.signer.key_id in keys, code
            assert copied.root.signer.key_id in copied.registry.authority("root").keys

            # Its log key is its own file, which no other user may read (unless the run
            # gives one key to every store: GREENREG_LOG_KEY).
            if "GREENREG_LOG_KEY" not in os.environ:
                key = log_key_path(database_url)
                assert stat.S_IMODE(key.stat().st_mode) == 0o600

            # It goes on: an act of every kind the tests use, the log key declared, and the
            # audit passes under the root key.
            declare(copied.registry, copied.root.signer, copied.clock.now)
            park = copied.register("js-eit", "苏州工业园区", "320505")
            copied.submit("js-eit", "designate", effective_date="2025-01-01", unit=str(park),
                          programme="green_park", jurisdiction="320000")  # fmt: skip
            root = tmp_path / "root.pub"
            root.write_text(b64encode(copied.root.signer.public_key) + "\n")
            result = runner.invoke(
                app, ["verify", "--database", database_url, "--root-public-key", str(root)]
            )
            assert result.exit_code == 0, result.output

            # A test that gives an authority another signer (as the forgery tests do) leaves
            # the next test's world signing with the key its founding registered.
            copied.issuers["js-eit"].signer = Ed25519Signer.generate()
            (tmp_path / "next").mkdir()
            with empty_database(kind, tmp_path / "next") as next_url:
                following = founded_world(next_url)
                try:
                    following.register("js-eit", "苏州工业园区", "320505")
                finally:
                    following.close()
        finally:
            copied.close()
            fresh.close()
