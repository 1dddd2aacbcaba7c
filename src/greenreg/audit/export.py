"""``greenreg export DIR``: the signed log as C2SP tlog-tiles, plain files for inspectors.

The directory is the layout the registry serves (:mod:`greenreg.api.tiles`, ``docs/tiles.md``),
so any static file server publishing it is a mirror:

``checkpoint``
    the latest checkpoint, the C2SP signed note the registry signed;
``tile/<L>/<N>[.p/<W>]``
    every tile of that checkpoint's tree (full tiles, then the partial one of each level);
``tile/entries/<N>[.p/<W>]``
    every entry bundle: each entry a 2-byte big-endian length, then the leaf data as the log
    hashes it (:func:`greenreg.registry.log.event_leaf`);
``log-keys.json``
    the root-signed declarations of the log keys that sign the checkpoints.

``greenreg verify --from DIR --root-public-key root.pub`` checks it offline; ``--from URL`` checks
a registry or a mirror. Entries appended after the latest checkpoint are not exported.
"""

from __future__ import annotations

import json
from pathlib import Path

from greenreg.audit.source import DatabaseSource
from greenreg.audit.tiles import CHECKPOINT, LOG_KEYS
from greenreg.errors import NotFoundError
from greenreg.storage.tiles import LogTiles


def write_export(source: DatabaseSource, directory: Path) -> int:
    """Write the export; return the number of log entries written (the checkpoint's size)."""
    latest = source.recorder.latest_checkpoint()
    if latest is None:
        raise NotFoundError("the log has no signed checkpoint to export")
    size, note = latest
    directory.mkdir(parents=True, exist_ok=True)
    for tile, data in LogTiles(source.recorder).all(size):
        path = directory / tile.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (directory / LOG_KEYS).write_text(
        json.dumps(source.log_keys(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (directory / CHECKPOINT).write_text(note, encoding="utf-8")
    return size
