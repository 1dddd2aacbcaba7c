"""``greenreg export DIR``: the signed log as C2SP tlog-tiles, plain files for inspectors.

The directory is the layout the registry serves (:mod:`greenreg.api.tiles`, ``docs/tiles.md``),
so any static file server publishing it is a mirror:

``checkpoint``
    the latest checkpoint, the C2SP signed note the registry signed, with the cosignature lines
    its witnesses returned for it (C2SP tlog-cosignature); with the registry's witness policy,
    the latest checkpoint that meets it, and no export at all until one does;
``tile/<L>/<N>[.p/<W>]``
    every tile of that checkpoint's tree (full tiles, then the partial one of each level);
``tile/entries/<N>[.p/<W>]``
    every entry bundle: each entry a 2-byte big-endian length, then the leaf data as the log
    hashes it (:func:`greenreg.registry.log.event_leaf`);
``log-keys.json``
    the root-signed declarations of the log keys that sign the checkpoints.

``greenreg verify --from DIR --root-public-key root.pub`` checks it offline (with
``--witness-key``, the cosignatures too); ``--from URL`` checks a registry or a mirror. Entries
appended after the exported checkpoint are not exported.
"""

from __future__ import annotations

import json
from pathlib import Path

from greenreg.audit.source import DatabaseSource
from greenreg.audit.tiles import CHECKPOINT, LOG_KEYS
from greenreg.errors import NotFoundError
from greenreg.storage.queries import TransparencyLog
from greenreg.storage.tiles import LogTiles
from greenreg.witness.cosignature import WitnessPolicy


def exported_checkpoint(log: TransparencyLog) -> tuple[int, str]:
    """The size and the cosigned note of the checkpoint an export is written at: the latest
    that meets the log's witness policy, or without one the latest; refused (not found, saying
    why) when there is none."""
    if log.policy is None:
        latest = log.latest()
        if latest is None:
            raise NotFoundError("the log has no signed checkpoint to export")
        return latest.tree_size, log.cosigned_note(latest)
    witnessed = log.witnessed()
    if witnessed is None:
        raise NotFoundError(
            f"no checkpoint of this log has yet been cosigned by {log.policy.required} of the "
            f"{len(log.policy.keys)} witnesses its policy names, so nothing was exported: the "
            "witnesses cosign new checkpoints within seconds of the registry sending them; "
            "export again once they have"
        )
    return witnessed.checkpoint.tree_size, witnessed.cosigned_note


def write_export(
    source: DatabaseSource, directory: Path, policy: WitnessPolicy | None = None
) -> int:
    """Write the export; return the number of log entries written (the checkpoint's size)."""
    size, note = exported_checkpoint(TransparencyLog(source.recorder, policy))
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
