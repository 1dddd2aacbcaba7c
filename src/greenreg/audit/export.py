"""``greenreg export DIR``: the signed log, its checkpoints and the public keys, for inspectors.

The directory holds plain files an inspector can read with any tool:

``events.jsonl``
    one line per log position, in order: ``{"position", "originator_id", "originator_version",
    "topic", "state"}`` with ``state`` in base64. The leaf of a line is
    :func:`greenreg.registry.log.event_leaf` of those four fields; it hashes as RFC 9162 says.
``checkpoints.jsonl``
    ``{"tree_size", "note"}``: every checkpoint as the C2SP signed note the registry signed.
``log-keys.json``
    the root-signed declarations of the log keys that sign the checkpoints.
``public-keys.json``
    every public key the events declare, by key id (a convenience: ``greenreg verify`` derives
    them again from the events and the root key).
``manifest.json``
    the format, the log size and the latest checkpoint.

``greenreg verify --from DIR --root-public-key root.pub`` checks it offline.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

from greenreg.audit.source import DatabaseSource
from greenreg.storage.log_tables import LogEntry, UnloggedEvent

FORMAT = "greenreg-export/1"


def write_export(source: DatabaseSource, directory: Path) -> int:
    """Write the export; return the number of log entries written."""
    directory.mkdir(parents=True, exist_ok=True)
    count, keys = 0, {}
    with (directory / "events.jsonl").open("w", encoding="utf-8") as out:
        for entry in source.entries():
            line = {
                "position": entry.position,
                "originator_id": str(entry.originator_id),
                "originator_version": entry.originator_version,
                "topic": entry.topic,
                "state": None if entry.state is None else base64.b64encode(entry.state).decode(),
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
            keys.update(_declared_keys(entry))
    checkpoints = source.checkpoints()
    with (directory / "checkpoints.jsonl").open("w", encoding="utf-8") as out:
        for size, note in checkpoints:
            out.write(json.dumps({"tree_size": size, "note": note}, ensure_ascii=False) + "\n")
    _write_json(directory / "log-keys.json", source.log_keys())
    _write_json(directory / "public-keys.json", keys)
    latest = checkpoints[-1][1] if checkpoints else None
    _write_json(
        directory / "manifest.json",
        {"format": FORMAT, "log_size": count, "latest_checkpoint": latest},
    )
    return count


def _declared_keys(entry: LogEntry) -> dict[str, str]:
    if entry.state is None:
        return {}
    try:
        state = json.loads(entry.state)
    except ValueError:
        return {}
    if not isinstance(state, dict):
        return {}
    if "new_key_id" in state and "public_key" in state:
        return {str(state["new_key_id"]): str(state["public_key"])}
    if "root_public_key" in state and "key_id" in state:
        return {str(state["key_id"]): str(state["root_public_key"])}
    return {}


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


class ExportSource:
    """An export directory read back for the auditor."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise ValueError(f"{directory} is not a greenreg export ({FORMAT})")
        self._size = sum(1 for _ in (directory / "events.jsonl").open(encoding="utf-8"))

    def size(self) -> int:
        return self._size

    def entries(self) -> Iterator[LogEntry]:
        with (self.directory / "events.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                state = row.get("state")
                yield LogEntry(
                    position=int(row["position"]),
                    originator_id=UUID(row["originator_id"]),
                    originator_version=int(row["originator_version"]),
                    topic=row.get("topic"),
                    state=None if state is None else base64.b64decode(state),
                    notification_id=None,
                    stored_leaf_hash=None,
                )

    def history(self, originator_id: UUID, upto: int) -> list[LogEntry]:
        return [
            e for e in self.entries() if e.originator_id == originator_id and e.position <= upto
        ]

    def unlogged(self) -> list[UnloggedEvent]:
        return []

    def checkpoints(self) -> list[tuple[int, str]]:
        with (self.directory / "checkpoints.jsonl").open(encoding="utf-8") as lines:
            return [(int(r["tree_size"]), str(r["note"])) for r in map(json.loads, lines)]

    def log_keys(self) -> list[dict[str, Any]]:
        keys: list[dict[str, Any]] = json.loads(
            (self.directory / "log-keys.json").read_text(encoding="utf-8")
        )
        return keys
