"""First-run key files: made once, never overwritten, never seen half-written, whoever races."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from greenreg.importer.keys import ensure_key, read_key


def test_racing_first_runs_share_one_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    with ThreadPoolExecutor(max_workers=8) as pool:
        signers = list(pool.map(lambda _: ensure_key(keys, "root"), range(16)))

    assert len({s.public_key for s in signers}) == 1
    assert read_key(keys, "root").public_key == signers[0].public_key
    assert sorted(os.listdir(keys)) == ["root.key", "root.pub"]  # no temporary file left
    assert stat.S_IMODE((keys / "root.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((keys / "root.pub").stat().st_mode) == 0o644


def test_an_existing_key_is_read_not_replaced(tmp_path: Path) -> None:
    first = ensure_key(tmp_path, "transcriber")
    before = (tmp_path / "transcriber.key").read_bytes()

    again = ensure_key(tmp_path, "transcriber")

    assert again.public_key == first.public_key
    assert (tmp_path / "transcriber.key").read_bytes() == before
